import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readUpload } from './read-upload.js';

const chunks = (count: number, size: number) =>
  Readable.from(Array.from({ length: count }, () => Buffer.alloc(size, 1)));

const readAll = async (body: AsyncIterable<Buffer>) => {
  let size = 0;
  for await (const chunk of body) size += chunk.length;
  return size;
};

describe('readUpload', () => {
  it('reads a body within the limit as it arrives', async () => {
    expect(await readAll(await readUpload({}, chunks(4, 1000), 4000))).toBe(4000);
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
    const body = await readUpload({}, chunks(1000, 1000), 4000);
    await expect(readAll(body)).rejects.toThrow(
      'the upload is larger than 4000 bytes (artifacts.maxUploadSize in ferry.yaml)',
    );
  });

  it('drains what is left after a reader stops early, without destroying the stream', async () => {
    const stream = chunks(10, 100);
    const body = await readUpload({}, stream, 4000);
    for await (const chunk of body) {
      expect(chunk.length).toBe(100);
      break;
    }
    expect(stream.destroyed).toBe(false);
    await body.drain();
    expect(stream.readableEnded).toBe(true);
  });
});
