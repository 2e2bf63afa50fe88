/**
 * The prepaid gas meter in the customer's kitchen, as gas-card-layout.md describes it under
 * "What the meter does with the card":
 *
 * 1. It never writes the header, the account block or a purchase slot.
 * 2. A card whose header or account block is invalid (or of another utility), or whose meter
 *    number is not its own, is left untouched.
 * 3. A card of an older generation than the meter accepts gets only the return block written
 *    (so a counter can see it is stale) and loads nothing.
 * 4. A higher generation becomes the one the meter accepts from then on.
 * 5. It finds the current record; if that is newer than the last one it loaded, it first
 *    writes the whole return block as it will stand after loading, and only after the
 *    block's last byte is written adds the volume (a cancel record adds nothing) and
 *    remembers the record. A card pulled during that write leaves a torn block and no gas.
 * 6. With nothing new to load it still writes the return block.
 *
 * Writing the return block needs the PSC, which the meter derives from the utility's card key
 * like a counter does. It keeps the counters' rule "never lock a card": with fewer than two
 * attempts left it does not present a code (and then cannot write, so loads nothing).
 */
import {
  ACCOUNT_ADDR,
  BLOCK_BYTES,
  METER_STATUS,
  RETURN_ADDR,
  SLOT_A_ADDR,
  SLOT_B_ADDR,
  currentRecord,
  decodeAccount,
  decodeHeader,
  decodeSlot,
  encodeReturnBlock,
  isCancelRecord,
  isNewer,
  layoutTime,
  type ReturnBlock,
} from './layout.js';
import { derivePsc } from './psc.js';
import { toHex, type Sle4442Card } from './sle4442.js';

export interface MeterInit {
  /** 12 digits, as on the card's account block. */
  readonly meterNo: string;
  readonly utilityCode: number;
  readonly acceptedGeneration: number;
  /** 0.01 m³. */
  readonly remaining: number;
  readonly measured: number;
  /** 0 when the meter has loaded nothing yet. */
  readonly lastSeq: number;
  readonly lastDigest: Uint8Array;
  /** METER_STATUS bits. */
  readonly status: number;
}

export interface MeterState extends MeterInit {
  readonly lastDigestHex: string;
}

export type UntouchedReason =
  | 'bad-header'
  | 'other-utility'
  | 'bad-account'
  | 'other-meter'
  | 'card-locked'
  | 'too-few-attempts'
  | 'wrong-psc';

/** How the return block write ended: whole, or torn by the card leaving. */
export type BlockWrite = 'written' | 'torn';

export type MeterOutcome =
  | { readonly kind: 'untouched'; readonly reason: UntouchedReason }
  | {
      readonly kind: 'stale-card';
      readonly cardGeneration: number;
      readonly acceptedGeneration: number;
      readonly returnBlock: BlockWrite;
    }
  | {
      readonly kind: 'serviced';
      /** The generation adopted from this card, when it was higher. */
      readonly adoptedGeneration: number | null;
      /** What the slots hold. */
      readonly current: 'none' | 'damaged' | 'record';
      /** The record loaded now; null when nothing was new (or the write tore). */
      readonly loaded: { readonly seq: number; readonly volume: number; readonly cancel: boolean } | null;
      readonly returnBlock: BlockWrite;
    };

export interface MeterDeps {
  /** The utility's card key, raw bytes. */
  readonly cardKey: Uint8Array;
  /** Wall clock in ms since 1970, for the meter time in the block. */
  readonly clock?: () => number;
}

export class PrepaidMeter {
  private state: MeterInit;
  private readonly deps: MeterDeps;

  constructor(init: MeterInit, deps: MeterDeps) {
    this.state = { ...init, lastDigest: init.lastDigest.slice(0, 4) };
    this.deps = deps;
  }

  get meterNo(): string {
    return this.state.meterNo;
  }

  snapshot(): MeterState {
    return { ...this.state, lastDigest: this.state.lastDigest.slice(), lastDigestHex: toHex(this.state.lastDigest) };
  }

  /** Burns gas: the remaining volume goes down (closing the valve at zero), the total up. */
  consume(volume: number): void {
    const used = Math.min(this.state.remaining, Math.max(0, Math.floor(volume)));
    const remaining = this.state.remaining - used;
    this.state = {
      ...this.state,
      remaining,
      measured: this.state.measured + used,
      status: remaining === 0 ? this.state.status | METER_STATUS.VALVE_CLOSED : this.state.status,
    };
  }

