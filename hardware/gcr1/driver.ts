/**
 * GCR-1 serial card reader driver (card-reader-protocol.md, revision 1.4): the
 * `CardReaderPort` of core/reader/port.ts over a serialport port.
 *
 * How the protocol's rules map onto this file:
 *
 * - One request outstanding (`exchange`), and one port operation at a time (`run`):
 *   a write, with its reads and re-identification, is never interleaved with another.
 * - SEQ 0x01..0xFF wrapping to 0x01 (`nextSeq`). A frame whose SEQ is not the one
 *   awaited is stale and discarded; SEQ 0x00 / CODE 0xE0 is an event, delivered at any
 *   time and never answered (`onFrame`).
 * - Timing: the clock starts after `drain()`; the budget is `responseTimeoutMs`.
 * - After opening and after every timeout the driver asks CARD_STATUS (`afterTimeout`).
 * - Retries (`command`): a timeout or an unreadable answer resends the same command with
 *   a new SEQ up to two more times, except VERIFY_PSC (unclear-outcome procedure in
 *   `verify`) and WRITE_MAIN / WRITE_PROTECT / CHANGE_PSC (read back, compare, write
 *   only what differs: `writeMain`, `writeProtect`, `changePsc`).
 * - Which card (`ensureCard`): after any event, timeout, NO_CARD, NOT_POWERED,
 *   NOT_VERIFIED or WRITE_FAILED the session is marked unsure; before its next card
 *   command it powers on and reads the header; another serial is CARD_CHANGED.
 * - Baud (`setBaud`, `probe`): switch right after the SET_BAUD response, wait 20 ms; if
 *   nothing answers at the new rate, GET_INFO at each rate in turn, 9600 first.
 * - Unplug: `close` with `disconnected` -> `reader-disconnected`, then reconnect with
 *   back-off until the path is listed and opens again -> probe, CARD_STATUS,
 *   `reader-connected`.
 */
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import {
  HEADER_ADDRESS,
  HEADER_LENGTH,
  MAIN_MEMORY_SIZE,
  MIN_ATTEMPTS_TO_PRESENT,
  PROTECTABLE_BYTES,
  PSC_LENGTH,
  fail,
  ok,
  serialOfHeader,
  type CardKind,
  type CardReaderPort,
  type CardSession,
  type CardStatus,
  type ProtectionState,
  type ReaderEvent,
  type ReaderEventListener,
  type ReaderInfo,
  type ReaderResult,
  type SecurityState,
  type WriteReport,
} from '../../core/reader/port.js';
import {
  BAUD_CODE,
  BAUD_RATES,
  CARD_EVENT,
  CARD_TYPE,
  COMMAND,
  DEFAULT_BAUD,
  EVENT_CODE,
  EVENT_SEQ,
  FrameParser,
  MAX_DATA,
  WRITE_MS_PER_BYTE,
  MAX_SEQ,
  MIN_SEQ,
  attemptsLeft,
  encodeFrame,
  responseTimeoutMs,
  statusName,
  type BaudRate,
  type CommandCode,
  type Frame,
  type StatusName,
} from './frame.js';

