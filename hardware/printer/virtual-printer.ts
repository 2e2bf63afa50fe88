/**
 * A virtual receipt printer for tests and the demo: keeps every byte it is sent, splits them
 * into jobs, and answers DLE EOT n real-time status requests as a printer in the chosen state
 * would. Two ways in:
 *
 * - `startVirtualPrinter`: a network printer on 127.0.0.1 (like a printer's raw port 9100);
 *   a job is one connection.
 * - `startVirtualSerialPrinter`: a serial printer on one end of a socat pty pair; the host
 *   opens the other end (`path`) as a serial port or a device file. A line has no
 *   connections, so a job is a run of bytes ended by `idleMs` of silence.
 *
 * States:
 * - 'ok', 'paper-out', 'cover-open', 'offline': bytes are captured and status requests
 *   answered with the bytes in status.ts (statusAnswersFor).
 * - 'stalled': nothing is read or answered (the socket or port is paused, so back-pressure
 *   builds up as with a hung printer). Leaving 'stalled' resumes reading and answers
 *   whatever was waiting.
 *
 * `setStateAfter(n, state)` switches the state once n more bytes have been processed, at that
 * byte: a status request after it gets the new answers (a printer running out of paper while
 * a job comes in).
 *
 * `columns` is the paper width the printer stands for, for whoever renders its jobs (a
 * preview); the printer itself does not wrap or check widths.
 */
import net from 'node:net';
import { SerialPort } from 'serialport';
import type { PaperColumns } from '../../core/receipt/layout.js';
import { startSocat, type SocatPair } from '../emulator/socat.js';
import { DLE, EOT, STATUS_REQUEST } from './escpos.js';
import { commandLength, decodeEscPos, summarizeEscPos, type EscPosEvent, type ReceiptSummary } from './escpos-decode.js';
import { statusAnswersFor, type PrinterCondition } from './status.js';

export { decodeEscPos, summarizeEscPos, type EscPosEvent, type ReceiptSummary } from './escpos-decode.js';

export type VirtualPrinterState = PrinterCondition | 'stalled';

export interface CapturedJob {
  /** 1, 2, … in the order jobs started. */
  readonly id: number;
  readonly bytes: Uint8Array;
  /** The job is complete (its connection closed, or its line went quiet). */
  readonly closed: boolean;
  readonly events: EscPosEvent[];
  readonly summary: ReceiptSummary;
}

export interface VirtualPrinterOptions {
  /** Paper width in columns (default 48), for a preview of the jobs. */
  readonly columns?: PaperColumns;
  /** Called once for each job when it is complete. */
  readonly onJob?: (job: CapturedJob) => void;
}

export interface VirtualPrinterControl {
  readonly columns: PaperColumns;
  jobs(): CapturedJob[];
  state(): VirtualPrinterState;
  setState(state: VirtualPrinterState): void;
  /** Test hook: once `bytes` more bytes have been processed, the state becomes `state`. */
  setStateAfter(bytes: number, state: VirtualPrinterState): void;
  /** Forget complete jobs and the bytes captured so far on open ones. */
  clear(): void;
  /** Forget complete jobs only (a long-running demo keeps what it showed, not every byte). */
  forgetComplete(): void;
  /** The complete jobs, once there are at least `count` of them; rejects after `timeoutMs`. */
  waitForJobs(count: number, timeoutMs?: number): Promise<CapturedJob[]>;
  close(): Promise<void>;
}

export interface VirtualPrinter extends VirtualPrinterControl {
  readonly port: number;
}

export interface VirtualSerialPrinter extends VirtualPrinterControl {
  /** The pty the host opens, as a serial port or a device file. */
  readonly path: string;
}

interface Session {
  readonly id: number;
  bytes: Buffer;
  /** Offset up to which the stream was scanned for status requests. */
  scanned: number;
  closed: boolean;
  reply(bytes: Uint8Array): void;
}

function snapshot(session: Session): CapturedJob {
  const bytes = Uint8Array.from(session.bytes);
  const events = decodeEscPos(bytes);
  return { id: session.id, bytes, closed: session.closed, events, summary: summarizeEscPos(events) };
}