  setStatus(status: number): void {
    this.state = { ...this.state, status: status & 0xff };
  }

  /** The card goes into the meter. The card must not be in a reader. */
  insert(card: Sle4442Card): MeterOutcome {
    card.powerOn();
    try {
      return this.service(card);
    } finally {
      card.powerOff();
    }
  }

  private service(card: Sle4442Card): MeterOutcome {
    const header = decodeHeader(card.read(0x00, BLOCK_BYTES));
    if (!header) return untouched('bad-header');
    if (header.utilityCode !== this.state.utilityCode) return untouched('other-utility');
    const account = decodeAccount(card.read(ACCOUNT_ADDR, BLOCK_BYTES));
    if (!account) return untouched('bad-account');
    if (account.meterNo !== this.state.meterNo.padStart(12, '0')) return untouched('other-meter');

    if (card.isLocked) return untouched('card-locked');
    if (card.securityCounter === 0x01) return untouched('too-few-attempts');
    if (!card.verify(derivePsc(this.deps.cardKey, header.serial)).ok) return untouched('wrong-psc');

    if (account.generation < this.state.acceptedGeneration) {
      const returnBlock = this.writeReturnBlock(card, this.blockFrom(this.state));
      return {
        kind: 'stale-card',
        cardGeneration: account.generation,
        acceptedGeneration: this.state.acceptedGeneration,
        returnBlock,
      };
    }
    let adoptedGeneration: number | null = null;
    if (account.generation > this.state.acceptedGeneration) {
      adoptedGeneration = account.generation;
      this.state = { ...this.state, acceptedGeneration: account.generation };
    }

    const current = currentRecord(decodeSlot(card.read(SLOT_A_ADDR, BLOCK_BYTES)), decodeSlot(card.read(SLOT_B_ADDR, BLOCK_BYTES)));
    if (current.kind === 'current' && isNewer(current.record.seq, this.state.lastSeq)) {
      const record = current.record;
      const cancel = isCancelRecord(record);
      const after: MeterInit = {
        ...this.state,
        remaining: this.state.remaining + record.volume,
        lastSeq: record.seq,
        lastDigest: record.digest.slice(0, 4),
        // Gas on board opens the valve again (a cancel record brings none).
        status: record.volume > 0 ? this.state.status & ~METER_STATUS.VALVE_CLOSED : this.state.status,
      };
      const returnBlock = this.writeReturnBlock(card, this.blockFrom(after));
      // Only once the block's last byte is on the card does the gas count.
      if (returnBlock === 'written') this.state = after;
      return {
        kind: 'serviced',
        adoptedGeneration,
        current: 'record',
        loaded: returnBlock === 'written' ? { seq: record.seq, volume: record.volume, cancel } : null,
        returnBlock,
      };
    }
    const returnBlock = this.writeReturnBlock(card, this.blockFrom(this.state));
    return {
      kind: 'serviced',
      adoptedGeneration,
      current: current.kind === 'current' ? 'record' : current.kind,
      loaded: null,
      returnBlock,
    };
  }

  private blockFrom(state: MeterInit): ReturnBlock {
    return {
      remaining: state.remaining,
      measured: state.measured,
      lastSeq: state.lastSeq,
      status: state.status,
      meterTime: layoutTime((this.deps.clock ?? Date.now)()),
      generation: state.acceptedGeneration,
      lastDigest: state.lastDigest,
    };
  }

  /** Byte by byte, so an armed pull tears it exactly where the spec says it can. */
  private writeReturnBlock(card: Sle4442Card, block: ReturnBlock): BlockWrite {
    const bytes = encodeReturnBlock(block);
    for (let k = 0; k < bytes.length; k += 1) {
      if (card.writeByte(RETURN_ADDR + k, bytes[k] ?? 0) === 'pulled') return 'torn';
    }
    // A pull right after the last byte takes the card out; the block is whole.
    card.finishWrite();
    return 'written';
  }
}

function untouched(reason: UntouchedReason): MeterOutcome {
  return { kind: 'untouched', reason };
}
