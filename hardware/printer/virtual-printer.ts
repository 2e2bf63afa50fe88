/**
 * A virtual network receipt printer for tests: listens on 127.0.0.1 like a printer's
 * raw port 9100, keeps every byte of each connection as one job, and answers DLE EOT n
 * real-time status requests as a printer in the chosen state would.
 *
 * States:
 * - 'ok', 'paper-out', 'cover-open', 'offline': bytes are captured and status requests
 *   answered with the bytes in status.ts (statusAnswersFor).
 * - 'stalled': connections are accepted but nothing is read or answered (the socket is
 *   paused, so TCP back-pressure builds up as with a hung printer). Leaving 'stalled'
 *   resumes reading and answers whatever was waiting.
 */
import net from 'node:net';
import { STATUS_REQUEST } from './escpos.js';
import { commandLength, decodeEscPos, type EscPosEvent } from './escpos-decode.js';
import { statusAnswersFor, type PrinterCondition } from './status.js';

export { decodeEscPos, summarizeEscPos, type EscPosEvent, type ReceiptSummary } from './escpos-decode.js';

export type VirtualPrinterState = PrinterCondition | 'stalled';

export interface CapturedJob {
  /** 1, 2, … in connection order. */
  readonly id: number;
  readonly bytes: Uint8Array;
  /** The connection has closed (the job is complete). */
  readonly closed: boolean;
  readonly events: EscPosEvent[];
}

export interface VirtualPrinter {
  readonly port: number;
  jobs(): CapturedJob[];
  setState(state: VirtualPrinterState): void;
  /** Forget closed jobs and the bytes captured so far on open ones. */
  clear(): void;
  close(): Promise<void>;
}

interface Connection {
  readonly id: number;
  readonly socket: net.Socket;
  bytes: Buffer;
  /** Offset up to which the stream was scanned for status requests. */
  scanned: number;
  closed: boolean;
}

export async function startVirtualPrinter(options: { port?: number } = {}): Promise<VirtualPrinter> {
  let state: VirtualPrinterState = 'ok';
  let nextId = 1;
  let connections: Connection[] = [];

  const answer = (conn: Connection): void => {
    if (state === 'stalled' || conn.closed) return;
    const answers = statusAnswersFor(state);
    let at = conn.scanned;
    while (at < conn.bytes.length) {
      const len = commandLength(conn.bytes, at);
      if (len === 'incomplete') break; // wait for the rest of the command
      if (len === 'unknown') {
        at += 1;
        continue;
      }
      if (conn.bytes[at] === 0x10 && conn.bytes[at + 1] === 0x04) {
        const n = conn.bytes[at + 2];
        // Other n (3, 7, 8, 18 on some models) go unanswered, as on a printer without them.
        const reply =
          n === STATUS_REQUEST.PRINTER ? answers.printer : n === STATUS_REQUEST.OFFLINE_CAUSE ? answers.offlineCause : n === STATUS_REQUEST.PAPER_ROLL ? answers.paperRoll : undefined;
        if (reply !== undefined) conn.socket.write(Uint8Array.of(reply));
      }
      at += len;
    }
    conn.scanned = at;
  };

  const server = net.createServer((socket) => {
    const conn: Connection = { id: nextId++, socket, bytes: Buffer.alloc(0), scanned: 0, closed: false };
    connections.push(conn);
    if (state === 'stalled') socket.pause();
    socket.on('data', (chunk: Buffer) => {
      conn.bytes = Buffer.concat([conn.bytes, chunk]);
      answer(conn);
    });
    socket.on('close', () => {
      conn.closed = true;
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

  return {
    port: address.port,
    jobs: () =>
      connections.map((c) => {
        const bytes = Uint8Array.from(c.bytes);
        return { id: c.id, bytes, closed: c.closed, events: decodeEscPos(bytes) };
      }),
    setState: (next) => {
      state = next;
      for (const c of connections) {
        if (c.closed) continue;
        if (next === 'stalled') c.socket.pause();
        else {
          c.socket.resume();
          answer(c);
        }
      }
    },
    clear: () => {
      connections = connections.filter((c) => !c.closed);
      for (const c of connections) {
        c.bytes = Buffer.alloc(0);
        c.scanned = 0;
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const c of connections) c.socket.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
