/**
 * SLE4442 memory card model (card-reader-protocol.md, "SLE4442 in one paragraph"; the
 * status rules of "Status codes" that belong to the chip).
 *
 * - 256 bytes of EEPROM main memory, readable by anyone once powered.
 * - 32 protection bits for bytes 0..31: once set, for good.
 * - A 3-byte PSC and an error counter: 0x07 three attempts, 0x03 two, 0x01 one, 0x00 locked.
 *   A wrong presentation clears one bit; a right one restores 0x07; at 0x00 the card is
 *   locked for good: readable, never writable, never verifiable.
 * - Power state, and a verified state that lives for one power session.
 * - Writes are byte by byte: a card pulled after N bytes keeps exactly the first N.
 *
 * The card does not know the reader's status precedence: it exposes predicates (`isLocked`,
 * `isProtected`, ...) that the reader checks in the spec's order, and low-level operations
 * that throw on a programming error (a write the reader should have refused), so a bug in the
 * reader cannot silently write a locked or protected card.
 *
 * The "hand" that pulls the card mid-write lives here too (`armPull`): the same fault then
 * works in the reader and in the meter, because both write through `writeByte`.
 */
import { SLE4442_ATR } from '../gcr1/frame.js';

export const MAIN_MEMORY_BYTES = 256;
export const PROTECTABLE_BYTES = 32;
export const PSC_BYTES = 3;
/** The PSC of a blank card. */
export const BLANK_PSC: readonly number[] = [0xff, 0xff, 0xff];

/** Error counter values in the order a run of wrong presentations walks them. */
export const SECURITY_COUNTER = {
  THREE: 0x07,
  TWO: 0x03,
  ONE: 0x01,
  LOCKED: 0x00,
} as const;
export type SecurityCounter = (typeof SECURITY_COUNTER)[keyof typeof SECURITY_COUNTER];

export function isSecurityCounter(n: number): n is SecurityCounter {
  return n === 0x07 || n === 0x03 || n === 0x01 || n === 0x00;
}

/** What happens to the card when an armed pull fires. */
export type PullMode =
  /** The card leaves the slot (the reader sends a removal event). */
  | 'pull'
  /** The card loses power but stays in the slot (a contact glitch): no event. */
  | 'power-glitch';

/** Result of one byte of a write. */
export type ByteWrite = 'written' | 'pulled';

export interface Sle4442Snapshot {
  readonly memoryHex: string;
  /** 4 bytes as READ_PROTECTION reports them (bit = 0: protected), hex. */
  readonly protectionHex: string;
  readonly pscHex: string;
  readonly securityCounter: number;
  readonly powered: boolean;
  readonly verified: boolean;
  readonly pullArmed: { readonly afterBytes: number; readonly mode: PullMode } | null;
}

export interface Sle4442Init {
  readonly memory?: Uint8Array;
  readonly psc?: readonly number[];
  readonly securityCounter?: SecurityCounter;
  /** Indices 0..31 already protected. */
  readonly protectedBytes?: readonly number[];
}

interface ArmedPull {
  /** Bytes the next write may still write before the card goes. */
  remaining: number;
  readonly mode: PullMode;
}

export class Sle4442Card {
  private readonly memory = new Uint8Array(MAIN_MEMORY_BYTES);
  /** true = protected; kept as booleans, exported in the chip's inverted bit form. */
  private readonly protectedFlags: boolean[] = new Array<boolean>(PROTECTABLE_BYTES).fill(false);
  private psc: number[];
  private counter: SecurityCounter;
  private poweredState = false;
  private verifiedState = false;
  private armed: ArmedPull | null = null;
  private firedMode: PullMode | null = null;

  constructor(init: Sle4442Init = {}) {
    if (init.memory) {
      if (init.memory.length !== MAIN_MEMORY_BYTES) throw new RangeError(`memory must be ${MAIN_MEMORY_BYTES} bytes`);
      this.memory.set(init.memory);
    }
    const psc = init.psc ?? BLANK_PSC;
    if (psc.length !== PSC_BYTES) throw new RangeError('PSC must be 3 bytes');
    this.psc = [...psc];
    this.counter = init.securityCounter ?? SECURITY_COUNTER.THREE;
    for (const i of init.protectedBytes ?? []) {
      if (!Number.isInteger(i) || i < 0 || i >= PROTECTABLE_BYTES) throw new RangeError(`byte ${i} cannot be protected`);
      this.protectedFlags[i] = true;
    }
  }

