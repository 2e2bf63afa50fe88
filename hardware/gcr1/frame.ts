/**
 * GCR-1 frame codec (card-reader-protocol.md, revision 1.4, "Frames" and "Timing").
 *
 * Pure: no Node APIs, no serialport. The driver and the GCR-1 emulator share it, so
 * the exports below are a stable contract.
 *
 * Wire format, both directions:
 *
 *   STX 0x02 | LEN (2, big-endian) = 2 + n | SEQ | CODE | DATA (n, 0..250) | BCC | ETX 0x03
 *
 * - BCC = XOR of every byte from the first LEN byte through the last DATA byte.
 * - SEQ 0x01..0xFF for requests (wrapping to 0x01); 0x00 marks a reader event.
 * - CODE: command code in a request, status code in a response, 0xE0 in an event.
 * - No byte stuffing: 0x02 and 0x03 may appear inside LEN, DATA and BCC.
 *
 * Receiver rules implemented by `FrameParser`:
 * - A bad BCC, a missing ETX, or a LEN below 2 or above 252: drop the FIRST byte of
 *   what is held and look for the next 0x02 (the rest of the held bytes may still
 *   contain a real frame, so they are re-scanned rather than thrown away).
 * - More than 100 ms between two bytes of a partial frame: drop the partial frame,
 *   so a false 0x02 cannot stall the receiver. (Frames that a false candidate had
 *   already swallowed whole are still delivered: see `expire`.)
 */

export const STX = 0x02;
export const ETX = 0x03;

/** SEQ of an unsolicited reader event. */
export const EVENT_SEQ = 0x00;
/** CODE of an unsolicited reader event. */
export const EVENT_CODE = 0xe0;
/** Event DATA[0] values. */
export const CARD_EVENT = {
  REMOVED: 0x00,
  INSERTED: 0x01,
} as const;

export const MIN_SEQ = 0x01;
export const MAX_SEQ = 0xff;

export const MAX_DATA = 250;
/** LEN counts SEQ + CODE + DATA. */
export const MIN_LEN = 2;
export const MAX_LEN = MAX_DATA + 2;
/** STX + LEN(2) + BCC + ETX. */
export const FRAME_OVERHEAD = 5;
/** Bytes on the wire around DATA: STX, LEN(2), SEQ, CODE, BCC, ETX. */
export const FRAME_BYTES_WITHOUT_DATA = 7;
export const MAX_FRAME_BYTES = MAX_LEN + FRAME_OVERHEAD;

/** Inter-byte gap after which a partial frame is dropped ("more than 100 ms"). */
export const PARTIAL_FRAME_GAP_MS = 100;

export const COMMAND = {
  GET_INFO: 0x01,
  SET_BAUD: 0x02,
  BEEP: 0x03,
  CARD_STATUS: 0x10,
  POWER_ON: 0x11,
  POWER_OFF: 0x12,
  READ_MAIN: 0x20,
  READ_PROTECTION: 0x21,
  READ_SECURITY: 0x22,
  VERIFY_PSC: 0x30,
  WRITE_MAIN: 0x31,
  WRITE_PROTECT: 0x32,
  CHANGE_PSC: 0x33,
} as const;
export type CommandName = keyof typeof COMMAND;
export type CommandCode = (typeof COMMAND)[CommandName];

export const STATUS = {
  OK: 0x00,
  NO_CARD: 0x01,
  UNSUPPORTED_CARD: 0x02,
  UNKNOWN_COMMAND: 0x03,
  BAD_PARAMS: 0x04,
  NOT_POWERED: 0x05,
  WRONG_PSC: 0x63,
  WRITE_FAILED: 0x65,
  NOT_VERIFIED: 0x66,
  PROTECTED: 0x67,
  CARD_LOCKED: 0x69,
} as const;
export type StatusName = keyof typeof STATUS;
export type StatusCode = (typeof STATUS)[StatusName];

const STATUS_NAMES = new Map<number, StatusName>(
  (Object.keys(STATUS) as StatusName[]).map((name) => [STATUS[name], name]),
);
const COMMAND_NAMES = new Map<number, CommandName>(
  (Object.keys(COMMAND) as CommandName[]).map((name) => [COMMAND[name], name]),
);

/** The status name of a response CODE, or undefined for a code the spec does not define. */
export function statusName(code: number): StatusName | undefined {
  return STATUS_NAMES.get(code);
}

