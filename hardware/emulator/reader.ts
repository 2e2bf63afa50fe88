/**
 * GCR-1 reader emulator: the READER side of card-reader-protocol.md, revision 1.4.
 *
 * Wire behaviour, as the vendor contract states it:
 * - Frames are parsed with the shared `FrameParser` (drop-first-byte resync, a partial frame
 *   dropped after more than 100 ms between two of its bytes). Nothing is answered to a
 *   request that could not be parsed; a request with SEQ 0x00 is discarded; a request that
 *   arrives while the reader is busy is discarded. Nothing is ever de-duplicated: a repeated
 *   SEQ is carried out again and answered with its own SEQ.
 * - Busy = from a request's ETX until the last byte of its response has left (or, for a
 *   response a fault drops, until the moment it would have started).
 * - Status precedence is the spec's table, top row first: UNKNOWN_COMMAND, BAD_PARAMS
 *   (lengths/addresses), NO_CARD, UNSUPPORTED_CARD, NOT_POWERED, CARD_LOCKED, NOT_VERIFIED,
 *   BAD_PARAMS (WRITE_PROTECT data differs), PROTECTED, WRONG_PSC, WRITE_FAILED, OK.
 * - Events (SEQ 0x00, CODE 0xE0, [0x01] inserted / [0x00] removed) go out when they happen,
 *   also between a request and its response; removal powers the card off.
 * - SET_BAUD switches right after its response; a power loss brings back 9600.
 * - BEEP answers before it sounds (the sound does not make the reader busy).
 *
 * Timing model (defaults in DEFAULT_TIMING; all within the spec's budget of 200 ms + 5 ms per
 * write data byte + 50 ms for VERIFY_PSC/CHANGE_PSC):
 *   response STX = request ETX + card time + turnaround
 *   card time    = writeMsPerByte for each byte written to the card (WRITE_MAIN, WRITE_PROTECT),
 *                  pscMs for VERIFY_PSC and CHANGE_PSC (its 3 PSC bytes are spread over it),
 *                  0 otherwise.
 * Output bytes are paced at the current baud, 10 bits a byte, because a pty delivers
 * everything at once and a host must be tested against a realistic wire. With `requestPacing`
 * as well, the host's bytes are taken at the baud too (each chunk when its last byte would have
 * arrived). With pacing off everything happens synchronously inside `receive`, which is what
 * fast tests want.
 */
import {
  BAUD_CODE,
  CARD_EVENT,
  CARD_TYPE,
  COMMAND,
  DEFAULT_BAUD,
  EVENT_CODE,
  EVENT_SEQ,
  FrameParser,
  STATUS,
  baudFromCode,
  commandName,
  encodeFrame,
  type BaudRate,
  type CommandName,
  type Frame,
  type StatusCode,
} from '../gcr1/frame.js';
import { MAIN_MEMORY_BYTES, PROTECTABLE_BYTES, PSC_BYTES, type PullMode, type Sle4442Card } from './sle4442.js';

