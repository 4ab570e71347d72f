import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readUpload } from './read-upload.js';

const chunks = (count: number, size: number) =>
  Readable.from(Array.from({ length: count }, () => Buffer.alloc(size, 1)));

describe('readUpload', () => {
  it('reads a body within the limit', async () => {
    const body = await readUpload({}, chunks(4, 1000), 4000);
    expect(body.length).toBe(4000);
  });

  it('refuses a body announced larger than the limit without reading it', async () => {
    const stream = chunks(1, 10);
    await expect(readUpload({ 'content-length': '4001' }, stream, 4000)).rejects.toMatchObject({
      code: 'artifact_too_large',
      status: 413,
    });
    expect(stream.readableFlowing).toBeNull();
  });

  it('stops at the limit when the size was not announced (chunked)', async () => {
    const stream = chunks(1000, 1000);
    await expect(readUpload({}, stream, 4000)).rejects.toThrow(
      'the upload is larger than 4000 bytes (artifacts.maxUploadSize in ferry.yaml)',
    );
  });
});