/** The command name of a request CODE, or undefined for an unknown code. */
export function commandName(code: number): CommandName | undefined {
  return COMMAND_NAMES.get(code);
}

/** CARD_STATUS DATA[2]. */
export const CARD_TYPE = {
  NONE: 0x00,
  SLE4442: 0x42,
  UNKNOWN: 0xff,
} as const;

/** The SLE4442's answer to reset, as POWER_ON returns it. */
export const SLE4442_ATR: readonly number[] = [0xa2, 0x13, 0x10, 0x91];

export const BAUD_RATES = [9600, 19200, 38400, 115200] as const;
export type BaudRate = (typeof BAUD_RATES)[number];
/** SET_BAUD request DATA[0] for each rate. */
export const BAUD_CODE = {
  9600: 0x01,
  19200: 0x02,
  38400: 0x03,
  115200: 0x04,
} as const satisfies Record<BaudRate, number>;
export type BaudCode = (typeof BAUD_CODE)[BaudRate];
/** The reader's rate at power-up. */
export const DEFAULT_BAUD: BaudRate = 9600;

export function isBaudRate(n: number): n is BaudRate {
  return (BAUD_RATES as readonly number[]).includes(n);
}

/** The rate a SET_BAUD code selects, or undefined for a code the spec does not define. */
export function baudFromCode(code: number): BaudRate | undefined {
  return BAUD_RATES.find((rate) => BAUD_CODE[rate] === code);
}

/** READ_SECURITY counter -> attempts left (the number of 1 bits of the low 3 bits). */
export function attemptsLeft(counter: number): number {
  return (counter & 1) + ((counter >> 1) & 1) + ((counter >> 2) & 1);
}

export type Frame = {
  seq: number;
  code: number;
  data: Uint8Array;
};

function isByte(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xff;
}

/**
 * Encodes one frame. Throws RangeError on a SEQ or CODE that is not a byte or on
 * more than 250 data bytes: those are programming errors, never line conditions.
 */
export function encodeFrame(frame: { seq: number; code: number; data?: Uint8Array | readonly number[] }): Uint8Array {
  const { seq, code } = frame;
  const data = frame.data ?? [];
  if (!isByte(seq)) throw new RangeError(`SEQ ${seq} is not a byte`);
  if (!isByte(code)) throw new RangeError(`CODE ${code} is not a byte`);
  if (data.length > MAX_DATA) throw new RangeError(`DATA of ${data.length} bytes exceeds ${MAX_DATA}`);
  const len = data.length + 2;
  const out = new Uint8Array(len + FRAME_OVERHEAD);
  out[0] = STX;
  out[1] = len >> 8;
  out[2] = len & 0xff;
  out[3] = seq;
  out[4] = code;
  let bcc = (len >> 8) ^ (len & 0xff) ^ seq ^ code;
  for (let i = 0; i < data.length; i++) {
    const b = data[i] ?? 0;
    if (!isByte(b)) throw new RangeError(`DATA[${i}] = ${b} is not a byte`);
    out[5 + i] = b;
    bcc ^= b;
  }
  out[5 + data.length] = bcc;
  out[6 + data.length] = ETX;
  return out;
}

/** XOR of `bytes[from..to)`. */
export function bcc(bytes: Uint8Array, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i] ?? 0;
  return x;
}

/**
 * Streaming receiver. Feed it whatever the port delivers, with the time the chunk
 * arrived; it returns the complete, valid frames in order.
 *
 * Memory is bounded: it never holds more than one maximal frame (257 bytes), because
 * a candidate is judged as soon as its LEN is known and its last byte has arrived.
 * Time is linear in the input up to a factor of the frame size: every resync
 * discards at least one byte for good.
 */
export class FrameParser {
  private readonly buf = new Uint8Array(MAX_FRAME_BYTES);
  private held = 0;
  private lastByteMs = 0;
  private dropped = 0;

  /** Bytes discarded so far (garbage, broken frames, timed-out partials): diagnostics only. */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** Bytes of a partial frame currently held. */
  get pending(): number {
    return this.held;
  }

  /** Forgets a partial frame, e.g. after the port's rate changed. */
  reset(): void {
    this.dropped += this.held;
    this.held = 0;
  }