/** The part of a serialport `SerialPort` (or `SerialPortMock`) the driver uses. */
export interface SerialLike {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  write(data: Buffer, callback?: (err: Error | null | undefined) => void): boolean;
  drain(callback: (err: Error | null) => void): void;
  update(options: { baudRate: number }, callback: (err: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: (err: Error | null) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(): unknown;
}

export type SerialPortInfo = {
  path: string;
  manufacturer: string | undefined;
  serialNumber: string | undefined;
  vendorId: string | undefined;
  productId: string | undefined;
};

export type Gcr1Options = {
  /** `COM3`, `/dev/ttyUSB0`, ... */
  path: string;
  /** The rate to run at; the driver switches the reader to it after opening. Default 9600. */
  baudRate?: BaudRate;
  /** Creates the (unopened) port; tests inject a `SerialPortMock`. */
  createPort?: (path: string, baudRate: number) => SerialLike;
  /** Lists port paths, to know when an unplugged reader is back. Default `SerialPort.list()`. */
  listPorts?: () => Promise<readonly { path: string }[]>;
  /** Reconnect back-off: first delay, doubling up to the maximum. Default 500 ms .. 5 s. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** Monotonic clock in ms for the frame parser's gap rule. */
  now?: () => number;
};

/** Pause after switching rates before the next request ("waits 20 ms"). */
export const BAUD_SWITCH_PAUSE_MS = 20;
/** "up to two more times" */
const RETRIES = 2;
/** Rounds of read-back-and-write before a write gives up with READBACK_MISMATCH. */
const WRITE_ROUNDS = 4;
/** A WRITE_MAIN carries at most 64 data bytes. */
const MAX_WRITE_RUN = 64;
/** Re-identification attempts when events or timeouts keep interrupting it. */
const IDENTIFY_ATTEMPTS = 3;

/** Lists serial ports for the settings screen. Never throws. */
export async function listSerialPorts(): Promise<ReaderResult<SerialPortInfo[]>> {
  try {
    // Typed here: eslint's project cannot follow serialport's re-exported PortInfo.
    const list = SerialPort.list as () => Promise<SerialPortInfo[]>;
    const ports = await list();
    return ok(
      ports.map((p) => ({
        path: p.path,
        manufacturer: p.manufacturer,
        serialNumber: p.serialNumber,
        vendorId: p.vendorId,
        productId: p.productId,
      })),
    );
  } catch (e: unknown) {
    return fail('PORT_ERROR', `cannot list serial ports: ${errorText(e)}`);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What one request came to. */
type Outcome =
  | { kind: 'response'; status: StatusName; data: Uint8Array }
  /** Timeout or an answer the protocol does not allow: the request may or may not have been carried out. */
  | { kind: 'unclear'; why: string }
  | { kind: 'closed'; code: 'DISCONNECTED' | 'NOT_OPEN' | 'PORT_ERROR'; why: string };

type Pending = { seq: number; code: CommandCode; request: Uint8Array; resolve: (o: Outcome) => void };

type SessionState = {
  serial: string;
  header: Uint8Array;
  active: boolean;
  /** Verified in the current power session. */
  verified: boolean;
  /** The PSC this card accepted in this session, to re-present after re-identification. */
  knownPsc: Uint8Array | undefined;
};

/** The data length an OK response must have, or undefined when any length is fine. */
function okLength(code: CommandCode, request: Uint8Array): number | undefined {
  switch (code) {
    case COMMAND.GET_INFO:
      return undefined;
    case COMMAND.CARD_STATUS:
      return 3;
    case COMMAND.POWER_ON:
    case COMMAND.READ_PROTECTION:
      return 4;
    case COMMAND.READ_MAIN:
      return request[1] ?? 0;
    case COMMAND.READ_SECURITY:
      return 1;
    case COMMAND.SET_BAUD:
    case COMMAND.BEEP:
    case COMMAND.POWER_OFF:
    case COMMAND.VERIFY_PSC:
    case COMMAND.WRITE_MAIN:
    case COMMAND.WRITE_PROTECT:
    case COMMAND.CHANGE_PSC:
      return 0;
    default: {
      const never: never = code;
      return never;
    }
  }
}

/** Whether a status obliges the host to re-identify the card ("Which card"). */
function statusNeedsIdentity(status: StatusName): boolean {
  switch (status) {
    case 'NO_CARD':
    case 'NOT_POWERED':
    case 'NOT_VERIFIED':
    case 'WRITE_FAILED':
      return true;
    case 'OK':
    case 'UNSUPPORTED_CARD':
    case 'UNKNOWN_COMMAND':
    case 'BAD_PARAMS':
    case 'WRONG_PSC':
    case 'PROTECTED':
    case 'CARD_LOCKED':
      return false;
    default: {
      const never: never = status;
      return never;
    }
  }
}

function statusError<T>(status: Exclude<StatusName, 'OK'>, what: string): ReaderResult<T> {
  return fail(status, `${what}: reader answered ${status}`);
}

function outcomeError<T>(o: Exclude<Outcome, { kind: 'response' }>, what: string): ReaderResult<T> {
  switch (o.kind) {
    case 'unclear':
      return fail('TIMEOUT', `${what}: ${o.why}`);
    case 'closed':
      return fail(o.code, `${what}: ${o.why}`);
    default: {
      const never: never = o;
      return never;
    }
  }
}

function validPsc(psc: Uint8Array): boolean {
  return psc.length === PSC_LENGTH;
}

function isIntIn(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

/** The GCR-1 implementation of `CardReaderPort`. */
export class Gcr1Reader implements CardReaderPort {
  readonly kind = 'GCR-1';

  private readonly path: string;
  private readonly targetBaud: BaudRate;
  private readonly createPort: (path: string, baudRate: number) => SerialLike;
  private readonly listPorts: () => Promise<readonly { path: string }[]>;
  private readonly reconnectInitialMs: number;
  private readonly reconnectMaxMs: number;
  private readonly now: () => number;

  private port: SerialLike | undefined;
  private connected = false;
  /** Set by `close()`: no reconnecting, everything ends. */
  private closedByUser = true;
  private reconnecting = false;
  private baud: BaudRate = DEFAULT_BAUD;
  private readonly parser = new FrameParser();
  private seq = 0;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<ReaderEventListener>();
  private lastInfo: ReaderInfo | undefined;
  /** What the host believes about the slot, to report changes CARD_STATUS reveals. */
  private cardPresent: boolean | undefined;
  /** The card in the slot may not be the session's card any more. */
  private unsure = true;
  private current: SessionState | undefined;
  /** Serials of cards that rejected a PSC since `open`: no further PSC is tried on them. */
  private readonly rejected = new Set<string>();
  private inStatusPoll = false;

  constructor(options: Gcr1Options) {
    this.path = options.path;
    this.targetBaud = options.baudRate ?? DEFAULT_BAUD;
    this.createPort =
      options.createPort ?? ((path, baudRate) => new SerialPort({ path, baudRate, autoOpen: false }));
    this.listPorts = options.listPorts ?? (() => SerialPort.list());
    this.reconnectInitialMs = options.reconnectInitialMs ?? 500;
    this.reconnectMaxMs = options.reconnectMaxMs ?? 5000;
    this.now = options.now ?? (() => performance.now());
  }

  get isOpen(): boolean {
    return this.connected;
  }

  /** The line rate in use. */
  get baudRate(): BaudRate {
    return this.baud;
  }

  get session(): CardSession | undefined {
    return this.current?.active ? this.makeSession(this.current) : undefined;
  }

  onEvent(listener: ReaderEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  open(): Promise<ReaderResult<ReaderInfo>> {
    return this.run(async () => {
      if (this.connected) return this.lastInfo ? ok(this.lastInfo) : fail('PORT_ERROR', 'open without info');
      this.closedByUser = false;
      this.rejected.clear();
      const r = await this.connect();
      if (!r.ok) {
        this.closedByUser = true;
        await this.closePort();
      }
      return r;
    });
  }

  close(): Promise<ReaderResult<void>> {
    // Stop reconnecting at once, not after the queue drains.
    this.closedByUser = true;
    return this.run(async () => {
      if (this.connected && this.current?.active) await this.command(COMMAND.POWER_OFF, new Uint8Array(), 0);
      this.endSession();
      await this.closePort();
      return ok(undefined);
    });
  }

  info(): Promise<ReaderResult<ReaderInfo>> {
    return this.run(() => this.getInfo(true));
  }

  cardStatus(): Promise<ReaderResult<CardStatus>> {
    return this.run(() => this.readCardStatus());
  }

  beep(ms: number): Promise<ReaderResult<void>> {
    return this.run(async () => {
      if (!isIntIn(ms, 0, 0xffff)) return fail('BAD_PARAMS', `beep of ${ms} ms`);
      const o = await this.command(COMMAND.BEEP, new Uint8Array([ms >> 8, ms & 0xff]), 0);
      return this.expectOk(o, 'BEEP');
    });
  }

  /**
   * Finds the reader's rate: GET_INFO at each rate in turn, 9600 first. Leaves the port
   * at the rate that answered.
   */
  probe(): Promise<ReaderResult<ReaderInfo>> {
    return this.run(() => this.probeRates());
  }

  /** Switches the reader and the port to `rate` (SET_BAUD). */
  setBaud(rate: BaudRate): Promise<ReaderResult<ReaderInfo>> {
    return this.run(() => this.switchBaud(rate));
  }

  openCard(): Promise<ReaderResult<CardSession>> {
    return this.run(async () => {
      this.endSession();
      const id = await this.identify();
      if (!id.ok) return id;
      this.current = { serial: id.value.serial, header: id.value.header, active: true, verified: false, knownPsc: undefined };
      this.unsure = false;
      return ok(this.makeSession(this.current));
    });
  }

  // ---------------------------------------------------------------- sessions

  private makeSession(s: SessionState): CardSession {
    return {
      get serial() {
        return s.serial;
      },
      get header() {
        return s.header.slice();
      },
      get verified() {
        return s.active && s.verified;
      },
      get active() {
        return s.active;
      },
      readMain: (address, length) => this.inSessionRead(s, () => this.readMainChecked(address, length)),
      readSecurity: () => this.inSessionRead(s, () => this.readSecurity()),
      readProtection: () => this.inSessionRead(s, () => this.readProtection()),
      verifyPsc: (psc) => this.inSession(s, () => this.verify(s, psc, false)),
      write: (address, data) => this.inSession(s, () => this.writeMain(s, address, data)),
      writeProtect: (address, data) => this.inSession(s, () => this.writeProtect(s, address, data)),
      changePsc: (psc) => this.inSession(s, () => this.changePsc(s, psc)),
      powerOff: () =>
        this.run(async () => {
          if (!s.active) return ok(undefined);
          s.active = false;
          s.verified = false;
          if (this.current === s) this.current = undefined;
          const o = await this.command(COMMAND.POWER_OFF, new Uint8Array(), 0);
          // NO_CARD: the card was pulled, which powered it off; that is what we wanted.
          if (o.kind === 'response' && o.status === 'NO_CARD') return ok(undefined);
          return this.expectOk(o, 'POWER_OFF');
        }),
    };
  }

  /** Runs a session operation after making sure the session's card is in the slot. */
  private inSession<T>(s: SessionState, op: () => Promise<ReaderResult<T>>): Promise<ReaderResult<T>> {
    return this.run(async () => {
      const sure = await this.ensureCard(s);
      if (!sure.ok) return sure;
      return op();
    });
  }

  /**
   * A read that meets NO_CARD or NOT_POWERED raced a card event the driver had not seen yet: per
   * "Which card" the card is identified again, so the caller hears CARD_CHANGED or CARD_REMOVED
   * rather than a bare status, and a read of the same card is simply done again (reads change
   * nothing, so repeating one is safe; writes and VERIFY_PSC never come through here).
   */
  private inSessionRead<T>(s: SessionState, op: () => Promise<ReaderResult<T>>): Promise<ReaderResult<T>> {
    return this.run(async () => {
      const sure = await this.ensureCard(s);
      if (!sure.ok) return sure;
      const first = await op();
      if (first.ok || (first.error.code !== 'NOT_POWERED' && first.error.code !== 'NO_CARD')) return first;
      this.markUnsure();
      const again = await this.ensureCard(s);
      if (!again.ok) return again;
      return op();
    });
  }

  private endSession(): void {
    if (this.current) {
      this.current.active = false;
      this.current.verified = false;
    }
    this.current = undefined;
  }

  /** Marks the card in the slot as possibly not the session's card. */
  private markUnsure(): void {
    this.unsure = true;
    // Whatever the card is now, a verification from before does not hold for sure.
    if (this.current) this.current.verified = false;
  }

  /** "Which card": re-identifies the card when unsure; CARD_CHANGED for another serial. */
  private async ensureCard(s: SessionState): Promise<ReaderResult<void>> {
    if (!s.active) return fail('SESSION_CLOSED', 'the card session has ended');
    if (!this.connected) return fail(this.closedByUser ? 'NOT_OPEN' : 'DISCONNECTED', 'the reader is not connected');
    if (!this.unsure) return ok(undefined);
    const id = await this.identify();
    if (!id.ok) {
      if (id.error.code === 'NO_CARD') return fail('CARD_REMOVED', `card ${s.serial} is not in the slot`);
      if (id.error.code === 'UNSUPPORTED_CARD' || id.error.code === 'NOT_A_GAS_CARD') {
        return fail('CARD_CHANGED', `another card is in the slot (${id.error.message}), not ${s.serial}`);
      }
      return id;
    }
    if (id.value.serial !== s.serial) {
      // Stay unsure: the next call looks again (the right card may come back).
      this.unsure = true;
      return fail('CARD_CHANGED', `card ${id.value.serial} is in the slot, not ${s.serial}`);
    }
    this.unsure = false;
    // POWER_ON started a new power session: the PSC must be presented again.
    s.verified = false;
    return ok(undefined);
  }

  /** POWER_ON and read the header; retried while events or timeouts interrupt it. */
  private async identify(): Promise<ReaderResult<{ serial: string; header: Uint8Array }>> {
    let last: ReaderResult<{ serial: string; header: Uint8Array }> = fail('TIMEOUT', 'card identification kept being interrupted');
    for (let attempt = 0; attempt < IDENTIFY_ATTEMPTS; attempt++) {
      this.unsure = false;
      const on = await this.command(COMMAND.POWER_ON, new Uint8Array(), 4);
      if (on.kind !== 'response') return outcomeError(on, 'POWER_ON');
      if (on.status !== 'OK') return statusError(on.status, 'POWER_ON');
      const header = await this.readMainRaw(HEADER_ADDRESS, HEADER_LENGTH);
      if (!header.ok) {
        last = header;
        if (header.error.code === 'TIMEOUT' || header.error.code === 'NOT_POWERED') continue;
        return header;
      }
      if (this.unsure) continue; // an event arrived meanwhile: which card did we read?
      const serial = serialOfHeader(header.value);
      if (serial === undefined) return fail('NOT_A_GAS_CARD', 'header unreadable');
      return ok({ serial, header: header.value });
    }
    this.unsure = true;
    return last;
  }

  // ---------------------------------------------------------------- card commands

  private async readMainChecked(address: number, length: number): Promise<ReaderResult<Uint8Array>> {
    if (!isIntIn(address, 0, MAIN_MEMORY_SIZE - 1) || !isIntIn(length, 1, MAIN_MEMORY_SIZE) || address + length > MAIN_MEMORY_SIZE) {
      return fail('BAD_PARAMS', `read of ${length} bytes at ${address}`);
    }
    return this.readMainRaw(address, length);
  }

  /** READ_MAIN, split into requests of at most 250 bytes. */
  private async readMainRaw(address: number, length: number): Promise<ReaderResult<Uint8Array>> {
    const out = new Uint8Array(length);
    for (let at = 0; at < length; at += MAX_DATA) {
      const n = Math.min(MAX_DATA, length - at);
      const o = await this.command(COMMAND.READ_MAIN, new Uint8Array([address + at, n]), n);
      if (o.kind !== 'response') return outcomeError(o, 'READ_MAIN');
      if (o.status !== 'OK') return statusError(o.status, 'READ_MAIN');
      out.set(o.data, at);
    }
    return ok(out);
  }

  private async readSecurity(): Promise<ReaderResult<SecurityState>> {
    const o = await this.command(COMMAND.READ_SECURITY, new Uint8Array(), 1);
    if (o.kind !== 'response') return outcomeError(o, 'READ_SECURITY');
    if (o.status !== 'OK') return statusError(o.status, 'READ_SECURITY');
    const counter = o.data[0] ?? 0;
    return ok({ counter, attemptsLeft: attemptsLeft(counter) });
  }

  private async readProtection(): Promise<ReaderResult<ProtectionState>> {
    const o = await this.command(COMMAND.READ_PROTECTION, new Uint8Array(), 4);
    if (o.kind !== 'response') return outcomeError(o, 'READ_PROTECTION');
    if (o.status !== 'OK') return statusError(o.status, 'READ_PROTECTION');
    const raw = o.data.slice(0, 4);
    const protectedBytes: boolean[] = [];
    for (let i = 0; i < PROTECTABLE_BYTES; i++) protectedBytes.push((((raw[i >> 3] ?? 0xff) >> (i & 7)) & 1) === 0);
    return ok({ raw, protectedBytes });
  }

  /**
   * Presents a PSC under "never lock a card". `fallback` is changePsc's one permitted
   * presentation of the old code after the new one was rejected.
   */
  private async verify(s: SessionState, psc: Uint8Array, fallback: boolean): Promise<ReaderResult<void>> {
    if (!validPsc(psc)) return fail('BAD_PARAMS', `a PSC has ${PSC_LENGTH} bytes`);
    if (s.verified && s.knownPsc && hex(s.knownPsc) === hex(psc)) return ok(undefined);
    if (this.rejected.has(s.serial) && !fallback) {
      return fail('PSC_ALREADY_REJECTED', `card ${s.serial} has rejected a PSC: no further PSC is tried on it`);
    }
    let presentedAgain = false;
    const sec = await this.readSecurity();
    if (!sec.ok) return sec;
    let before = sec.value.attemptsLeft;
    for (;;) {
      if (before === 0) return fail('CARD_LOCKED', `card ${s.serial} is locked`, 0);
      if (before < MIN_ATTEMPTS_TO_PRESENT) {
        return fail('PSC_ATTEMPTS_LOW', `card ${s.serial} has ${before} PSC attempt left: send it to a supervisor`, before);
      }
      const o = await this.command(COMMAND.VERIFY_PSC, psc, 0, { retry: false });
      if (o.kind === 'closed') return outcomeError(o, 'VERIFY_PSC');
      if (o.kind === 'response') {
        if (o.status === 'OK') {
          s.verified = true;
          s.knownPsc = psc.slice();
          return ok(undefined);
        }
        if (o.status === 'WRONG_PSC') {
          this.rejected.add(s.serial);
          const left = attemptsLeft(o.data[0] ?? 0);
          return fail('WRONG_PSC', `card ${s.serial} rejected the PSC; ${left} attempts left`, left);
        }
        return statusError(o.status, 'VERIFY_PSC');
      }
      // Unclear outcome: never resent as it stands. Power off and on, same card?
      // Then the counter says whether the presentation was counted as wrong.
      const off = await this.command(COMMAND.POWER_OFF, new Uint8Array(), 0);
      if (off.kind === 'closed') return outcomeError(off, 'POWER_OFF');
      this.markUnsure();
      const same = await this.ensureCard(s);
      if (!same.ok) return same;
      const after = await this.readSecurity();
      if (!after.ok) return after;
      if (after.value.attemptsLeft < before) {
        this.rejected.add(s.serial);
        const left = after.value.attemptsLeft;
        return fail('WRONG_PSC', `card ${s.serial} counted the unclear presentation as wrong; ${left} attempts left`, left);
      }
      if (presentedAgain) return fail('TIMEOUT', `VERIFY_PSC: no clear answer from card ${s.serial} twice; PSC not presented again`);
      presentedAgain = true;
      // The same PSC once more, still only with two attempts left (checked at the top).
      before = after.value.attemptsLeft;
    }
  }

  /** Makes sure the session holds a verified PSC, re-presenting the known one if needed. */
  private async ensureVerified(s: SessionState): Promise<ReaderResult<void>> {
    const sure = await this.ensureCard(s);
    if (!sure.ok) return sure;
    if (s.verified) return ok(undefined);
    if (!s.knownPsc) return fail('PSC_REQUIRED', 'present the PSC before writing');
    return this.verify(s, s.knownPsc, false);
  }

  private async writeMain(s: SessionState, address: number, data: Uint8Array): Promise<ReaderResult<WriteReport>> {
    if (!isIntIn(address, 0, MAIN_MEMORY_SIZE - 1) || data.length < 1 || address + data.length > MAIN_MEMORY_SIZE) {
      return fail('BAD_PARAMS', `write of ${data.length} bytes at ${address}`);
    }
    const report: WriteReport = { bytesWritten: 0, writeCommands: 0 };
    let writeFailed = false;
    for (let round = 0; round < WRITE_ROUNDS; round++) {
      const v = await this.ensureVerified(s);
      if (!v.ok) {
        if (writeFailed && v.error.code === 'CARD_REMOVED') {
          return fail('WRITE_FAILED', `card ${s.serial} left the slot during the write; write again when it is back`);
        }
        return v;
      }
      // Read back and compare: only what differs is written.
      const onCard = await this.readMainRaw(address, data.length);
      if (!onCard.ok) return onCard;
      const runs = differingRuns(onCard.value, data, MAX_WRITE_RUN, writeBridge(this.baud));
      if (runs.length === 0) return ok(report);
      if (round === WRITE_ROUNDS - 1) break;
      for (const run of runs) {
        const request = new Uint8Array(1 + run.length);
        request[0] = address + run.start;
        request.set(data.subarray(run.start, run.start + run.length), 1);
        report.writeCommands++;
        const o = await this.command(COMMAND.WRITE_MAIN, request, 0, { retry: false });
        if (o.kind === 'closed') return outcomeError(o, 'WRITE_MAIN');
        if (o.kind === 'unclear') break; // read back next round
        if (o.status === 'OK') {
          report.bytesWritten += run.length;
          continue;
        }
        if (o.status === 'WRITE_FAILED') {
          writeFailed = true;
          break;
        }
        if (o.status === 'NOT_VERIFIED' || o.status === 'NOT_POWERED') break; // re-identify, re-verify
        return statusError(o.status, 'WRITE_MAIN');
      }
    }
    if (writeFailed) return fail('WRITE_FAILED', `card ${s.serial}: the write did not complete`);
    return fail('READBACK_MISMATCH', `card ${s.serial} still differs from the data after ${WRITE_ROUNDS - 1} write passes`);
  }

  private async writeProtect(s: SessionState, address: number, data: Uint8Array): Promise<ReaderResult<void>> {
    if (!isIntIn(address, 0, PROTECTABLE_BYTES - 1) || data.length < 1 || address + data.length > PROTECTABLE_BYTES) {
      return fail('BAD_PARAMS', `write-protect of ${data.length} bytes at ${address}`);
    }
    for (let round = 0; round < WRITE_ROUNDS; round++) {
      const v = await this.ensureVerified(s);
      if (!v.ok) return v;
      const prot = await this.readProtection();
      if (!prot.ok) return prot;
      // Runs of bytes in the range that are not protected yet.
      const runs: { start: number; length: number }[] = [];
      for (let i = 0; i < data.length; i++) {
        if (prot.value.protectedBytes[address + i]) continue;
        const last = runs[runs.length - 1];
        if (last && last.start + last.length === i) last.length++;
        else runs.push({ start: i, length: 1 });
      }
      if (runs.length === 0) return ok(undefined);
      if (round === WRITE_ROUNDS - 1) break;
      for (const run of runs) {
        const request = new Uint8Array(1 + run.length);
        request[0] = address + run.start;
        request.set(data.subarray(run.start, run.start + run.length), 1);
        const o = await this.command(COMMAND.WRITE_PROTECT, request, 0, { retry: false });
        if (o.kind === 'closed') return outcomeError(o, 'WRITE_PROTECT');
        if (o.kind === 'unclear') break;
        if (o.status === 'OK') continue;
        if (o.status === 'WRITE_FAILED' || o.status === 'NOT_VERIFIED' || o.status === 'NOT_POWERED') break;
        return statusError(o.status, 'WRITE_PROTECT');
      }
    }
    return fail('READBACK_MISMATCH', `card ${s.serial}: protection still incomplete after ${WRITE_ROUNDS - 1} passes`);
  }

  private async changePsc(s: SessionState, newPsc: Uint8Array): Promise<ReaderResult<void>> {
    if (!validPsc(newPsc)) return fail('BAD_PARAMS', `a PSC has ${PSC_LENGTH} bytes`);
    const v = await this.ensureVerified(s);
    if (!v.ok) return v;
    const oldPsc = s.knownPsc;
    if (!oldPsc) return fail('PSC_REQUIRED', 'present the current PSC before changing it');
    const o = await this.command(COMMAND.CHANGE_PSC, newPsc, 0, { retry: false });
    if (o.kind === 'closed') return outcomeError(o, 'CHANGE_PSC');
    // OK or unclear: either way the way to know is to power off and on and verify the new code.
    if (o.kind === 'response' && o.status !== 'OK') return statusError(o.status, 'CHANGE_PSC');
    const cycled = await this.powerCycle(s);
    if (!cycled.ok) return cycled;
    s.knownPsc = undefined;
    const withNew = await this.verify(s, newPsc, false);
    if (withNew.ok) return withNew;
    if (withNew.error.code !== 'WRONG_PSC') return withNew;
    // The new code was refused: once, if two attempts remain, the old code.
    const again = await this.powerCycle(s);
    if (!again.ok) return again;
    const withOld = await this.verify(s, oldPsc, true);
    if (withOld.ok) return fail('PSC_NOT_CHANGED', `card ${s.serial}: the PSC did not change; the old PSC still opens it`);
    if (withOld.error.code === 'WRONG_PSC' || withOld.error.code === 'PSC_ATTEMPTS_LOW' || withOld.error.code === 'CARD_LOCKED') {
      return fail('CARD_SPOILED', `card ${s.serial}: neither the new nor the old PSC opens it (${withOld.error.code}); record it, never retry`, withOld.error.attemptsLeft);
    }
    return withOld;
  }

  /** POWER_OFF, then POWER_ON and re-read the header (same serial?). */
  private async powerCycle(s: SessionState): Promise<ReaderResult<void>> {
    const off = await this.command(COMMAND.POWER_OFF, new Uint8Array(), 0);
    if (off.kind === 'closed') return outcomeError(off, 'POWER_OFF');
    this.markUnsure();
    return this.ensureCard(s);
  }

  // ---------------------------------------------------------------- reader commands

  private async getInfo(retry: boolean): Promise<ReaderResult<ReaderInfo>> {
    const o = await this.command(COMMAND.GET_INFO, new Uint8Array(), MAX_DATA, { retry, pollOnTimeout: retry });
    if (o.kind !== 'response') return outcomeError(o, 'GET_INFO');
    if (o.status !== 'OK') return statusError(o.status, 'GET_INFO');
    const description = new TextDecoder('ascii').decode(o.data);
    const info: ReaderInfo = { model: description.split(' ')[0] ?? '', description, baudRate: this.baud };
    this.lastInfo = info;
    return ok(info);
  }

  private async readCardStatus(): Promise<ReaderResult<CardStatus>> {
    const o = await this.command(COMMAND.CARD_STATUS, new Uint8Array(), 3);
    if (o.kind !== 'response') return outcomeError(o, 'CARD_STATUS');
    if (o.status !== 'OK') return statusError(o.status, 'CARD_STATUS');
    const present = o.data[0] === 1;
    const type = o.data[2];
    const kind: CardKind = !present || type === CARD_TYPE.NONE ? 'none' : type === CARD_TYPE.SLE4442 ? 'sle4442' : 'unsupported';
    this.notePresence(present);
    return ok({ present, powered: o.data[1] === 1, kind });
  }

  /** Reports a presence change that the host had not heard of as an event. */
  private notePresence(present: boolean): void {
    const known = this.cardPresent;
    this.cardPresent = present;
    if (known === present) return;
    this.markUnsure();
    if (present) this.emit({ type: 'card-inserted' });
    else if (known !== undefined) this.emit({ type: 'card-removed' });
  }

  private async switchBaud(rate: BaudRate): Promise<ReaderResult<ReaderInfo>> {
    if (rate === this.baud) return this.getInfo(true);
    const o = await this.command(COMMAND.SET_BAUD, new Uint8Array([BAUD_CODE[rate]]), 0, { retry: false, pollOnTimeout: false });
    if (o.kind === 'closed') return outcomeError(o, 'SET_BAUD');
    if (o.kind === 'response') {
      if (o.status !== 'OK') return statusError(o.status, 'SET_BAUD');
      // The reader switches right after its response: follow at once, then pause.
      const u = await this.updateRate(rate);
      if (!u.ok) return u;
      const info = await this.getInfo(false);
      if (info.ok) return info;
    }
    // Nothing answers at the new rate (or SET_BAUD's outcome is unclear): find it.
    return this.probeRates();
  }

  private async probeRates(): Promise<ReaderResult<ReaderInfo>> {
    for (const rate of BAUD_RATES) {
      const u = await this.updateRate(rate);
      if (!u.ok) return u;
      const info = await this.getInfo(false);
      if (info.ok) return info;
      if (info.error.code === 'DISCONNECTED' || info.error.code === 'NOT_OPEN' || info.error.code === 'PORT_ERROR') return info;
    }
    return fail('TIMEOUT', `no GCR-1 answers on ${this.path} at any rate`);
  }

  private async updateRate(rate: BaudRate): Promise<ReaderResult<void>> {
    const port = this.port;
    if (!port || !this.connected) return fail('NOT_OPEN', 'port not open');
    if (rate !== this.baud) {
      const err = await new Promise<Error | null>((resolve) => port.update({ baudRate: rate }, resolve));
      if (err) return fail('PORT_ERROR', `cannot set ${rate} baud: ${err.message}`);
      this.baud = rate;
    }
    // Bytes half received at the old rate are garbage now.
    this.parser.reset();
    await sleep(BAUD_SWITCH_PAUSE_MS);
    return ok(undefined);
  }

  private expectOk(o: Outcome, what: string): ReaderResult<void> {
    if (o.kind !== 'response') return outcomeError(o, what);
    if (o.status !== 'OK') return statusError(o.status, what);
    return ok(undefined);
  }

  // ---------------------------------------------------------------- connection

  /** Opens the port, finds the rate, switches to the configured one, asks CARD_STATUS. */
  private async connect(): Promise<ReaderResult<ReaderInfo>> {
    let port: SerialLike;
    try {
      port = this.createPort(this.path, DEFAULT_BAUD);
    } catch (e: unknown) {
      return fail('PORT_ERROR', `cannot create port ${this.path}: ${errorText(e)}`);
    }
    this.baud = DEFAULT_BAUD;
    this.parser.reset();
    port.on('data', (chunk: Buffer) => this.onData(port, chunk));
    port.on('error', () => {
      // Errors also reach the callbacks of the calls that caused them; a listener must
      // exist so that an unplug does not become an uncaught exception.
    });
    port.on('close', (err: Error | null) => this.onClose(port, err));
    const err = await new Promise<Error | null>((resolve) => port.open(resolve));
    if (err) {
      port.removeAllListeners();
      return fail('PORT_ERROR', `cannot open ${this.path}: ${err.message}`);
    }
    this.port = port;
    this.connected = true;
    this.watchPath(port);
    this.markUnsure();
    const found = await this.probeRates();
    if (!found.ok) return found;
    let info = found.value;
    // A busy machine can miss the switch's short window and find the reader still at the old
    // rate; one more try then, before settling for the rate that answers.
    for (let attempt = 0; attempt < 2 && this.baud !== this.targetBaud; attempt += 1) {
      const switched = await this.switchBaud(this.targetBaud);
      if (!switched.ok) return switched;
      info = switched.value;
    }
    // Events are not queued: ask what is in the slot. A card found there is news.
    this.cardPresent = undefined;
    const status = await this.readCardStatus();
    if (!status.ok) return status;
    this.emit({ type: 'reader-connected', info });
    return ok(info);
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    this.connected = false;
    this.failPending({ kind: 'closed', code: 'NOT_OPEN', why: 'port closed' });
    if (!port) return;
    port.removeAllListeners();
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /**
   * A second sign of an unplugged reader besides the port's `close`: its device node (a USB
   * adapter's /dev/ttyUSB0, a pty's link) disappears. The hang-up that makes serialport emit
   * `close` can take seconds to surface on a busy machine, and is not reported at all by some
   * adapters until the next write.
   */
  private watchPath(port: SerialLike): void {
    if (!existsSync(this.path)) return; // a path the OS does not show as a file (COM3): nothing to watch
    const timer = setInterval(() => {
      if (port !== this.port) {
        clearInterval(timer);
        return;
      }
      if (!existsSync(this.path)) {
        clearInterval(timer);
        this.onClose(port, new Error(`${this.path} disappeared`));
        void new Promise<void>((resolve) => port.close(() => resolve()));
      }
    }, PATH_WATCH_MS);
    timer.unref();
  }

  private onClose(port: SerialLike, err: Error | null): void {
    if (port !== this.port) return;
    this.port = undefined;
    this.connected = false;
    port.removeAllListeners();
    const reason = err ? err.message : 'port closed';
    this.failPending({ kind: 'closed', code: 'DISCONNECTED', why: `reader disconnected: ${reason}` });
    this.markUnsure();
    this.cardPresent = undefined;
    if (this.closedByUser) return;
    this.emit({ type: 'reader-disconnected', reason });
    void this.reconnectLoop();
  }

  /** Back-off until the path is listed again and the reader answers there. */
  private async reconnectLoop(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      let delay = this.reconnectInitialMs;
      while (!this.closedByUser && !this.connected) {
        await sleep(delay);
        delay = Math.min(delay * 2, this.reconnectMaxMs);
        if (this.closedByUser) return;
        // A USB adapter reappears in the OS's port list; a pty or a by-id symlink never is listed,
        // so the path itself existing again counts too.
        let listed = existsSync(this.path);
        try {
          listed ||= (await this.listPorts()).some((p) => p.path === this.path);
        } catch {
          // The list failing is no proof the reader is gone.
        }
        if (!listed) continue;
        const r = await this.run(async () => {
          if (this.closedByUser || this.connected) return ok(undefined);
          const c = await this.connect();
          if (!c.ok) await this.closePort();
          return c;
        });
        if (r.ok) return;
      }
    } finally {
      this.reconnecting = false;
    }
  }

  // ---------------------------------------------------------------- exchanges

  /** Serialises port operations; nothing escapes as an exception. */
  private run<T>(op: () => Promise<ReaderResult<T>>): Promise<ReaderResult<T>> {
    const next = this.queue.then(async () => {
      try {
        return await op();
      } catch (e: unknown) {
        return fail<T>('PORT_ERROR', `unexpected: ${errorText(e)}`);
      }
    });
    this.queue = next;
    return next;
  }

  private nextSeq(): number {
    this.seq = this.seq >= MAX_SEQ ? MIN_SEQ : this.seq + 1;
    return this.seq;
  }

  /**
   * A command with the protocol's retry rule: a timeout or an unreadable answer is
   * sent again with a new SEQ up to two more times when `retry` (reads and other
   * harmless commands); never for VERIFY_PSC and the writes. After every timeout the
   * host asks CARD_STATUS (except about CARD_STATUS itself and while probing).
   */
  private async command(
    code: CommandCode,
    data: Uint8Array,
    expectedResponseBytes: number,
    options: { retry?: boolean; pollOnTimeout?: boolean } = {},
  ): Promise<Outcome> {
    const retry = options.retry ?? true;
    const poll = options.pollOnTimeout ?? true;
    let outcome: Outcome = { kind: 'unclear', why: 'not sent' };
    for (let attempt = 0; attempt <= (retry ? RETRIES : 0); attempt++) {
      outcome = await this.exchange(code, data, expectedResponseBytes);
      if (outcome.kind === 'response') {
        if (statusNeedsIdentity(outcome.status)) this.markUnsure();
        return outcome;
      }
      if (outcome.kind === 'closed') return outcome;
      this.markUnsure();
      if (poll && code !== COMMAND.CARD_STATUS && !this.inStatusPoll) {
        this.inStatusPoll = true;
        try {
          await this.readCardStatus();
        } finally {
          this.inStatusPoll = false;
        }
      }
    }
    return outcome;
  }

  /** One request, one SEQ, one response (or a timeout). */
  private async exchange(code: CommandCode, data: Uint8Array, expectedResponseBytes: number): Promise<Outcome> {
    const port = this.port;
    if (!port || !this.connected) return { kind: 'closed', code: this.closedByUser ? 'NOT_OPEN' : 'DISCONNECTED', why: 'reader not connected' };
    const seq = this.nextSeq();
    const frame = encodeFrame({ seq, code, data });
    return new Promise<Outcome>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const finish = (o: Outcome): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        if (this.pending?.seq === seq) this.pending = undefined;
        resolve(o);
      };
      this.pending = { seq, code, request: data, resolve: finish };
      port.write(Buffer.from(frame), (err) => {
        if (err) finish({ kind: 'closed', code: 'PORT_ERROR', why: `write failed: ${err.message}` });
      });
      // The budget runs from when the request's last byte has left the port.
      port.drain((err) => {
        if (err) {
          finish({ kind: 'closed', code: this.connected ? 'PORT_ERROR' : 'DISCONNECTED', why: `drain failed: ${err.message}` });
          return;
        }
        if (settled) return;
        const budget = responseTimeoutMs(code, data.length, expectedResponseBytes, this.baud);
        timer = setTimeout(() => finish({ kind: 'unclear', why: `no answer within ${budget} ms` }), budget);
      });
    });
  }

  private failPending(o: Outcome): void {
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(o);
  }

  private onData(port: SerialLike, chunk: Buffer): void {
    if (port !== this.port) return;
    for (const frame of this.parser.push(chunk, this.now())) this.onFrame(frame);
  }

  private onFrame(frame: Frame): void {
    if (frame.seq === EVENT_SEQ) {
      // An event is never answered. Anything else with SEQ 0 is not ours either.
      if (frame.code === EVENT_CODE) this.onCardEvent(frame.data);
      return;
    }
    const p = this.pending;
    if (!p || frame.seq !== p.seq) return; // stale: the answer to a request given up on
    const status = statusName(frame.code);
    if (status === undefined) {
      p.resolve({ kind: 'unclear', why: `unknown status 0x${frame.code.toString(16)}` });
      return;
    }
    const want = status === 'OK' ? okLength(p.code, p.request) : status === 'WRONG_PSC' ? 1 : 0;
    if (want !== undefined && frame.data.length !== want) {
      p.resolve({ kind: 'unclear', why: `${status} with ${frame.data.length} data bytes, expected ${want}` });
      return;
    }
    p.resolve({ kind: 'response', status, data: frame.data });
  }

  private onCardEvent(data: Uint8Array): void {
    const what = data[0];
    this.markUnsure();
    if (what === CARD_EVENT.INSERTED) {
      this.cardPresent = true;
      this.emit({ type: 'card-inserted' });
    } else if (what === CARD_EVENT.REMOVED) {
      this.cardPresent = false;
      this.emit({ type: 'card-removed' });
    }
  }

  private emit(event: ReaderEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own; the driver goes on.
      }
    }
  }
}

/** Runs of indexes where `have` differs from `want`, each at most `maxRun` long. */
/**
 * The runs of `want` that differ from `have`, each at most `maxRun` bytes. Two runs separated by
 * at most `bridge` unchanged bytes become one: rewriting a byte with its own value costs the
 * card's 5 ms and one byte on the wire, a separate WRITE_MAIN costs a turnaround and a frame.
 */
export function differingRuns(have: Uint8Array, want: Uint8Array, maxRun: number, bridge = 0): { start: number; length: number }[] {
  const runs: { start: number; length: number }[] = [];
  for (let i = 0; i < want.length; i++) {
    if (have[i] === want[i]) continue;
    const last = runs[runs.length - 1];
    const end = last ? last.start + last.length : -1;
    if (last && i - end <= bridge && i - last.start + 1 <= maxRun) last.length = i - last.start + 1;
    else runs.push({ start: i, length: 1 });
  }
  return runs;
}

/**
 * Unchanged bytes worth bridging between two changed runs at `baud`: while their card time
 * and wire time (5 ms + 10 bits each) cost less than a separate WRITE_MAIN would (a turnaround,
 * 15 ms at the least, and a 7-byte request frame and 7-byte response frame).
 */
/** How often the port's device node is checked while connected (see watchPath). */
const PATH_WATCH_MS = 500;

/** The spec promises a response within 200 ms; a reader is never faster than about this. */
const MIN_TURNAROUND_MS = 15;

export function writeBridge(baud: number): number {
  const byteMs = 10_000 / baud;
  return Math.max(0, Math.floor((MIN_TURNAROUND_MS + 14 * byteMs) / (WRITE_MS_PER_BYTE + byteMs)));
}
