/**
 * The print driver: prints a job on a receipt printer and says whether the printer was fine
 * before and after, using the real-time status commands (DLE EOT 1, 2, 4; see status.ts).
 *
 * `print` uses ONE connection: the status first (a printer that is out of paper, open or
 * offline gets nothing of the job, so the job can go to another printer or wait without a
 * half receipt), then the job, then the status again. "printed" means the printer took the
 * whole job and was fine right after: DLE EOT is answered as soon as it arrives, possibly
 * before the last lines are on paper, so a paper-out in the last centimetres is not seen.
 *
 * Nothing here throws: every failure is an outcome with a problem code (the UI translates it)
 * and a short English detail for the log. Calls are queued, one connection at a time, because
 * a serial port opens only once and most network printers take one connection at a time.
 */
import { STATUS_REQUEST, statusRequest } from './escpos.js';
import { StatusByteError, parseStatusBytes, type PrinterStatus, type StatusAnswers } from './status.js';
import {
  PrinterTransportError,
  describeInterface,
  openPrinterConnection,
  transportErrorOf,
  writeBudgetMs,
  type PrinterConnection,
  type PrinterInterfaceConfig,
} from './transport.js';

export type { PrinterInterfaceConfig } from './transport.js';

export type PrinterProblem = 'offline' | 'paper-out' | 'cover-open' | 'no-answer' | 'unreachable' | 'error';

export interface PrinterCheck {
  readonly ok: boolean;
  readonly problem: PrinterProblem | null;
  readonly detail: string | null;
  readonly status: PrinterStatus | null;
  readonly ms: number;
}

export type PrintOutcome =
  | { readonly kind: 'printed'; readonly ms: number; readonly bytes: number }
  | { readonly kind: 'not-sent'; readonly problem: PrinterProblem; readonly detail: string } // nothing of the job reached the printer
  | { readonly kind: 'unconfirmed'; readonly problem: PrinterProblem; readonly detail: string }; // the job was sent but the status after it was not fine / never came

export interface PrinterDriver {
  /** Connect, DLE EOT 1, 2, 4, parse, close. */
  check(): Promise<PrinterCheck>;
  /** One connection: status before (not fine: not-sent), the job, status after (fine: printed, else unconfirmed). */
  print(job: Uint8Array): Promise<PrintOutcome>;
  close(): Promise<void>;
}

export const DEFAULT_PRINTER_TIMEOUT_MS = 2000;

/** DLE EOT 1, DLE EOT 2, DLE EOT 4: answered in this order, one byte each. */
export const STATUS_QUERY: Uint8Array = Uint8Array.from([
  ...statusRequest(STATUS_REQUEST.PRINTER),
  ...statusRequest(STATUS_REQUEST.OFFLINE_CAUSE),
  ...statusRequest(STATUS_REQUEST.PAPER_ROLL),
]);

const REQUEST_NAMES: Readonly<Record<keyof StatusAnswers, string>> = {
  printer: 'DLE EOT 1 (printer status)',
  offlineCause: 'DLE EOT 2 (offline cause)',
  paperRoll: 'DLE EOT 4 (paper roll)',
};

const hex = (byte: number): string => `0x${byte.toString(16).padStart(2, '0')}`;

type Failure = { readonly problem: PrinterProblem; readonly detail: string };
type StatusResult = { readonly ok: true; readonly status: PrinterStatus } | ({ readonly ok: false } & Failure);

/** What is wrong with a printer that answered, or null when it can print. */
export function problemOfStatus(status: PrinterStatus): Failure | null {
  if (status.paperOut) return { problem: 'paper-out', detail: 'The printer is out of paper.' };
  if (status.coverOpen) return { problem: 'cover-open', detail: 'The printer cover is open.' };
  if (status.error) return { problem: 'offline', detail: 'The printer is offline with an error (e.g. cutter jam or head overheat).' };
  if (!status.online) return { problem: 'offline', detail: 'The printer is offline (feed button held, or still starting).' };
  return null;
}

function failureOfTransport(error: unknown, what: string): Failure {
  const failure = error instanceof PrinterTransportError ? error : transportErrorOf(error, what);
  switch (failure.kind) {
    case 'unreachable':
      return { problem: 'unreachable', detail: `${what}: ${failure.message}` };
    case 'timeout':
      return { problem: 'no-answer', detail: `${what}: ${failure.message}` };
    case 'failed':
      return { problem: 'error', detail: `${what}: ${failure.message}` };
  }
}

/**
 * Sends DLE EOT 1, 2, 4 and reads the three answers. A byte that is not a status answer
 * (an ASB packet, XOFF, noise, a printer speaking another protocol) is reported, never
 * skipped: skipping could pair an answer with the wrong request.
 */
