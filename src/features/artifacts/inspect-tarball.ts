import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { ratioFloor, type ArtifactLimits } from './artifact-limits.js';
import { inChunksOf } from './in-chunks-of.js';
import { InvalidArtifactError } from './invalid-artifact-error.js';

/** What unpacking creates at one path of the archive. */
export type ContentEntry =
  | { readonly path: string; readonly kind: 'file'; readonly size: number; readonly sha256: string }
  | { readonly path: string; readonly kind: 'directory' }
  | { readonly path: string; readonly kind: 'symlink'; readonly target: string };

export interface TarballContents {
  /** One per path, sorted by path; a hardlink appears as the file it links to. */
  readonly entries: readonly ContentEntry[];
  /** Bytes of the uncompressed tar stream. */
  readonly unpackedBytes: number;
  /** `sha256:` of the compressed bytes read: the artifact's digest. */
  readonly digest: string;
}

export type ContentLimits = Pick<ArtifactLimits, 'maxUnpackedSize' | 'maxRatio' | 'maxEntries'>;

/** For artifacts already accepted: only their structure is checked again. */
export const noContentLimits: ContentLimits = {
  maxUnpackedSize: Infinity,
  maxRatio: Infinity,
  maxEntries: Infinity,
};

/**
 * Pieces of the upload fed to gunzip: each is a round trip to the thread pool, so they are large.
 * The ratio is judged on the compressed bytes gunzip has consumed, so it holds for any size.
 * Measured on a 200 MB push: 16 KiB pieces took twice as long; 256 KiB did as well as 1 MiB.
 */
export const feedChunk = 256 * 1024;
/** Gunzip's output chunks. */
const inflateChunk = 1024 * 1024;

export interface InspectOptions {
  /**
   * Whether to hash every file (default true): unpacking checks need the hashes, an upload only
   * needs the archive to be sound, and hashing it all again halves its speed. Without, each
   * file's `sha256` is empty.
   */
  readonly hashFiles?: boolean;
}
const gzipMagic = [0x1f, 0x8b];
const tarBlock = 512;

/**
 * Reads a `.tar.gz` as a stream through gunzip and a tar parser, in bounded memory, and refuses
 * it with an {@link InvalidArtifactError} at the first problem: corrupt or truncated data, no
 * files, an unsafe path, a link leaving the archive, a device or fifo, or a limit exceeded (the
 * stream stops there, so a gzip bomb never inflates further). Nothing touches the disk. Resolves
 * to the sha256 of every file, which is what unpacking it must produce, and the digest of the
 * compressed bytes.
 *
 * @example const { entries } = await inspectTarball(body, defaultArtifactLimits)
 */
export async function inspectTarball(
  source: Buffer | AsyncIterable<Buffer>,
  limits: ContentLimits,
  options: InspectOptions = {},
): Promise<TarballContents> {
  const walk = new TarWalk(limits, options.hashFiles ?? true);
  const hash = createHash('sha256');
  let compressed = 0;
  const counted = async function* () {
    for await (const chunk of inChunksOf(feedChunk, Buffer.isBuffer(source) ? [source] : source)) {
      hash.update(chunk);
      compressed += chunk.length;
      yield chunk;
    }
  };
  try {
    // Large output chunks: inflating in 16 KiB pieces costs three times as much CPU.
    const gunzip = createGunzip({ chunkSize: inflateChunk });
    // A few pieces read ahead: hashing the next one overlaps inflating this one.
    const feed = Readable.from(counted(), { highWaterMark: 2 });
    await pipeline(feed, gunzip, async (inflated) => {
      // bytesWritten: the compressed bytes gunzip consumed to produce what was inflated so far.
      for await (const chunk of inflated as AsyncIterable<Buffer>) {
        walk.write(chunk, gunzip.bytesWritten);
      }
    });
  } catch (error) {
    // Reading the source failed (a blob that is gone): not the archive's fault.
    if (error instanceof Error && 'syscall' in error) throw error;
    // The walk's own verdict wins over how the pipeline reports being torn down.
    if (compressed === 0) throw new InvalidArtifactError('empty', 'the upload is empty');
    throw walk.problem ?? asRejection(error);
  }
  return { ...(await walk.finish()), digest: `sha256:${hash.digest('hex')}` };
}