  get powered(): boolean {
    return this.poweredState;
  }

  /** Verified in the current power session. */
  get verified(): boolean {
    return this.verifiedState;
  }

  get securityCounter(): SecurityCounter {
    return this.counter;
  }

  get isLocked(): boolean {
    return this.counter === SECURITY_COUNTER.LOCKED;
  }

  /** Cold reset: a new power session, so whatever was verified before is not any more. */
  powerOn(): readonly number[] {
    this.poweredState = true;
    this.verifiedState = false;
    return SLE4442_ATR;
  }

  powerOff(): void {
    this.poweredState = false;
    this.verifiedState = false;
  }

  /** Main memory as it is now, powered or not (the emulator's view, not the wire's). */
  peek(addr: number, len: number): Uint8Array {
    checkRange(addr, len, MAIN_MEMORY_BYTES);
    return this.memory.slice(addr, addr + len);
  }

  /**
   * Writes main memory as another terminal would have (a van that sold on this card while it was
   * away from this counter): for tests and the CLI, not reachable from the serial line.
   */
  overwrite(addr: number, bytes: Uint8Array): void {
    checkRange(addr, bytes.length, MAIN_MEMORY_BYTES);
    this.memory.set(bytes, addr);
  }

  /** READ_MAIN: needs power. */
  read(addr: number, len: number): Uint8Array {
    this.requirePower('read');
    return this.peek(addr, len);
  }

  isProtected(addr: number): boolean {
    return addr < PROTECTABLE_BYTES && this.protectedFlags[addr] === true;
  }

  /** READ_PROTECTION: bit i % 8 of byte i / 8 is 0 when byte i is protected. */
  protectionBits(): Uint8Array {
    const out = new Uint8Array(4).fill(0xff);
    for (let i = 0; i < PROTECTABLE_BYTES; i += 1) {
      if (this.protectedFlags[i] === true) out[i >> 3] = (out[i >> 3] ?? 0) & ~(1 << (i & 7));
    }
    return out;
  }

  /** Would writing `data` at `addr` change a protected byte? */
  wouldChangeProtected(addr: number, data: Uint8Array): boolean {
    for (let k = 0; k < data.length; k += 1) {
      const at = addr + k;
      if (this.isProtected(at) && this.memory[at] !== data[k]) return true;
    }
    return false;
  }

  /** WRITE_PROTECT's precondition: each byte equals what is there. */
  matches(addr: number, data: Uint8Array): boolean {
    for (let k = 0; k < data.length; k += 1) if (this.memory[addr + k] !== data[k]) return false;
    return true;
  }

  /**
   * VERIFY_PSC. The chip spends the attempt before it compares (that is what makes a pull
   * during a verify cost an attempt on a real card), and a right code restores all three.
   */
  verify(psc: readonly number[]): { readonly ok: boolean; readonly counter: SecurityCounter } {
    this.requirePower('verify');
    if (this.isLocked) throw new Error('verify on a locked card: the reader answers CARD_LOCKED first');
    this.counter = nextCounterAfterWrong(this.counter);
    const ok = psc.length === PSC_BYTES && psc.every((b, i) => b === this.psc[i]);
    if (ok) this.counter = SECURITY_COUNTER.THREE;
    this.verifiedState = ok;
    return { ok, counter: this.counter };
  }

  /**
   * Arms the hand: the next write (WRITE_MAIN, WRITE_PROTECT, CHANGE_PSC, or the meter's)
   * stops after `afterBytes` bytes and the card goes. A write of `afterBytes` bytes or fewer
   * completes, and the card goes right after its last byte (`finishWrite` says so).
   */
  armPull(afterBytes: number, mode: PullMode = 'pull'): void {
    if (!Number.isInteger(afterBytes) || afterBytes < 0) throw new RangeError('afterBytes must be a whole number >= 0');
    this.armed = { remaining: afterBytes, mode };
  }

  disarmPull(): void {
    this.armed = null;
  }

