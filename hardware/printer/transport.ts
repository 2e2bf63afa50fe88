/**
 * A two-way byte link to a receipt printer, opened once per job: write the job, read the
 * printer's real-time status answers (DLE EOT), close. Three kinds of link:
 *
 * - 'tcp': a network printer's raw port (9100) through node:net. node-thermal-printer's own
 *   Network interface is not used for jobs: it opens a new socket for every `execute()` and,
 *   with `waitForResponse`, resolves on the first data chunk and destroys the socket, so it
 *   cannot ask the status before a job and again after it on the same connection, nor collect
 *   an answer that arrives split across chunks.
 * - 'serial': an RS-232 or USB-serial printer through serialport.
 * - 'device': a device file such as /dev/usb/lp0 (or a pty), opened read-write through
 *   node:fs. It is opened non-blocking and polled: a blocking read on a device that never
 *   answers would hold one of libuv's four pool threads until it did, and could not be
 *   cancelled by a timeout.
 *
 * Every failure is a `PrinterTransportError` whose `kind` the print driver turns into a
 * problem: 'unreachable' (could not open, or the link went away), 'timeout' (the printer did
 * not take or give bytes in time), 'failed' (anything else, e.g. permission denied).
 *
 * `thermalPrinterInterface` adapts a config to node-thermal-printer's interface object
 * (`isPrinterConnected()` + `execute(buffer)`) for code that drives a `ThermalPrinter` directly.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import net from 'node:net';
import { SerialPort } from 'serialport';

export type PrinterInterfaceConfig =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number } // network printers, raw port 9100
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: 9600 | 19200 | 38400 | 115200 }
  | { readonly kind: 'device'; readonly path: string }; // a device file, e.g. /dev/usb/lp0 (read+write)

export type TransportErrorKind = 'unreachable' | 'timeout' | 'failed';

export class PrinterTransportError extends Error {
  override readonly name = 'PrinterTransportError';
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    /** The OS error code (ECONNREFUSED, ENOENT, …) when there was one. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export interface PrinterConnection {
  /** For log lines: "tcp 10.0.0.5:9100", "serial /dev/ttyUSB0 @ 9600", "device /dev/usb/lp0". */
  readonly description: string;
  /** Resolves once the bytes are handed to the OS (socket, tty or device driver). */
  write(bytes: Uint8Array, timeoutMs: number): Promise<void>;
  /** Exactly `count` answer bytes, in the order they came, however they were split. */
  read(count: number, timeoutMs: number): Promise<Uint8Array>;
  /** Bytes received and not read yet. */
  pending(): number;
  /**
   * Bytes that were waiting on a device link when it was opened (late answers to an earlier
   * connection's requests): dropped at open so they cannot pass for this connection's
   * answers, and counted so the driver can say so. Serial links drop them too, uncounted.
   */
  readonly staleBytes: number;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** How long opening (connecting) may take. */
  readonly timeoutMs: number;
}

export function describeInterface(config: PrinterInterfaceConfig): string {
  switch (config.kind) {
    case 'tcp':
      return `tcp ${config.host}:${config.port}`;
    case 'serial':
      return `serial ${config.path} @ ${config.baudRate}`;
    case 'device':
      return `device ${config.path}`;
  }
}

export function openPrinterConnection(config: PrinterInterfaceConfig, options: TransportOptions): Promise<PrinterConnection> {
  switch (config.kind) {
    case 'tcp':
      return openTcp(config, options);
    case 'serial':
      return openSerial(config, options);
    case 'device':
      return openDevice(config, options);
  }
}

// Codes that mean "no printer there (any more)": the UI tells the clerk to check the cable,
// the power or the address, not to call support.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
  'ENXIO',
  'ENODEV',
  'EIO',
]);

function errorCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** serialport's native errors carry no code, only strerror text in the message. */
function serialErrorCode(error: unknown): string | null {
  const code = errorCode(error);
  if (code !== null) return code;
  const message = messageOf(error);
  if (/No such file or directory/i.test(message)) return 'ENOENT';
  if (/Permission denied/i.test(message)) return 'EACCES';
  if (/Resource busy|Device or resource busy/i.test(message)) return 'EBUSY';
  if (/Input\/output error/i.test(message)) return 'EIO';
  if (/No such device/i.test(message)) return 'ENXIO';
  return null;
}

export function transportErrorOf(error: unknown, what: string, code = errorCode(error)): PrinterTransportError {
  if (error instanceof PrinterTransportError) return error;
  const kind: TransportErrorKind = code !== null && UNREACHABLE_CODES.has(code) ? 'unreachable' : 'failed';
  return new PrinterTransportError(kind, `${what}: ${messageOf(error)}`, code);
}