/** The tar side: counts and judges what gunzip produced, entry by entry. */
class TarWalk {
  private unpacked = 0;
  private count = 0;
  private sawEof = false;
  /** The first problem found: it wins over how the pipeline later reports being torn down. */
  problem: InvalidArtifactError | undefined;
  /** The start of a tar block not yet whole, held back from the parser. */
  private carry: Buffer | undefined;
  private readonly entries = new Map<string, ContentEntry>();
  private readonly symlinks = new Set<string>();
  private readonly parser: Parser;
  private readonly ended: Promise<void>;

  constructor(
    private readonly limits: ContentLimits,
    private readonly hashFiles: boolean,
  ) {
    this.parser = new Parser({ brotli: false, zstd: false });
    this.parser.on('entry', (entry: ReadEntry) => this.onEntry(entry));
    this.parser.on('eof', () => (this.sawEof = true));
    this.parser.on('warn', (code: string, message: string) => this.onWarn(code, message));
    this.ended = new Promise((resolve, reject) => {
      this.parser.on('end', resolve);
      this.parser.on('error', (error: Error) => reject(tarProblem(error.message)));
    });
    this.ended.catch(() => undefined);
  }

  write(chunk: Buffer, compressedSoFar: number): void {
    if (this.unpacked === 0 && gzipMagic.every((byte, i) => chunk[i] === byte)) {
      this.fail(new InvalidArtifactError('corrupt_tar', 'the tar stream is itself compressed'));
    }
    this.unpacked += chunk.length;
    if (this.unpacked > this.limits.maxUnpackedSize) {
      this.fail(
        new InvalidArtifactError(
          'unpacked_size_exceeded',
          `it unpacks to more than ${this.limits.maxUnpackedSize} bytes (artifacts.maxUnpackedSize)`,
        ),
      );
    }
    const ratio = this.unpacked / Math.max(compressedSoFar, 1);
    if (this.unpacked > ratioFloor && ratio > this.limits.maxRatio) {
      this.fail(
        new InvalidArtifactError(
          'ratio_exceeded',
          `it unpacks to more than ${this.limits.maxRatio} times its compressed size (artifacts.maxRatio)`,
        ),
      );
    }
    this.feed(chunk);
    this.check();
  }

  /**
   * Writes whole 512-byte tar blocks to the parser and keeps the rest for the next chunk: given a
   * chunk that ends mid-block, the parser would copy all of the next chunk to join the two.
   */
  private feed(chunk: Buffer): void {
    let at = 0;
    if (this.carry) {
      at = Math.min(tarBlock - this.carry.length, chunk.length);
      const block = Buffer.concat([this.carry, chunk.subarray(0, at)]);
      this.carry = undefined;
      if (block.length < tarBlock) {
        this.carry = block;
        return;
      }
      this.parser.write(block);
    }
    const whole = at + Math.floor((chunk.length - at) / tarBlock) * tarBlock;
    if (whole > at) this.parser.write(chunk.subarray(at, whole));
    if (whole < chunk.length) this.carry = chunk.subarray(whole);
  }

  async finish(): Promise<Omit<TarballContents, 'digest'>> {
    if (this.unpacked === 0) throw new InvalidArtifactError('empty', 'the archive is empty');
    if (this.carry) this.parser.write(this.carry);
    this.carry = undefined;
    this.parser.end();
    await this.ended;
    // Nothing but an end marker: tar calls that unrecognized; it is empty, as reported below.
    const onlyEnd = this.count === 0 && this.sawEof;
    if (onlyEnd && this.problem?.message.includes('Unrecognized archive format')) {
      this.problem = undefined;
    }
    this.check();
    if (!this.sawEof) {
      throw new InvalidArtifactError('truncated', 'the tar stream ends without its end marker');
    }
    const entries = [...this.entries.values()].sort((a, b) => compare(a.path, b.path));
    if (!entries.some((e) => e.kind === 'file')) {
      throw new InvalidArtifactError('empty', 'the archive holds no files');
    }
    return { entries, unpackedBytes: this.unpacked };
  }

  private onEntry(entry: ReadEntry): void {
    try {
      this.admit(entry);
    } catch (error) {
      entry.resume();
      this.problem ??= error as InvalidArtifactError;
    }
  }