  push(chunk: Uint8Array, nowMs: number): Frame[] {
    const frames: Frame[] = [];
    if (chunk.length === 0) return frames;
    // The gap rule applies between two bytes of one partial frame; all bytes of one
    // chunk arrived together.
    if (this.held > 0 && nowMs - this.lastByteMs > PARTIAL_FRAME_GAP_MS) this.expire(frames);
    this.lastByteMs = nowMs;
    for (const byte of chunk) {
      if (this.held === 0) {
        if (byte !== STX) {
          this.dropped++;
          continue;
        }
      }
      this.buf[this.held++] = byte;
      this.settle(frames);
    }
    return frames;
  }

  /**
   * Judges what is held: emits a complete valid frame, or resynchronises on a bad one,
   * repeatedly, until what remains is a plausible prefix of a frame (or nothing).
   */
  private settle(frames: Frame[]): void {
    for (;;) {
      if (this.held < 3) return; // LEN not known yet; buf[0] is STX by invariant
      const len = ((this.buf[1] ?? 0) << 8) | (this.buf[2] ?? 0);
      if (len < MIN_LEN || len > MAX_LEN) {
        this.resync();
        continue;
      }
      const total = len + FRAME_OVERHEAD;
      if (this.held < total) return;
      const bccAt = 3 + len;
      const ok = this.buf[bccAt] === bcc(this.buf, 1, bccAt) && this.buf[bccAt + 1] === ETX;
      if (!ok) {
        this.resync();
        continue;
      }
      frames.push({
        seq: this.buf[3] ?? 0,
        code: this.buf[4] ?? 0,
        data: this.buf.slice(5, bccAt),
      });
      // After a resync the held bytes can run past this frame: keep the rest and judge it.
      this.skipTo(total);
    }
  }

  /**
   * The partial frame went stale. Dropping it is dropping its first byte and looking
   * for the next STX, as for any bad candidate; a false STX may have swallowed a real
   * frame that was already complete, and that one is still delivered. Whatever is
   * still incomplete is stale too, and goes.
   */
  private expire(frames: Frame[]): void {
    while (this.held > 0) {
      this.resync();
      this.settle(frames);
    }
  }

  /** Drops the first held byte and everything up to the next STX. */
  private resync(): void {
    this.dropped++;
    this.skipTo(1);
  }

  /** Forgets held bytes before `from`, and drops those after it up to the next STX. */
  private skipTo(from: number): void {
    let next = from;
    while (next < this.held && this.buf[next] !== STX) next++;
    this.dropped += next - from;
    this.buf.copyWithin(0, next, this.held);
    this.held -= next;
  }
}

/** Time `bytes` take on the wire at `baud`, at 10 bits a byte (start, 8 data, stop), in ms. */
export function wireTimeMs(bytes: number, baud: number): number {
  return Math.ceil((bytes * 10 * 1000) / baud);
}

/** The reader starts answering within this, before the per-command additions. */
export const BASE_RESPONSE_MS = 200;
/** Added per request data byte of WRITE_MAIN and WRITE_PROTECT. */
export const WRITE_MS_PER_BYTE = 5;
/** Added for VERIFY_PSC and CHANGE_PSC. */
export const PSC_EXTRA_MS = 50;
/** The host's margin on top of the reader's promise. */
export const HOST_MARGIN_MS = 100;

/**
 * How long the host waits, from after the request's drain, before calling it a timeout:
 * 200 ms + 5 ms per request data byte of WRITE_MAIN/WRITE_PROTECT + 50 ms for
 * VERIFY_PSC/CHANGE_PSC + the whole response's wire time at `baud` + 100 ms.
 *
 * `requestDataLength` is the request's whole DATA, address byte included: counting the
 * address costs 5 ms of patience and can never make the host give up early.
 * `expectedResponseBytes` is the DATA length of the expected OK response; the frame's
 * 7 framing bytes are added here, and at least 1 data byte because an error response
 * (WRONG_PSC) can carry one even where OK carries none.
 */
export function responseTimeoutMs(
  command: number,
  requestDataLength: number,
  expectedResponseBytes: number,
  baud: number,
): number {
  let ms = BASE_RESPONSE_MS;
  if (command === COMMAND.WRITE_MAIN || command === COMMAND.WRITE_PROTECT) ms += WRITE_MS_PER_BYTE * requestDataLength;
  if (command === COMMAND.VERIFY_PSC || command === COMMAND.CHANGE_PSC) ms += PSC_EXTRA_MS;
  ms += wireTimeMs(FRAME_BYTES_WITHOUT_DATA + Math.max(1, expectedResponseBytes), baud);
  return ms + HOST_MARGIN_MS;
}
