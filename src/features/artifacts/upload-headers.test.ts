import { describe, expect, it } from 'vitest';
import { FerryError } from '../../errors/ferry-error.js';
import { metadataFromHeaders, metadataToHeaders } from './upload-headers.js';

const problemsOf = (headers: Record<string, string>) => {
  try {
    metadataFromHeaders(headers);
  } catch (error) {
    if (error instanceof FerryError) return error.toJSON().error;
    throw error;
  }
  return undefined;
};

describe('upload metadata headers', () => {
  it('round-trips branch, build URL and meta, non-ASCII included', () => {
    const metadata = {
      branch: 'feature/größe',
      buildUrl: 'https://ci.example/run/7?x=1&y=2',
      meta: { builder: 'gha', pr: '42', note: 'naïve "quote" ✓' },
    };
    const headers = metadataToHeaders(metadata);
    for (const value of Object.values(headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
    expect(metadataFromHeaders(headers)).toEqual(metadata);
    expect(metadataFromHeaders({})).toEqual({ branch: null, buildUrl: null, meta: {} });
  });

  it('refuses bad metadata with every problem named, as a 400', () => {
    const answer = problemsOf({
      'x-ferry-build-url': 'ftp%3A%2F%2Fx',
      'x-ferry-meta': JSON.stringify({ pr: 42, 'bad key': 'x' }),
    });
    expect(answer).toMatchObject({
      code: 'invalid_request',
      details: [
        { path: 'buildUrl', message: 'expected an http or https URL of at most 2048 characters' },
        { path: 'meta.pr', message: 'expected a string of at most 512 printable characters' },
        { path: 'meta.bad key', message: expect.stringContaining('expected a key of letters') },
      ],
    });
    expect(problemsOf({ 'x-ferry-meta': '[1]' })).toMatchObject({
      details: [{ path: 'meta', message: expect.stringContaining('must be a JSON object') }],
    });
    expect(problemsOf({ 'x-ferry-meta': '{' })).toMatchObject({
      details: [{ path: 'meta', message: 'header x-ferry-meta is not JSON' }],
    });
    expect(problemsOf({ 'x-ferry-branch': '%E0%A4%A' })).toMatchObject({
      details: [{ path: 'branch', message: 'header x-ferry-branch is not valid percent-encoding' }],
    });
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    expect(problemsOf({ 'x-ferry-meta': JSON.stringify(many) })).toMatchObject({
      details: [{ path: 'meta', message: 'at most 32 keys, got 33' }],
    });
  });
});