  /** One byte of main memory. Throws when the write is not allowed (the reader checks first). */
  writeByte(addr: number, value: number): ByteWrite {
    this.requireWritable('write');
    checkRange(addr, 1, MAIN_MEMORY_BYTES);
    if (this.isProtected(addr) && this.memory[addr] !== value) throw new Error(`byte ${addr} is protected`);
    if (this.takeByte() === 'pulled') return 'pulled';
    // A protected byte with equal data is left as it is: the chip skips it, but it still
    // takes its turn in the byte-by-byte write.
    if (!this.isProtected(addr)) this.memory[addr] = value & 0xff;
    return 'written';
  }

  /** Sets one protection bit; the data must equal what is there (the reader checks first). */
  protectByte(addr: number, value: number): ByteWrite {
    this.requireWritable('protect');
    checkRange(addr, 1, PROTECTABLE_BYTES);
    if (this.memory[addr] !== value) throw new Error(`protect data differs at ${addr}`);
    if (this.takeByte() === 'pulled') return 'pulled';
    this.protectedFlags[addr] = true;
    return 'written';
  }

  /** One byte of the PSC (CHANGE_PSC writes three; a pull in between leaves a mixed code). */
  writePscByte(index: number, value: number): ByteWrite {
    this.requireWritable('change PSC');
    if (!Number.isInteger(index) || index < 0 || index >= PSC_BYTES) throw new RangeError('PSC index out of range');
    if (this.takeByte() === 'pulled') return 'pulled';
    this.psc[index] = value & 0xff;
    return 'written';
  }

  /**
   * Ends a write that completed. True when an armed pull fires now (the write was no longer
   * than the pull's byte count): the caller removes the card.
   */
  finishWrite(): PullMode | null {
    const armed = this.armed;
    if (!armed) return null;
    this.armed = null;
    this.firedMode = armed.mode;
    this.powerOff();
    return armed.mode;
  }

  /** How the last pull that fired took the card, for the caller that got 'pulled'. */
  get lastPullMode(): PullMode | null {
    return this.firedMode;
  }

  /** Emulator controls: not reachable through the reader protocol. */
  lock(): void {
    this.counter = SECURITY_COUNTER.LOCKED;
    this.verifiedState = false;
  }

  setSecurityCounter(counter: SecurityCounter): void {
    this.counter = counter;
    if (counter === SECURITY_COUNTER.LOCKED) this.verifiedState = false;
  }

  /** The PSC, for tests and the emulator's state dump (a real card never reveals it). */
  get pscForTests(): readonly number[] {
    return [...this.psc];
  }

  snapshot(): Sle4442Snapshot {
    return {
      memoryHex: toHex(this.memory),
      protectionHex: toHex(this.protectionBits()),
      pscHex: toHex(Uint8Array.from(this.psc)),
      securityCounter: this.counter,
      powered: this.poweredState,
      verified: this.verifiedState,
      pullArmed: this.armed ? { afterBytes: this.armed.remaining, mode: this.armed.mode } : null,
    };
  }

  /**
   * Spends one byte of the armed pull. When the budget is exhausted the card goes before this
   * byte: powered off, unverified; `lastPullMode` tells the caller whether it left the slot.
   */
  private takeByte(): ByteWrite {
    const armed = this.armed;
    if (!armed) return 'written';
    if (armed.remaining === 0) {
      this.armed = null;
      this.firedMode = armed.mode;
      this.powerOff();
      return 'pulled';
    }
    armed.remaining -= 1;
    return 'written';
  }

  private requirePower(what: string): void {
    if (!this.poweredState) throw new Error(`${what} on an unpowered card`);
  }

  private requireWritable(what: string): void {
    this.requirePower(what);
    if (this.isLocked) throw new Error(`${what} on a locked card`);
    if (!this.verifiedState) throw new Error(`${what} before VERIFY_PSC`);
  }
}

/** 0x07 -> 0x03 -> 0x01 -> 0x00: one attempt fewer. */
export function nextCounterAfterWrong(counter: SecurityCounter): SecurityCounter {
  switch (counter) {
    case 0x07:
      return 0x03;
    case 0x03:
      return 0x01;
    case 0x01:
    case 0x00:
      return 0x00;
    default: {
      const never: never = counter;
      return never;
    }
  }
}

function checkRange(addr: number, len: number, size: number): void {
  if (!Number.isInteger(addr) || !Number.isInteger(len) || addr < 0 || len < 0 || addr + len > size) {
    throw new RangeError(`range ${addr}+${len} outside 0..${size}`);
  }
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}