/** Time and timers, injectable so tests can drive the reader's clock by hand. */
export interface Scheduler {
  now(): number;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

export interface ReaderTiming {
  /** Pace output at the baud and delay responses; off: answer at once (fast tests). */
  readonly pacing: boolean;
  /** From the request's ETX (or the end of the card's work) to the response's STX. */
  readonly turnaroundMs: number;
  /** Card EEPROM time per byte written. */
  readonly writeMsPerByte: number;
  /** Card time of VERIFY_PSC and CHANGE_PSC. */
  readonly pscMs: number;
  /**
   * With pacing, also take the host's bytes at the baud: a chunk is acted on only when its last
   * byte would have arrived on a real line (a pty hands it over at once). Off by default; the
   * bench turns it on so that a request's own wire time is in what it measures.
   */
  readonly requestPacing: boolean;
}

export const DEFAULT_TIMING: ReaderTiming = { pacing: true, turnaroundMs: 15, writeMsPerByte: 5, pscMs: 50, requestPacing: false };

/** What the spec promises before the per-command additions; a larger turnaround breaks it. */
export const SPEC_TURNAROUND_BUDGET_MS = 200;

export const DEFAULT_INFO = 'GCR-1 fw1.3 SN:00012345';

/** A card in the slot: an SLE4442, or a card of some other kind (UNSUPPORTED_CARD). */
export type SlotCard =
  | { readonly name: string; readonly chip: 'sle4442'; readonly card: Sle4442Card }
  | { readonly name: string; readonly chip: 'other' };

/** A fault applied to the next response (events are never touched). */
export type ResponseFault =
  /** The response is not sent at all (the command was still carried out). */
  | { readonly kind: 'drop' }
  /** `count` bytes from `offset` are left out: the host gets a broken or partial frame. */
  | { readonly kind: 'cut'; readonly offset: number; readonly count: number }
  /** Byte `index` (modulo the frame's length) is XORed with `mask`. */
  | { readonly kind: 'garble'; readonly index: number; readonly mask: number };

/** Whether a pull's removal event goes before or after the WRITE_FAILED (or OK) response. */
export type PullEventOrder = 'after-response' | 'before-response';

export interface ReaderStats {
  requests: number;
  responses: number;
  events: number;
  discardedBusy: number;
  discardedSeq0: number;
  droppedResponses: number;
  parserDroppedBytes: number;
  /** Bytes from the host that reached the reader (not those lost while it was powered down). */
  bytesReceived: number;
  /** Bytes of responses handed to the line, as sent (after a 'cut' or 'garble' fault). */
  responseBytes: number;
  /** Bytes of events handed to the line. */
  eventBytes: number;
  /**
   * Card time the reader spent, with pacing on (0 with pacing off): writeMsPerByte for each byte
   * written (WRITE_MAIN, WRITE_PROTECT), pscMs for each VERIFY_PSC and CHANGE_PSC.
   */
  cardMs: number;
  /** Turnaround the reader spent, with pacing on (0 with pacing off): turnaroundMs per answer. */
  turnaroundMs: number;
  /**
   * Time the reader was busy with requests: from each request's ETX until the last byte of its
   * response was handed to the line (turnaround + card time + the response's pacing, with pacing
   * on: n - 1 byte times for an n-byte frame).
   */
  busyMs: number;
  /** Requests carried out, by command name ('UNKNOWN' for a code the spec does not define). */
  commands: Record<string, number>;
}

export interface ReaderOptions {
  /** Raw bytes to the wire (the pty, or a test's buffer). */
  readonly output: (bytes: Uint8Array) => void;
  readonly scheduler?: Scheduler;
  readonly timing?: Partial<ReaderTiming>;
  readonly info?: string;
  /** The card left the slot by itself (an armed pull fired): the owner updates where it is. */
  readonly onCardPulled?: (slot: SlotCard) => void;
  readonly onBeep?: (ms: number) => void;
  readonly onBaud?: (baud: BaudRate) => void;
  readonly log?: (line: string) => void;
}

type CardCommand = Exclude<CommandName, 'GET_INFO' | 'SET_BAUD' | 'BEEP' | 'CARD_STATUS'>;

/** A write the card carries out byte by byte: one step per byte. */
interface WriteJob {
  readonly steps: number;
  readonly msPerStep: number;
  readonly step: (k: number) => 'written' | 'pulled';
}

export class Gcr1Reader {
  private readonly output: (bytes: Uint8Array) => void;
  private readonly scheduler: Scheduler;
  private readonly info: Uint8Array;
  private readonly options: ReaderOptions;
  private readonly parser = new FrameParser();
  private readonly tx: Transmitter;
  private timingState: ReaderTiming;
  private baudState: BaudRate = DEFAULT_BAUD;
  private slotState: SlotCard | null = null;
  private busyState = false;
  /** With request pacing: when the host's bytes already on the line have all arrived. */
  private inboundFreeAt = 0;
  /** When the request now being handled arrived (for `stats.busyMs`). */
  private busySince = 0;
  /**
   * With pacing, the time the exchange in hand has reached on the model's clock: the request's
   * arrival, then each card step. Timers fire a little late (about 1 ms); scheduling the next
   * step from here rather than from `now` keeps that lateness from adding up over an exchange.
   */
  private workAt = 0;
  /** Bumped on power loss: callbacks of an older epoch do nothing. */
  private epoch = 0;
  private cancels = new Set<() => void>();
  private offUntil = -Infinity;
  private readonly faults: ResponseFault[] = [];
  private pullOrder: PullEventOrder = 'after-response';
  readonly stats: ReaderStats = {
    requests: 0,
    responses: 0,
    events: 0,
    discardedBusy: 0,
    discardedSeq0: 0,
    droppedResponses: 0,
    parserDroppedBytes: 0,
    bytesReceived: 0,
    responseBytes: 0,
    eventBytes: 0,
    cardMs: 0,
    turnaroundMs: 0,
    busyMs: 0,
    commands: {},
  };