/**
 * Received bytes waiting to be read, and the one read waiting for them. Reads are served in
 * order from one buffer, so answers split across chunks (or several in one chunk) come out
 * the same.
 */
class Inbox {
  private buffer: Uint8Array = new Uint8Array(0);
  private ended: PrinterTransportError | null = null;
  private waiter: { count: number; resolve: (bytes: Uint8Array) => void; reject: (error: PrinterTransportError) => void; timer: NodeJS.Timeout } | null =
    null;

  constructor(private readonly description: string) {}

  get size(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const next = new Uint8Array(this.buffer.length + chunk.length);
    next.set(this.buffer);
    next.set(chunk, this.buffer.length);
    this.buffer = next;
    this.settle();
  }

  /** The link is gone: a waiting read fails with `error`, and so does every later one. */
  end(error: PrinterTransportError): void {
    if (this.ended !== null) return;
    this.ended = error;
    const waiter = this.waiter;
    if (waiter === null) return;
    this.waiter = null;
    clearTimeout(waiter.timer);
    waiter.reject(this.shortBy(waiter.count, error));
  }

  take(count: number, timeoutMs: number): Promise<Uint8Array> {
    if (!Number.isInteger(count) || count < 1) return Promise.reject(new RangeError(`read: count must be a whole number >= 1, got ${count}`));
    if (this.waiter !== null) return Promise.reject(new PrinterTransportError('failed', `${this.description}: a read is already waiting`));
    if (this.buffer.length >= count) return Promise.resolve(this.cut(count));
    if (this.ended !== null) return Promise.reject(this.shortBy(count, this.ended));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(
          new PrinterTransportError('timeout', `${this.description}: ${this.buffer.length} of ${count} answer bytes within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.waiter = { count, resolve, reject, timer };
    });
  }

  private settle(): void {
    const waiter = this.waiter;
    if (waiter === null || this.buffer.length < waiter.count) return;
    this.waiter = null;
    clearTimeout(waiter.timer);
    waiter.resolve(this.cut(waiter.count));
  }

  private cut(count: number): Uint8Array {
    const out = this.buffer.slice(0, count);
    this.buffer = this.buffer.slice(count);
    return out;
  }

  private shortBy(count: number, error: PrinterTransportError): PrinterTransportError {
    return new PrinterTransportError(error.kind, `${error.message} (${this.buffer.length} of ${count} answer bytes had come)`, error.code);
  }
}

/**
 * Rejects with a 'timeout' error unless `promise` settles within `ms`. `late` gets a value
 * that comes after the timeout (an open that finally succeeded), so it can be closed.
 */
function within<T>(promise: Promise<T>, ms: number, what: string, late: (value: T) => void = () => undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new PrinterTransportError('timeout', `${what}: not done within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) late(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof PrinterTransportError ? error : transportErrorOf(error, what));
      },
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------- TCP

const TCP_CLOSE_GRACE_MS = 2000;

async function openTcp(config: Extract<PrinterInterfaceConfig, { kind: 'tcp' }>, options: TransportOptions): Promise<PrinterConnection> {
  const description = describeInterface(config);
  const socket = new net.Socket();
  const inbox = new Inbox(description);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new PrinterTransportError('unreachable', `${description}: no connection within ${options.timeoutMs} ms`, 'ETIMEDOUT'));
    }, options.timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(transportErrorOf(error, `${description}: cannot connect`));
    });
    socket.connect({ host: config.host, port: config.port }, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve();
    });
  });
  // Status requests are 3 bytes; Nagle would hold one back until the job's last segment is acked.
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => inbox.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  socket.on('error', (error) => inbox.end(transportErrorOf(error, `${description}: connection lost`)));
  socket.on('end', () => inbox.end(new PrinterTransportError('unreachable', `${description}: the printer closed the connection`)));
  socket.on('close', () => inbox.end(new PrinterTransportError('unreachable', `${description}: connection closed`)));

  return {
    description,
    staleBytes: 0,
    pending: () => inbox.size,
    read: (count, timeoutMs) => inbox.take(count, timeoutMs),
    write: (bytes, timeoutMs) => {
      if (socket.destroyed || !socket.writable) {
        return Promise.reject(new PrinterTransportError('unreachable', `${description}: connection is closed`));
      }
      return within(
        new Promise<void>((resolve, reject) => {
          socket.write(bytes, (error) => (error ? reject(transportErrorOf(error, `${description}: write failed`)) : resolve()));
        }),
        timeoutMs,
        `${description}: sending ${bytes.length} bytes`,
      );
    },
    close: () => {
      if (socket.destroyed) return Promise.resolve();
      // end() sends the FIN after every queued byte; waiting for the printer's own FIN would
      // hold the caller as long as a hung printer likes, so the socket is left half-closed
      // and destroyed after a grace (by then the printer has everything, or never will).
      return new Promise<void>((resolve) => {
        const grace = setTimeout(() => socket.destroy(), TCP_CLOSE_GRACE_MS);
        grace.unref();
        socket.once('close', () => {
          clearTimeout(grace);
          resolve();
        });
        socket.end(() => resolve());
      });
    },
  };
}