/** What both ways in share: sessions, the state, status answers and job bookkeeping. */
class PrinterCore {
  private current: VirtualPrinterState = 'ok';
  private flip: { after: number; state: VirtualPrinterState } | null = null;
  /** Bytes processed since the last setStateAfter. */
  private counted = 0;
  private nextId = 1;
  sessions: Session[] = [];
  private readonly waiters = new Set<() => void>();
  /** The transport pauses or resumes its input when stalling starts or ends. */
  onStall: (stalled: boolean) => void = () => undefined;

  constructor(
    readonly columns: PaperColumns,
    private readonly onJob: ((job: CapturedJob) => void) | undefined,
  ) {}

  get state(): VirtualPrinterState {
    return this.current;
  }

  open(reply: (bytes: Uint8Array) => void): Session {
    const session: Session = { id: this.nextId++, bytes: Buffer.alloc(0), scanned: 0, closed: false, reply };
    this.sessions.push(session);
    return session;
  }

  receive(session: Session, chunk: Buffer): void {
    session.bytes = Buffer.concat([session.bytes, chunk]);
    this.process(session);
  }

  finish(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    this.onJob?.(snapshot(session));
    for (const wake of [...this.waiters]) wake();
  }

  setState(next: VirtualPrinterState): void {
    const was = this.current;
    this.current = next;
    if (was === 'stalled' && next !== 'stalled') {
      this.onStall(false);
      for (const session of this.sessions) if (!session.closed) this.process(session);
    } else if (was !== 'stalled' && next === 'stalled') {
      this.onStall(true);
    }
  }

