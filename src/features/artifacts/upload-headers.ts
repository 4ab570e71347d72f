import type { IncomingHttpHeaders } from 'node:http';
import { InvalidRequestError } from '../../errors/ferry-error.js';
import {
  metadataProblems,
  metaLimits,
  type ArtifactMetadata,
  type MetadataProblem,
} from './domain/artifact-metadata.js';

/**
 * The headers an upload carries its build metadata in. `x-ferry-branch` and
 * `x-ferry-build-url` are percent-encoded (so any branch name fits in a header);
 * `x-ferry-meta` is a JSON object of string to string (non-ASCII as `\u` escapes).
 */
export const metadataHeaders = {
  branch: 'x-ferry-branch',
  buildUrl: 'x-ferry-build-url',
  meta: 'x-ferry-meta',
} as const;

/** The largest `x-ferry-meta` header accepted, in characters. */
export const maxMetaHeader = 16 * 1024;

/**
 * The build metadata of an upload, from its headers, checked against the metadata limits;
 * `invalid_request` (400) naming every bad header otherwise.
 *
 * @example metadataFromHeaders({ 'x-ferry-meta': '{"pr":"42"}' }) // { branch: null, buildUrl: null, meta: { pr: '42' } }
 */
export function metadataFromHeaders(headers: IncomingHttpHeaders): ArtifactMetadata {
  const problems: MetadataProblem[] = [];
  const decoded = (name: string, field: string): string | null => {
    const raw = headers[name];
    if (raw === undefined) return null;
    try {
      return decodeURIComponent(String(raw));
    } catch {
      problems.push({ path: field, message: `header ${name} is not valid percent-encoding` });
      return null;
    }
  };
  const branch = decoded(metadataHeaders.branch, 'branch');
  const buildUrl = decoded(metadataHeaders.buildUrl, 'buildUrl');
  const meta = parseMeta(headers[metadataHeaders.meta], problems);
  problems.push(...metadataProblems({ branch, buildUrl, meta }));
  if (problems.length > 0) {
    throw new InvalidRequestError(
      `invalid build metadata: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return { branch, buildUrl, meta: meta as Record<string, string> };
}

function parseMeta(
  raw: string | string[] | undefined,
  problems: MetadataProblem[],
): Record<string, unknown> {
  if (raw === undefined) return {};
  const text = String(raw);
  const bad = (message: string) => {
    problems.push({ path: 'meta', message });
    return {};
  };
  if (text.length > maxMetaHeader) {
    return bad(`header ${metadataHeaders.meta} is longer than ${maxMetaHeader} characters`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad(`header ${metadataHeaders.meta} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad(
      `header ${metadataHeaders.meta} must be a JSON object of at most ${metaLimits.maxKeys} string values`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * The headers for `metadata`, as {@link metadataFromHeaders} reads them back: what the CLI sends.
 */
export function metadataToHeaders(metadata: Partial<ArtifactMetadata>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (metadata.branch) headers[metadataHeaders.branch] = encodeURIComponent(metadata.branch);
  if (metadata.buildUrl) headers[metadataHeaders.buildUrl] = encodeURIComponent(metadata.buildUrl);
  if (metadata.meta && Object.keys(metadata.meta).length > 0) {
    headers[metadataHeaders.meta] = JSON.stringify(metadata.meta).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  return headers;
}
