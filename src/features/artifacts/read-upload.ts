import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { FerryError } from '../../errors/ferry-error.js';

/**
 * A request body read as it arrives, refused with `artifact_too_large` (413) as soon as it is over
 * `limit` bytes. Reading it never destroys the request: after a refusal, `drain` reads and drops
 * the rest, so the answer reaches the client on a sound connection.
 */
export class UploadBody implements AsyncIterable<Buffer> {
  private size = 0;

  constructor(
    private readonly payload: Readable,
    private readonly limit: number,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for await (const chunk of this.payload.iterator({ destroyOnReturn: false })) {
      this.size += (chunk as Buffer).length;
      if (this.size > this.limit) throw tooLarge(this.limit);
      yield chunk as Buffer;
    }
  }

  /** Reads and drops what is left of the body, up to the limit. */
  async drain(): Promise<void> {
    if (this.payload.readableEnded || this.size > this.limit) return;
    for await (const chunk of this.payload.iterator({ destroyOnReturn: false })) {
      this.size += (chunk as Buffer).length;
      if (this.size > this.limit) return;
    }
  }
}

/**
 * The body of an upload, to be read as a stream; refused at once (413) when its announced size
 * is over `limit`, before a byte of it is read.
 */
export function readUpload(
  headers: IncomingHttpHeaders,
  payload: Readable,
  limit: number,
): Promise<UploadBody> {
  if (Number(headers['content-length']) > limit) return Promise.reject(tooLarge(limit));
  return Promise.resolve(new UploadBody(payload, limit));
}

function tooLarge(limit: number): FerryError {
  return new FerryError(
    'artifact_too_large',
    `the upload is larger than ${limit} bytes (artifacts.maxUploadSize in ferry.yaml)`,
    { extra: { limit } },
  );
}