// ------------------------------------------------------------------------------- serial

async function openSerial(config: Extract<PrinterInterfaceConfig, { kind: 'serial' }>, options: TransportOptions): Promise<PrinterConnection> {
  const description = describeInterface(config);
  const inbox = new Inbox(description);
  const port = new SerialPort({ path: config.path, baudRate: config.baudRate, autoOpen: false });
  const what = `${description}: cannot open`;
  await within(
    new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(transportErrorOf(error, what, serialErrorCode(error))) : resolve()))),
    options.timeoutMs,
    what,
    () => port.close(),
  ).catch((error: unknown) => {
    const failure = transportErrorOf(error, what, serialErrorCode(error));
    // A port that never opened is unreachable whatever strerror said (e.g. a USB adapter
    // unplugged between the list and the open), unless the OS refused us outright.
    throw failure.kind !== 'unreachable' && failure.code !== 'EACCES' && failure.code !== 'EBUSY'
      ? new PrinterTransportError('unreachable', failure.message, failure.code)
      : failure;
  });
  // Drop answers a printer sent to an earlier connection after it had given up on them
  // (possible on a pty; a real UART discards what comes while the port is closed). tcflush
  // does not say how many bytes it dropped, so a serial link reports none.
  await new Promise<void>((resolve) => port.flush(() => resolve()));
  port.on('data', (chunk: Buffer) => inbox.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  port.on('error', (error: Error) => inbox.end(transportErrorOf(error, `${description}: port error`, serialErrorCode(error))));
  port.on('close', (error: (Error & { disconnected?: boolean }) | null) => {
    inbox.end(
      new PrinterTransportError('unreachable', `${description}: ${error?.disconnected === true ? 'the port disconnected' : 'port closed'}`, error ? 'EIO' : null),
    );
  });

  return {
    description,
    staleBytes: 0,
    pending: () => inbox.size,
    read: (count, timeoutMs) => inbox.take(count, timeoutMs),
    write: (bytes, timeoutMs) => {
      if (!port.isOpen) return Promise.reject(new PrinterTransportError('unreachable', `${description}: port is closed`));
      return within(
        new Promise<void>((resolve, reject) => {
          port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (error: Error | null | undefined) => {
            if (error) reject(transportErrorOf(error, `${description}: write failed`, serialErrorCode(error)));
          });
          // drain: the bytes have left serialport's queue and the OS has sent them (tcdrain).
          port.drain((error) => (error ? reject(transportErrorOf(error, `${description}: write failed`, serialErrorCode(error))) : resolve()));
        }),
        timeoutMs,
        `${description}: sending ${bytes.length} bytes`,
      );
    },
    close: async () => {
      port.removeAllListeners('data');
      if (!port.isOpen) return;
      await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}

// ------------------------------------------------------------------------------- device

const DEVICE_POLL_MS = 5;

function isAgain(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EAGAIN' || code === 'EWOULDBLOCK';
}

async function openDevice(config: Extract<PrinterInterfaceConfig, { kind: 'device' }>, options: TransportOptions): Promise<PrinterConnection> {
  const description = describeInterface(config);
  const inbox = new Inbox(description);
  // O_NOCTTY: a pty (or a serial tty used as a device) must not become our controlling terminal.
  const flags = fsConstants.O_RDWR | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY;
  const handle = await within(fsp.open(config.path, flags), options.timeoutMs, `${description}: cannot open`, (late) => void late.close()).catch((error: unknown) => {
    const failure = transportErrorOf(error, `${description}: cannot open`);
    // A device that does not even open in time (a hung USB printer) is as good as absent.
    throw failure.kind === 'timeout' ? new PrinterTransportError('unreachable', failure.message, 'ETIMEDOUT') : failure;
  });
  let open = true;
  const scratch = new Uint8Array(4096);

  const readAvailable = async (): Promise<Uint8Array> => {
    try {
      const { bytesRead } = await handle.read(scratch, 0, scratch.length, null);
      return scratch.slice(0, bytesRead);
    } catch (error) {
      if (isAgain(error)) return new Uint8Array(0);
      throw error;
    }
  };

  let stale = 0;
  try {
    for (let chunk = await readAvailable(); chunk.length > 0; chunk = await readAvailable()) stale += chunk.length;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw transportErrorOf(error, `${description}: cannot read`);
  }

  // A regular file (or a printer that never answers) reads 0 bytes: not an end, just silence,
  // which the driver reports as no answer.
  const poller = (async () => {
    while (open) {
      try {
        const chunk = await readAvailable();
        if (chunk.length > 0) {
          inbox.push(chunk);
          continue;
        }
      } catch (error) {
        if (open) inbox.end(transportErrorOf(error, `${description}: read failed`));
        return;
      }
      await sleep(DEVICE_POLL_MS);
    }
  })();

  let writing: Promise<void> = Promise.resolve();
  return {
    description,
    staleBytes: stale,
    pending: () => inbox.size,
    read: (count, timeoutMs) => inbox.take(count, timeoutMs),
    write: (bytes, timeoutMs) => {
      if (!open) return Promise.reject(new PrinterTransportError('unreachable', `${description}: device is closed`));
      const deadline = Date.now() + timeoutMs;
      const run = async (): Promise<void> => {
        let at = 0;
        while (at < bytes.length) {
          if (!open) throw new PrinterTransportError('unreachable', `${description}: device closed after ${at} of ${bytes.length} bytes`);
          try {
            const { bytesWritten } = await handle.write(bytes, at, bytes.length - at, null);
            at += bytesWritten;
            if (bytesWritten > 0) continue;
          } catch (error) {
            if (!isAgain(error)) throw transportErrorOf(error, `${description}: write failed after ${at} of ${bytes.length} bytes`);
          }
          // The device's buffer is full (a busy printer, a pty nobody reads): wait for room.
          if (Date.now() > deadline) {
            throw new PrinterTransportError('timeout', `${description}: ${at} of ${bytes.length} bytes taken within ${timeoutMs} ms`);
          }
          await sleep(DEVICE_POLL_MS);
        }
      };
      writing = writing.then(run, run);
      return writing;
    },
    close: async () => {
      if (!open) return;
      open = false;
      inbox.end(new PrinterTransportError('unreachable', `${description}: device closed`));
      await writing.catch(() => undefined);
      await poller;
      await handle.close().catch(() => undefined);
    },
  };
}

// ------------------------------------------------------------ node-thermal-printer shim

/** The shape node-thermal-printer accepts as `interface` (lib/interfaces/index.js passes objects through). */
export interface ThermalPrinterInterface {
  getPrinterName(): string;
  isPrinterConnected(): Promise<boolean>;
  execute(buffer: Buffer | Uint8Array): Promise<string>;
}

/**
 * For a `ThermalPrinter` that should send through our transports (serial and device files
 * included, which node-thermal-printer cannot read from). Fire and forget, like its own
 * interfaces: no status is asked. The print driver is the way to print with status.
 */
export function thermalPrinterInterface(config: PrinterInterfaceConfig, options: { readonly timeoutMs?: number } = {}): ThermalPrinterInterface {
  const timeoutMs = options.timeoutMs ?? 2000;
  return {
    getPrinterName: () => describeInterface(config),
    isPrinterConnected: async () => {
      try {
        const connection = await openPrinterConnection(config, { timeoutMs });
        await connection.close();
        return true;
      } catch {
        return false;
      }
    },
    execute: async (buffer) => {
      const connection = await openPrinterConnection(config, { timeoutMs });
      try {
        await connection.write(buffer, timeoutMs + writeBudgetMs(config, buffer.length));
      } finally {
        await connection.close();
      }
      return `Sent ${buffer.length} bytes to ${connection.description}`;
    },
  };
}

/**
 * Extra time a write of `bytes` may take on top of the base timeout. On a serial line it is
 * the time the bytes take on the wire (10 bits a byte), twice over for slack; elsewhere a
 * printer takes data about as fast as it prints it once its buffer is full, and 20 kB/s is
 * below what a slow thermal printer prints raster at.
 */
export function writeBudgetMs(config: PrinterInterfaceConfig, bytes: number): number {
  switch (config.kind) {
    case 'serial':
      return Math.ceil(((bytes * 10) / config.baudRate) * 1000 * 2);
    case 'tcp':
    case 'device':
      return Math.ceil((bytes / 20_000) * 1000);
  }
}