async function askStatus(connection: PrinterConnection, timeoutMs: number, when: string): Promise<StatusResult> {
  try {
    await connection.write(STATUS_QUERY, timeoutMs);
  } catch (error) {
    return { ok: false, ...failureOfTransport(error, `Asking the status ${when}`) };
  }
  let answers: Uint8Array;
  try {
    answers = await connection.read(3, timeoutMs);
  } catch (error) {
    return { ok: false, ...failureOfTransport(error, `No status answer ${when}`) };
  }
  try {
    const status = parseStatusBytes(answers);
    const extra = connection.pending();
    if (extra > 0) {
      return { ok: false, problem: 'error', detail: `The printer sent ${extra} more bytes than the 3 status answers ${when}.` };
    }
    return { ok: true, status };
  } catch (error) {
    if (error instanceof StatusByteError) {
      const got = [...answers].map(hex).join(' ');
      return {
        ok: false,
        problem: 'error',
        detail: `The printer answered ${hex(error.value)} to ${REQUEST_NAMES[error.which]} ${when}, which is not a status byte (got ${got}).`,
      };
    }
    return { ok: false, problem: 'error', detail: `Unreadable status answer ${when}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function closeQuietly(connection: PrinterConnection): Promise<void> {
  try {
    await connection.close();
  } catch {
    // The outcome is already decided; a failing close changes nothing for the caller.
  }
}

export function openPrinterDriver(config: PrinterInterfaceConfig, options: { readonly timeoutMs?: number } = {}): PrinterDriver {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PRINTER_TIMEOUT_MS;
  const where = describeInterface(config);
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const open = new Set<PrinterConnection>();

  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  const connect = async (): Promise<{ ok: true; connection: PrinterConnection } | ({ ok: false } & Failure)> => {
    if (closed) return { ok: false, problem: 'error', detail: `The driver for ${where} is closed.` };
    try {
      const connection = await openPrinterConnection(config, { timeoutMs });
      open.add(connection);
      return { ok: true, connection };
    } catch (error) {
      return { ok: false, ...failureOfTransport(error, `Cannot reach the printer at ${where}`) };
    }
  };

  const release = async (connection: PrinterConnection): Promise<void> => {
    open.delete(connection);
    await closeQuietly(connection);
  };

  const staleNote = (connection: PrinterConnection): string =>
    connection.staleBytes > 0 ? ` Dropped ${connection.staleBytes} stale bytes left from an earlier exchange.` : '';

  const check = (): Promise<PrinterCheck> =>
    serial(async () => {
      const started = performance.now();
      const ms = (): number => Math.round(performance.now() - started);
      const link = await connect();
      if (!link.ok) return { ok: false, problem: link.problem, detail: link.detail, status: null, ms: ms() };
      try {
        const answer = await askStatus(link.connection, timeoutMs, 'on a check');
        if (!answer.ok) return { ok: false, problem: answer.problem, detail: answer.detail + staleNote(link.connection), status: null, ms: ms() };
        const trouble = problemOfStatus(answer.status);
        if (trouble !== null) return { ok: false, problem: trouble.problem, detail: trouble.detail, status: answer.status, ms: ms() };
        const notes = `${answer.status.paperNearEnd ? 'The paper is near its end.' : ''}${staleNote(link.connection)}`.trim();
        return { ok: true, problem: null, detail: notes === '' ? null : notes, status: answer.status, ms: ms() };
      } finally {
        await release(link.connection);
      }
    });

  const print = (job: Uint8Array): Promise<PrintOutcome> =>
    serial(async (): Promise<PrintOutcome> => {
      const started = performance.now();
      if (job.length === 0) return { kind: 'not-sent', problem: 'error', detail: 'The print job is empty.' };
      const link = await connect();
      if (!link.ok) return { kind: 'not-sent', problem: link.problem, detail: link.detail };
      const { connection } = link;
      try {
        const before = await askStatus(connection, timeoutMs, 'before the job');
        if (!before.ok) return { kind: 'not-sent', problem: before.problem, detail: before.detail + staleNote(connection) };
        const refused = problemOfStatus(before.status);
        if (refused !== null) return { kind: 'not-sent', problem: refused.problem, detail: `${refused.detail} The job was not sent.` };

        const budget = writeBudgetMs(config, job.length);
        try {
          await connection.write(job, timeoutMs + budget);
        } catch (error) {
          // Some of the job may be in the printer: never "not-sent", or it could print twice.
          const failure = failureOfTransport(error, `Sending the ${job.length}-byte job`);
          return { kind: 'unconfirmed', ...failure };
        }

        // A printer still working through a big job may hold the request behind it for a while.
        const after = await askStatus(connection, timeoutMs + budget, 'after the job');
        if (!after.ok) return { kind: 'unconfirmed', problem: after.problem, detail: `The job was sent. ${after.detail}` };
        const trouble = problemOfStatus(after.status);
        if (trouble !== null) return { kind: 'unconfirmed', problem: trouble.problem, detail: `The job was sent. ${trouble.detail}` };
        return { kind: 'printed', ms: Math.round(performance.now() - started), bytes: job.length };
      } catch (error) {
        // Not expected (every step above returns its failures); still an outcome, not a throw.
        return { kind: 'unconfirmed', problem: 'error', detail: `Unexpected failure while printing: ${error instanceof Error ? error.message : String(error)}` };
      } finally {
        await release(connection);
      }
    });

  return {
    check: () =>
      check().catch(
        (error: unknown): PrinterCheck => ({ ok: false, problem: 'error', detail: `Unexpected failure: ${String(error)}`, status: null, ms: 0 }),
      ),
    print: (job) => print(job),
    close: async () => {
      closed = true;
      await Promise.all([...open].map((connection) => closeQuietly(connection)));
      open.clear();
      await queue;
    },
  };
}