  private admit(entry: ReadEntry): void {
    this.count += 1;
    if (this.count > this.limits.maxEntries) {
      throw new InvalidArtifactError(
        'too_many_entries',
        `it has more than ${this.limits.maxEntries} entries (artifacts.maxEntries)`,
      );
    }
    const path = safePath(entry.path);
    for (let parent = posix.dirname(path); parent !== '.'; parent = posix.dirname(parent)) {
      if (this.symlinks.has(parent)) {
        throw new InvalidArtifactError(
          'unsafe_path',
          `entry "${entry.path}" goes through the symlink "${parent}"`,
          entry.path,
        );
      }
    }
    switch (entry.type) {
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        return this.hashFile(entry, path);
      case 'Directory':
        if (path !== '') this.record({ path, kind: 'directory' });
        return void entry.resume();
      case 'SymbolicLink':
        return this.addSymlink(entry, path);
      case 'Link':
        return this.addHardlink(entry, path);
      default:
        throw new InvalidArtifactError(
          'special_file',
          `entry "${entry.path}" is a ${entry.type}; only files, folders and links are allowed`,
          entry.path,
        );
    }
  }

  private hashFile(entry: ReadEntry, path: string): void {
    if (path === '') throw new InvalidArtifactError('unsafe_path', 'a file without a name');
    const hash = this.hashFiles ? createHash('sha256') : undefined;
    entry.on('data', (chunk: Buffer) => hash?.update(chunk));
    entry.on('end', () =>
      this.record({ path, kind: 'file', size: entry.size, sha256: hash?.digest('hex') ?? '' }),
    );
  }

  private addSymlink(entry: ReadEntry, path: string): void {
    const target = entry.linkpath ?? '';
    const resolved = posix.normalize(posix.join(posix.dirname(path), target));
    if (target.startsWith('/') || resolved === '..' || resolved.startsWith('../')) {
      throw new InvalidArtifactError(
        'link_outside',
        `symlink "${entry.path}" points to "${target}", outside the archive`,
        entry.path,
      );
    }
    this.symlinks.add(path);
    this.record({ path, kind: 'symlink', target });
    entry.resume();
  }

  private addHardlink(entry: ReadEntry, path: string): void {
    const target = entry.linkpath ?? '';
    const linked = isSafe(target) ? this.entries.get(safePath(target)) : undefined;
    if (linked?.kind !== 'file') {
      throw new InvalidArtifactError(
        'link_outside',
        `hardlink "${entry.path}" points to "${target}", which is not a file earlier in the archive`,
        entry.path,
      );
    }
    this.record({ ...linked, path });
    entry.resume();
  }

  private record(entry: ContentEntry): void {
    this.symlinks.delete(entry.path);
    if (entry.kind === 'symlink') this.symlinks.add(entry.path);
    this.entries.set(entry.path, entry);
  }

  private onWarn(code: string, message: string): void {
    this.problem ??= /truncated/i.test(message)
      ? new InvalidArtifactError('truncated', 'the tar stream is cut short')
      : tarProblem(`${code}: ${message}`);
  }

  private check(): void {
    if (this.problem) throw this.problem;
  }

  private fail(problem: InvalidArtifactError): never {
    this.problem = problem;
    throw problem;
  }
}

/** `./a//b/` → `a/b`; throws for absolute paths and `..` segments. */
function safePath(raw: string): string {
  if (!isSafe(raw)) {
    throw new InvalidArtifactError(
      'unsafe_path',
      `entry "${raw}" would be written outside the release folder`,
      raw,
    );
  }
  return raw
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

function isSafe(raw: string): boolean {
  return !raw.startsWith('/') && !/^[A-Za-z]:/.test(raw) && !raw.split('/').includes('..');
}

function tarProblem(message: string): InvalidArtifactError {
  return new InvalidArtifactError('corrupt_tar', `not a valid tar stream (${message})`);
}

function asRejection(error: unknown): unknown {
  if (error instanceof InvalidArtifactError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'Z_BUF_ERROR') {
    return new InvalidArtifactError('truncated', 'the gzip stream is cut short');
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new InvalidArtifactError(
      'corrupt_gzip',
      `not a valid gzip stream (${(error as Error).message})`,
    );
  }
  return error;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
