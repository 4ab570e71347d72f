import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { FerryError } from '../../errors/ferry-error.js';

/**
 * Reads a request body into memory, refusing it with `artifact_too_large` (413) as soon as it
 * is, or announces that it will be, over `limit` bytes. Nothing is written anywhere: the upload
 * is checked in memory before the blob store sees it.
 */
export function readUpload(
  headers: IncomingHttpHeaders,
  payload: Readable,
  limit: number,
): Promise<Buffer> {
  const tooLarge = () =>
    new FerryError(
      'artifact_too_large',
      `the upload is larger than ${limit} bytes (artifacts.maxUploadSize in ferry.yaml)`,
      { extra: { limit } },
    );
  if (Number(headers['content-length']) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  });
}