  setStateAfter(bytes: number, state: VirtualPrinterState): void {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`setStateAfter: bytes must be a whole number >= 0, got ${bytes}`);
    this.counted = 0;
    this.flip = { after: bytes, state };
    this.applyFlip();
  }

  private applyFlip(): void {
    if (this.flip !== null && this.counted >= this.flip.after) {
      const { state } = this.flip;
      this.flip = null;
      this.setState(state);
    }
  }

  private process(session: Session): void {
    // Answers to the requests in one chunk go out together, as from a printer's firmware.
    const replies: number[] = [];
    let at = session.scanned;
    while (at < session.bytes.length) {
      this.applyFlip();
      if (this.current === 'stalled' || session.closed) break;
      const len = commandLength(session.bytes, at);
      if (len === 'incomplete') break; // wait for the rest of the command
      const step = len === 'unknown' ? 1 : len;
      if (len !== 'unknown' && session.bytes[at] === DLE && session.bytes[at + 1] === EOT) {
        const answers = statusAnswersFor(this.current);
        const n = session.bytes[at + 2];
        // Other n (3, 7, 8, 18 on some models) go unanswered, as on a printer without them.
        const reply =
          n === STATUS_REQUEST.PRINTER ? answers.printer : n === STATUS_REQUEST.OFFLINE_CAUSE ? answers.offlineCause : n === STATUS_REQUEST.PAPER_ROLL ? answers.paperRoll : undefined;
        if (reply !== undefined) replies.push(reply);
      }
      at += step;
      this.counted += step;
    }
    session.scanned = at;
    if (replies.length > 0) session.reply(Uint8Array.from(replies));
    this.applyFlip();
  }

  jobs(): CapturedJob[] {
    return this.sessions.map(snapshot);
  }

  forgetComplete(): void {
    this.sessions = this.sessions.filter((s) => !s.closed);
  }

  clear(): void {
    this.sessions = this.sessions.filter((s) => !s.closed);
    for (const session of this.sessions) {
      session.bytes = Buffer.alloc(0);
      session.scanned = 0;
    }
  }

  waitForJobs(count: number, timeoutMs: number): Promise<CapturedJob[]> {
    return new Promise((resolve, reject) => {
      const done = (): CapturedJob[] | null => {
        const closed = this.sessions.filter((s) => s.closed);
        return closed.length >= count ? closed.map(snapshot) : null;
      };
      const ready = done();
      if (ready !== null) {
        resolve(ready);
        return;
      }
      const wake = (): void => {
        const jobs = done();
        if (jobs === null) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(jobs);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        const have = this.sessions.filter((s) => s.closed).length;
        reject(new Error(`virtual printer: ${have} of ${count} jobs complete within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  control(close: () => Promise<void>): VirtualPrinterControl {
    return {
      columns: this.columns,
      jobs: () => this.jobs(),
      state: () => this.current,
      setState: (next) => this.setState(next),
      setStateAfter: (bytes, next) => this.setStateAfter(bytes, next),
      clear: () => this.clear(),
      forgetComplete: () => this.forgetComplete(),
      waitForJobs: (count, timeoutMs = 5000) => this.waitForJobs(count, timeoutMs),
      close,
    };
  }
}

export async function startVirtualPrinter(options: VirtualPrinterOptions & { readonly port?: number } = {}): Promise<VirtualPrinter> {
  const core = new PrinterCore(options.columns ?? 48, options.onJob);
  const sockets = new Map<Session, net.Socket>();
  core.onStall = (stalled) => {
    for (const [session, socket] of sockets) {
      if (session.closed) continue;
      if (stalled) socket.pause();
      else socket.resume();
    }
  };

  const server = net.createServer((socket) => {
    const session = core.open((bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    });
    sockets.set(session, socket);
    // Answers are a byte or three; Nagle would hold them for the client's delayed ack.
    socket.setNoDelay(true);
    if (core.state === 'stalled') socket.pause();
    socket.on('data', (chunk: Buffer) => core.receive(session, chunk));
    socket.on('close', () => {
      sockets.delete(session);
      core.finish(session);
    });
    // A client resetting the connection is normal for a printer; the job keeps what came.
    socket.on('error', () => undefined);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('virtual printer: no TCP address');

  const close = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      for (const socket of sockets.values()) socket.destroy();
      server.close((err) => (err ? reject(err) : resolve()));
    });
  return { port: address.port, ...core.control(close) };
}

export interface VirtualSerialPrinterOptions extends VirtualPrinterOptions {
  /** Silence that ends a job on the line (default 150 ms). */
  readonly idleMs?: number;
  /** Where socat's links go (default: a new temp dir). */
  readonly socatDir?: string;
}

/** Needs /usr/bin/socat (see hardware/emulator/socat.ts, `socatAvailable`). */
export async function startVirtualSerialPrinter(options: VirtualSerialPrinterOptions = {}): Promise<VirtualSerialPrinter> {
  const core = new PrinterCore(options.columns ?? 48, options.onJob);
  const idleMs = options.idleMs ?? 150;
  const pair: SocatPair = await startSocat(options.socatDir !== undefined ? { dir: options.socatDir } : {});
  // The printer takes socat's "reader" end; the host gets the other, as with the card reader.
  const port = new SerialPort({ path: pair.readerPath, baudRate: 9600, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    await pair.stop();
    throw error;
  }

  let session: Session | null = null;
  let idle: NodeJS.Timeout | undefined;
  const endJob = (): void => {
    clearTimeout(idle);
    if (session !== null) core.finish(session);
    session = null;
  };
  core.onStall = (stalled) => {
    if (stalled) {
      port.pause();
      // A stalled printer is not silent by choice: the job it is in has not ended.
      clearTimeout(idle);
    } else {
      port.resume();
    }
  };
  port.on('data', (chunk: Buffer) => {
    session ??= core.open((bytes) => {
      if (port.isOpen) port.write(Buffer.from(bytes));
    });
    core.receive(session, chunk);
    clearTimeout(idle);
    idle = setTimeout(endJob, idleMs);
  });
  // socat going away (close() below, or a test killing it) ends the job in progress.
  port.on('close', endJob);
  port.on('error', () => undefined);

  const close = async (): Promise<void> => {
    endJob();
    port.removeAllListeners('data');
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await pair.stop();
  };
  return { path: pair.hostPath, ...core.control(close) };
}