  constructor(options: ReaderOptions) {
    this.options = options;
    this.output = options.output;
    this.scheduler = options.scheduler ?? realScheduler;
    this.timingState = { ...DEFAULT_TIMING, ...options.timing };
    this.info = new TextEncoder().encode(options.info ?? DEFAULT_INFO);
    this.tx = new Transmitter(this.scheduler, (bytes) => this.output(bytes), () => this.timingState.pacing, () => this.baudState);
  }

  get baud(): BaudRate {
    return this.baudState;
  }

  get busy(): boolean {
    return this.busyState;
  }

  get slot(): SlotCard | null {
    return this.slotState;
  }

  get timing(): ReaderTiming {
    return this.timingState;
  }

  get poweredDown(): boolean {
    return this.scheduler.now() < this.offUntil;
  }

  setTiming(timing: Partial<ReaderTiming>): void {
    this.timingState = { ...this.timingState, ...timing };
    // Bytes waiting to be paced would otherwise keep trickling out after pacing went off.
    if (!this.timingState.pacing) this.tx.flush();
  }

  /** The next responses, in order, get these faults (one fault per response). */
  queueFault(fault: ResponseFault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  get pendingFaults(): readonly ResponseFault[] {
    return [...this.faults];
  }

  setPullEventOrder(order: PullEventOrder): void {
    this.pullOrder = order;
  }

  /** Bytes from the host, as the port delivered them. */
  receive(chunk: Uint8Array): void {
    if (this.poweredDown) return;
    if (this.timingState.pacing && this.timingState.requestPacing) {
      // The line is busy until the bytes before these have arrived; then these take their time.
      const now = this.scheduler.now();
      this.inboundFreeAt = Math.max(now, this.inboundFreeAt) + (chunk.length * 10_000) / this.baudState;
      const copy = chunk.slice();
      const at = this.inboundFreeAt;
      this.laterAt(at, () => this.take(copy, at));
      return;
    }
    this.take(chunk, this.scheduler.now());
  }

  /** Bytes that have arrived at `at` (now, or when the line delivered them with request pacing). */
  private take(chunk: Uint8Array, at: number): void {
    if (this.poweredDown) return;
    this.stats.bytesReceived += chunk.length;
    const frames = this.parser.push(chunk, at);
    this.stats.parserDroppedBytes = this.parser.droppedBytes;
    for (const frame of frames) this.onFrame(frame, at);
  }

  insert(slot: SlotCard): void {
    if (this.slotState) throw new Error(`the slot already holds ${this.slotState.name}`);
    this.slotState = slot;
    // A card arrives unpowered whatever state it left another reader or a meter in.
    if (slot.chip === 'sle4442') slot.card.powerOff();
    this.log(`card ${slot.name} inserted`);
    if (!this.poweredDown) this.sendEvent(CARD_EVENT.INSERTED);
  }

  /** Takes the card out (powering it off); null when the slot was empty. */
  remove(): SlotCard | null {
    const slot = this.slotState;
    if (!slot) return null;
    this.slotState = null;
    if (slot.chip === 'sle4442') slot.card.powerOff();
    this.log(`card ${slot.name} removed`);
    if (!this.poweredDown) this.sendEvent(CARD_EVENT.REMOVED);
    return slot;
  }

  /**
   * The reader loses power for `offMs`: whatever it was doing is lost (no response), the card
   * is unpowered, the rate goes back to 9600, the receiver forgets a partial frame, and
   * bytes arriving while it is off are lost.
   */
  powerLoss(offMs = 0): void {
    this.epoch += 1;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    this.tx.clear();
    this.busyState = false;
    this.inboundFreeAt = 0;
    this.parser.reset();
    if (this.slotState?.chip === 'sle4442') this.slotState.card.powerOff();
    this.setBaud(DEFAULT_BAUD);
    this.offUntil = this.scheduler.now() + offMs;
    this.log(`power loss (${offMs} ms off)`);
  }

  /** Stops every timer (the process is shutting down). */
  dispose(): void {
    this.epoch += 1;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    this.tx.clear();
  }

  // --- Requests -------------------------------------------------------------------------

  private onFrame(frame: Frame, at: number): void {
    if (frame.seq === EVENT_SEQ) {
      this.stats.discardedSeq0 += 1;
      this.log(`discarded a request with SEQ 0x00 (code 0x${hex(frame.code)})`);
      return;
    }
    if (this.busyState) {
      this.stats.discardedBusy += 1;
      this.log(`busy: discarded SEQ ${frame.seq} code 0x${hex(frame.code)}`);
      return;
    }
    this.stats.requests += 1;
    const name = commandName(frame.code) ?? 'UNKNOWN';
    this.stats.commands[name] = (this.stats.commands[name] ?? 0) + 1;
    this.busyState = true;
    this.workAt = at;
    this.busySince = at;
    this.handle(frame);
  }

  private handle(req: Frame): void {
    const name = commandName(req.code);
    if (name === undefined) return this.answer(req, STATUS.UNKNOWN_COMMAND);
    if (!paramsInRange(name, req.data)) return this.answer(req, STATUS.BAD_PARAMS);
    switch (name) {
      case 'GET_INFO':
        return this.answer(req, STATUS.OK, this.info);
      case 'SET_BAUD': {
        const baud = baudFromCode(req.data[0] ?? 0);
        if (baud === undefined) return this.answer(req, STATUS.BAD_PARAMS);
        // The response still goes out at the old rate; the new one applies right after it.
        return this.answer(req, STATUS.OK, [], 0, () => this.setBaud(baud));
      }
      case 'BEEP': {
        const ms = ((req.data[0] ?? 0) << 8) | (req.data[1] ?? 0);
        return this.answer(req, STATUS.OK, [], 0, () => this.options.onBeep?.(ms));
      }
      case 'CARD_STATUS': {
        const slot = this.slotState;
        if (!slot) return this.answer(req, STATUS.OK, [0, 0, CARD_TYPE.NONE]);
        if (slot.chip === 'other') return this.answer(req, STATUS.OK, [1, 0, CARD_TYPE.UNKNOWN]);
        return this.answer(req, STATUS.OK, [1, slot.card.powered ? 1 : 0, CARD_TYPE.SLE4442]);
      }
      case 'POWER_ON':
      case 'POWER_OFF':
      case 'READ_MAIN':
      case 'READ_PROTECTION':
      case 'READ_SECURITY':
      case 'VERIFY_PSC':
      case 'WRITE_MAIN':
      case 'WRITE_PROTECT':
      case 'CHANGE_PSC':
        return this.cardCommand(name, req);
      default: {
        const never: never = name;
        return never;
      }
    }
  }

  private cardCommand(name: CardCommand, req: Frame): void {
    const slot = this.slotState;
    if (!slot) return this.answer(req, STATUS.NO_CARD);
    if (slot.chip === 'other') return this.answer(req, STATUS.UNSUPPORTED_CARD);
    const card = slot.card;
    const data = req.data;
    switch (name) {
      case 'POWER_ON':
        return this.answer(req, STATUS.OK, card.powerOn());
      case 'POWER_OFF':
        // Powering off an unpowered card is not an error: hosts power off "to be sure".
        card.powerOff();
        return this.answer(req, STATUS.OK);
      case 'READ_MAIN':
      case 'READ_PROTECTION':
      case 'READ_SECURITY':
      case 'VERIFY_PSC':
      case 'WRITE_MAIN':
      case 'WRITE_PROTECT':
      case 'CHANGE_PSC':
        break;
      default: {
        const never: never = name;
        return never;
      }
    }
    if (!card.powered) return this.answer(req, STATUS.NOT_POWERED);
    switch (name) {
      case 'READ_MAIN':
        return this.answer(req, STATUS.OK, card.read(data[0] ?? 0, data[1] ?? 0));
      case 'READ_PROTECTION':
        return this.answer(req, STATUS.OK, card.protectionBits());
      case 'READ_SECURITY':
        return this.answer(req, STATUS.OK, [card.securityCounter]);
      case 'VERIFY_PSC': {
        if (card.isLocked) return this.answer(req, STATUS.CARD_LOCKED);
        const result = card.verify([...data]);
        const extra = this.timingState.pscMs;
        return result.ok ? this.answer(req, STATUS.OK, [], extra) : this.answer(req, STATUS.WRONG_PSC, [result.counter], extra);
      }
      case 'WRITE_MAIN':
      case 'WRITE_PROTECT':
      case 'CHANGE_PSC':
        break;
      default: {
        const never: never = name;
        return never;
      }
    }
    if (card.isLocked) return this.answer(req, STATUS.CARD_LOCKED);
    if (!card.verified) return this.answer(req, STATUS.NOT_VERIFIED);
    const addr = data[0] ?? 0;
    const payload = data.subarray(1);
    switch (name) {
      case 'WRITE_PROTECT':
        if (!card.matches(addr, payload)) return this.answer(req, STATUS.BAD_PARAMS);
        return this.runWrite(req, slot, {
          steps: payload.length,
          msPerStep: this.timingState.writeMsPerByte,
          step: (k) => card.protectByte(addr + k, payload[k] ?? 0),
        });
      case 'WRITE_MAIN':
        if (card.wouldChangeProtected(addr, payload)) return this.answer(req, STATUS.PROTECTED);
        return this.runWrite(req, slot, {
          steps: payload.length,
          msPerStep: this.timingState.writeMsPerByte,
          step: (k) => card.writeByte(addr + k, payload[k] ?? 0),
        });
      case 'CHANGE_PSC':
        return this.runWrite(req, slot, {
          steps: PSC_BYTES,
          msPerStep: this.timingState.pscMs / PSC_BYTES,
          step: (k) => card.writePscByte(k, data[k] ?? 0),
        });
      default: {
        const never: never = name;
        return never;
      }
    }
  }

  /**
   * Carries out a write byte by byte. With pacing each byte takes its EEPROM time, so a card
   * removed (or a reader power loss) in the middle of a long write really tears it; an armed
   * pull tears it after exactly N bytes either way.
   */
  private runWrite(req: Frame, slot: SlotCard & { chip: 'sle4442' }, job: WriteJob): void {
    const card = slot.card;
    let k = 0;
    const failed = (after?: () => void): void => this.answer(req, STATUS.WRITE_FAILED, [], 0, after);
    const stillThere = (): boolean => this.slotState === slot && card.powered;
    const next = (): void => {
      while (k < job.steps) {
        if (!stillThere()) return failed();
        const result = job.step(k);
        if (result === 'pulled') {
          this.cardWentDuringWrite(slot, card.lastPullMode ?? 'pull', failed);
          return;
        }
        k += 1;
        if (this.timingState.pacing && job.msPerStep > 0) {
          this.stats.cardMs += job.msPerStep;
          this.workAt += job.msPerStep;
          this.laterAt(this.workAt, next);
          return;
        }
      }
      const pulled = card.finishWrite();
      if (pulled === null) return this.answer(req, STATUS.OK);
      this.cardWentDuringWrite(slot, pulled, (after) => this.answer(req, STATUS.OK, [], 0, after));
    };
    next();
  }

  /** An armed pull fired: the card is already unpowered; it leaves the slot unless it glitched. */
  private cardWentDuringWrite(slot: SlotCard, mode: PullMode, respond: (after?: () => void) => void): void {
    switch (mode) {
      case 'power-glitch':
        return respond();
      case 'pull':
        if (this.pullOrder === 'before-response') {
          this.takeOut(slot);
          return respond();
        }
        return respond(() => this.takeOut(slot));
      default: {
        const never: never = mode;
        return never;
      }
    }
  }

  private takeOut(slot: SlotCard): void {
    if (this.slotState !== slot) return;
    this.remove();
    this.options.onCardPulled?.(slot);
  }

  /**
   * Sends a response `turnaroundMs + extraMs` from now (at once without pacing), with the
   * request's SEQ; `after` runs once the response has left (or would have, if dropped).
   */
  private answer(req: Frame, status: StatusCode, data: Uint8Array | readonly number[] = [], extraMs = 0, after?: () => void): void {
    const send = (startAt?: number): void => {
      const frame = encodeFrame({ seq: req.seq, code: status, data });
      const wire = this.applyFault(frame);
      const done = (): void => {
        this.busyState = false;
        this.stats.busyMs += this.scheduler.now() - this.busySince;
        after?.();
      };
      this.log(`SEQ ${req.seq} 0x${hex(req.code)} -> 0x${hex(status)}${wire === null ? ' (dropped)' : ''}`);
      if (wire === null) {
        this.stats.droppedResponses += 1;
        return done();
      }
      this.stats.responses += 1;
      this.stats.responseBytes += wire.length;
      this.tx.send(wire, done, startAt);
    };
    if (!this.timingState.pacing) return send();
    this.stats.turnaroundMs += this.timingState.turnaroundMs;
    this.stats.cardMs += extraMs;
    const startAt = this.workAt + this.timingState.turnaroundMs + extraMs;
    this.laterAt(startAt, () => send(startAt));
  }

  private applyFault(frame: Uint8Array): Uint8Array | null {
    const fault = this.faults.shift();
    if (!fault) return frame;
    switch (fault.kind) {
      case 'drop':
        return null;
      case 'cut': {
        const from = Math.min(Math.max(0, fault.offset), frame.length);
        const to = Math.min(frame.length, from + Math.max(0, fault.count));
        const out = new Uint8Array(frame.length - (to - from));
        out.set(frame.subarray(0, from), 0);
        out.set(frame.subarray(to), from);
        return out;
      }
      case 'garble': {
        const out = frame.slice();
        const at = ((fault.index % out.length) + out.length) % out.length;
        out[at] = (out[at] ?? 0) ^ (fault.mask & 0xff || 0x01);
        return out;
      }
      default: {
        const never: never = fault;
        return never;
      }
    }
  }

  private sendEvent(data: number): void {
    this.stats.events += 1;
    const frame = encodeFrame({ seq: EVENT_SEQ, code: EVENT_CODE, data: [data] });
    this.stats.eventBytes += frame.length;
    this.tx.send(frame);
  }

  private setBaud(baud: BaudRate): void {
    if (baud === this.baudState) return;
    this.baudState = baud;
    this.log(`baud ${baud} (code 0x${hex(BAUD_CODE[baud])})`);
    this.options.onBaud?.(baud);
  }

  /** A timer for the moment `at` (or at once if that has passed) that a power loss cancels. */
  private laterAt(at: number, fn: () => void): void {
    const epoch = this.epoch;
    const cancel = this.scheduler.setTimeout(() => {
      this.cancels.delete(cancel);
      if (epoch === this.epoch) fn();
    }, Math.max(0, at - this.scheduler.now()));
    this.cancels.add(cancel);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** The first BAD_PARAMS row: lengths and addresses, before anything about the card. */
export function paramsInRange(name: CommandName, data: Uint8Array): boolean {
  const addr = data[0] ?? 0;
  switch (name) {
    case 'GET_INFO':
    case 'CARD_STATUS':
    case 'POWER_ON':
    case 'POWER_OFF':
    case 'READ_PROTECTION':
    case 'READ_SECURITY':
      return data.length === 0;
    case 'SET_BAUD':
      return data.length === 1 && baudFromCode(addr) !== undefined;
    case 'BEEP':
      return data.length === 2;
    case 'READ_MAIN': {
      const len = data[1] ?? 0;
      return data.length === 2 && len >= 1 && len <= 250 && addr + len <= MAIN_MEMORY_BYTES;
    }
    case 'VERIFY_PSC':
    case 'CHANGE_PSC':
      return data.length === PSC_BYTES;
    case 'WRITE_MAIN': {
      const n = data.length - 1;
      return n >= 1 && n <= 64 && addr + n <= MAIN_MEMORY_BYTES;
    }
    case 'WRITE_PROTECT': {
      const n = data.length - 1;
      return n >= 1 && addr + n <= PROTECTABLE_BYTES;
    }
    default: {
      const never: never = name;
      return never;
    }
  }
}

/**
 * Paces bytes at the line rate: byte i of a burst leaves at start + i * (10 bits / baud).
 * Timers are coarse (about 1 ms), so each tick sends every byte that is due; the average
 * rate is exact and a 257-byte frame costs a few hundred tiny timer callbacks at most.
 */
class Transmitter {
  private readonly queue: { bytes: Uint8Array; offset: number; done: (() => void) | undefined }[] = [];
  private nextByteAt = 0;
  private cancelTimer: (() => void) | null = null;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly out: (bytes: Uint8Array) => void,
    private readonly paced: () => boolean,
    private readonly baud: () => number,
  ) {}

  /**
   * `startAt`: when the first byte was due, if that was earlier than now (a timer fired late):
   * bytes already due by the line's clock go out at once instead of starting the frame late.
   */
  send(bytes: Uint8Array, done?: () => void, startAt?: number): void {
    if (!this.paced()) {
      this.out(bytes);
      done?.();
      return;
    }
    if (this.queue.length === 0) this.nextByteAt = Math.max(this.nextByteAt, Math.min(startAt ?? Infinity, this.scheduler.now()));
    this.queue.push({ bytes, offset: 0, done });
    if (!this.cancelTimer) this.pump();
  }

  /** Sends everything queued at once (pacing was switched off). */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const items = this.queue.splice(0);
    for (const item of items) {
      this.out(item.bytes.subarray(item.offset));
      item.done?.();
    }
  }

  /** Forgets everything queued (power loss): the callbacks never run. */
  clear(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.queue.length = 0;
  }

  private pump(): void {
    this.cancelTimer = null;
    const now = this.scheduler.now();
    const byteMs = 10_000 / this.baud();
    const burst: number[] = [];
    const finished: (() => void)[] = [];
    for (;;) {
      const head = this.queue[0];
      if (!head || this.nextByteAt > now + 1e-6) break;
      burst.push(head.bytes[head.offset] ?? 0);
      head.offset += 1;
      this.nextByteAt += byteMs;
      if (head.offset >= head.bytes.length) {
        this.queue.shift();
        if (head.done) finished.push(head.done);
      }
    }
    if (burst.length > 0) this.out(Uint8Array.from(burst));
    if (this.queue.length > 0 && !this.cancelTimer) {
      this.cancelTimer = this.scheduler.setTimeout(() => this.pump(), Math.max(1, this.nextByteAt - now));
    }
    // Last: a callback may queue more (an event after a response) and re-enter `send`.
    for (const done of finished) done();
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Re-exported so emulator users need one import for the codes they assert on. */
export { COMMAND, STATUS };
