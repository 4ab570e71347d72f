import { Buffer } from 'node:buffer';
import { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/**
 * Socket reads and writes for the router's hot path without the stream machinery of
 * `net.Socket` in between: a write goes straight to the socket's libuv handle, as `net.Socket`
 * itself does once its Writable state has decided to send (`writeGeneric` in Node's
 * `stream_base_commons`), and an accepted socket reads into one caller's buffer, as a socket
 * connected with the `onread` option does. Both use the same handle methods Node's own `net`
 * uses; where Node does not offer them (another runtime, another version), every call falls back
 * to the stream and nothing else changes.
 *
 * Order is kept: libuv writes a handle's requests in the order they were made, and a write that
 * would overtake bytes still queued in the socket's Writable state goes through the stream
 * behind them instead.
 */

/** The libuv stream handle's methods (Node's `StreamBase`) these functions call. */
interface StreamHandle {
  writeBuffer(req: WriteRequest, data: Buffer): number;
  writeLatin1String(req: WriteRequest, data: string): number;
  useUserBuffer?(buffer: Buffer): void;
}

interface WriteRequest {
  handle: StreamHandle;
  oncomplete: (this: WriteRequest, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Buffer | string | null;
  writer: DirectWriter | undefined;
}

interface StreamWrapBinding {
  readonly WriteWrap: new () => WriteRequest;
  readonly streamBaseState: Int32Array;
  readonly kLastWriteWasAsync: number;
}

type HandleSocket = Socket & { _handle?: StreamHandle | null } & Record<symbol, unknown>;

/** The symbols under which `net.Socket` keeps its `onread` buffer and callback. */
interface ReadSymbols {
  readonly buffer: symbol;
  readonly callback: symbol;
  readonly generator: symbol;
}

const binding = loadBinding();
/** A write request to reuse: see {@link DirectWriter.write}. */
let spareRequest: WriteRequest | undefined;
const readSymbols = findReadSymbols();

/** Direct writes and reads are available in this Node. */
export const directIoAvailable = binding !== undefined && readSymbols !== undefined;

/**
 * Writes to one socket, straight to its handle when nothing waits in its stream. `onDrain` is
 * called once every write that could not complete at once is out (as the stream's `drain`).
 */
export class DirectWriter {
  /** Writes handed to libuv that are not complete yet. */
  private queued = 0;
  /** The socket's libuv handle, once connected. */
  private handle: StreamHandle | undefined;

  constructor(
    readonly socket: Socket,
    private readonly onDrain: () => void,
    /** false: every write goes through the stream (the fallback, also for tests). */
    private readonly direct = binding !== undefined,
  ) {}

  /** Writes `data` (a string as latin1); false when some of it waits in a queue. */
  write(data: Buffer | string): boolean {
    const socket = this.socket as HandleSocket;
    // The handle a socket has once connected stays its own until it is destroyed (checked
    // below): read once, as `_handle` is a getter whose lookup costs more than the write's checks.
    // So a writer is for a socket that connects once, as every socket of the router does (an
    // accepted one, or one from net.connect); a socket connected again needs a new writer.
    let handle = this.handle;
    if (handle === undefined && !socket.connecting) {
      handle = socket._handle ?? undefined;
      this.handle = handle;
    }
    if (
      !this.direct ||
      binding === undefined ||
      handle === undefined ||
      socket.destroyed ||
      socket.writableLength > 0 ||
      !socket.writable
    ) {
      return typeof data === 'string' ? socket.write(data, 'latin1') : socket.write(data);
    }
    // A request object whose write completed at once is left as it was by Node (its C++ side
    // is only made for a write that waits), so the next write reuses it.
    const req = spareRequest ?? new binding.WriteWrap();
    spareRequest = undefined;
    req.handle = handle;
    req.oncomplete = onWriteComplete;
    req.async = false;
    req.bytes = 0;
    req.buffer = null;
    req.writer = this;
    const error =
      typeof data === 'string'
        ? handle.writeLatin1String(req, data)
        : handle.writeBuffer(req, data);
    if (error !== 0) {
      socket.destroy(writeError(error));
      return false;
    }
    if (binding.streamBaseState[binding.kLastWriteWasAsync] === 0) {
      req.writer = undefined;
      spareRequest = req;
      return true;
    }
    // The rest is in libuv's queue: the bytes must live until it is written.
    req.async = true;
    req.buffer = data;
    this.queued++;
    return false;
  }

  /** Every write handed to libuv is complete. */
  get drained(): boolean {
    return this.queued === 0;
  }

  /** @internal from {@link onWriteComplete}. */
  completed(status: number): void {
    this.queued--;
    if (status < 0) {
      this.socket.destroy(writeError(status));
      return;
    }
    if (this.queued === 0) this.onDrain();
  }
}

function onWriteComplete(this: WriteRequest, status: number): void {
  this.buffer = null;
  this.writer?.completed(status);
}

/**
 * Makes an accepted socket read into `buffer` and call `onRead(bytes)` for each read, as a
 * socket created with `onread` does: no Buffer and no stream event per read. Returning false
 * from `onRead` pauses reading until `socket.resume()`. The end of the stream and errors still
 * arrive as the socket's `end` and `error` events. Call it in the `connection` listener, before
 * the first read. Returns false, changing nothing, where Node offers no such read.
 */
export function readIntoBuffer(
  socket: Socket,
  buffer: Buffer,
  onRead: (bytes: number) => boolean,
): boolean {
  const handleSocket = socket as HandleSocket;
  const handle = handleSocket._handle;
  if (readSymbols === undefined || handle?.useUserBuffer === undefined) return false;
  handleSocket[readSymbols.buffer] = buffer;
  handleSocket[readSymbols.callback] = onRead;
  handleSocket[readSymbols.generator] = null;
  handle.useUserBuffer(buffer);
  return true;
}

function loadBinding(): StreamWrapBinding | undefined {
  try {
    // `process.binding` is deprecated (DEP0111) but kept, without a warning, in Node 20 to 24.
    const loaded = (process as unknown as { binding(name: string): unknown }).binding(
      'stream_wrap',
    ) as Partial<StreamWrapBinding>;
    if (
      typeof loaded.WriteWrap !== 'function' ||
      !(loaded.streamBaseState instanceof Int32Array) ||
      typeof loaded.kLastWriteWasAsync !== 'number'
    ) {
      return undefined;
    }
    return loaded as StreamWrapBinding;
  } catch {
    return undefined;
  }
}

/** The symbols are net's own: read off a socket made with `onread`, never connected. */
function findReadSymbols(): ReadSymbols | undefined {
  // `onread` is a documented option of net.connect, typed there but not on the constructor.
  const options = { onread: { buffer: Buffer.alloc(1), callback: () => true } };
  const probe = new Socket(options as ConstructorParameters<typeof Socket>[0]) as HandleSocket;
  const byName = new Map(Object.getOwnPropertySymbols(probe).map((s) => [s.description, s]));
  probe.destroy();
  const buffer = byName.get('kBuffer');
  const callback = byName.get('kBufferCb');
  const generator = byName.get('kBufferGen');
  if (buffer === undefined || callback === undefined || generator === undefined) return undefined;
  return { buffer, callback, generator };
}

function writeError(status: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(status);
  const error: NodeJS.ErrnoException = new Error(`write ${code}`);
  error.code = code;
  error.errno = status;
  error.syscall = 'write';
  return error;
}
