/**
 * The emulator's deck of demo cards, each with the meter it belongs to.
 *
 * A deck is a list of `DemoCardSpec` (configurable: `--deck file.json` in main.ts, or
 * `buildDeck(specs)` in a test), so the demo station's prepaid accounts can be matched to
 * cards by account number, meter number and serial. `DEFAULT_DECK` covers the cases a counter
 * must handle: blank, issued with no purchase, loaded purchase, unloaded purchase, a torn
 * purchase write, another utility's card, locked, one attempt left, stale generation with its
 * replacement, damaged slots, and a card that is not an SLE4442.
 *
 * Issued cards are built as an issuing counter leaves them: header and account block written,
 * header protected, PSC = HMAC-SHA256(card key, serial)[0..3]. Cards that share a meter
 * number share one meter (the first spec naming it sets its state).
 *
 * A card with no meter of its own (the blank card, once a station has issued a card or a
 * replacement card onto it) goes to the meter its account block names, as a real card does:
 * `meterFor` gives the deck's meter with that number, or, when the deck has none, a fresh
 * meter for that number that starts empty (accepted generation 0, remaining 0, measured 0,
 * last loaded sequence 0, status 0), of the utility on the card's header, with the deck's
 * card key. A fresh meter joins `meters`, so every later card naming that number shares it.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  ACCOUNT_ADDR,
  BLOCK_BYTES,
  HEADER_ADDR,
  RETURN_ADDR,
  SLOT_A_ADDR,
  SLOT_B_ADDR,
  decodeAccount,
  decodeHeader,
  encodeAccount,
  encodeHeader,
  encodeReturnBlock,
  encodeSlot,
  layoutTime,
  type PurchaseRecord,
} from './layout.js';
import { PrepaidMeter } from './meter.js';
import { derivePsc, parseHex } from './psc.js';
import type { SlotCard } from './reader.js';
import { MAIN_MEMORY_BYTES, PROTECTABLE_BYTES, Sle4442Card, isSecurityCounter } from './sle4442.js';

/** "Ours": the utility code the demo station issues under. */
export const OUR_UTILITY_CODE = 0x54440001;
/** Another utility's code, for the foreign card. */
export const FOREIGN_UTILITY_CODE = 0x54440099;
/** The spec's test-vector key: a demo key, never a real one. */
export const DEMO_CARD_KEY_HEX = '00112233445566778899aabbccddeeff';
const FOREIGN_CARD_KEY_HEX = 'ffeeddccbbaa99887766554433221100';

const recordSchema = z.object({
  seq: z.number().int().min(1).max(0xffff),
  /** 0.01 m³. */
  volume: z.number().int().min(0),
  /** fen. */
  amount: z.number().int().min(0),
  yearToDate: z.number().int().min(0),
  tariffYear: z.number().int().min(0).max(0xffff),
  terminalId: z.number().int().min(0).default(1),
  /** ISO time of the purchase. */
  time: z.string(),
  /** The ledger entry's _id: the record's digest is SHA-256 of it, first 4 bytes. */
  ledgerId: z.string(),
});
export type DemoRecordSpec = z.input<typeof recordSchema>;

const meterSchema = z.object({
  acceptedGeneration: z.number().int().min(0).max(255).optional(),
  remaining: z.number().int().min(0).default(0),
  measured: z.number().int().min(0).default(0),
  /** Sequence of the last record loaded (0: none). */
  lastSeq: z.number().int().min(0).max(0xffff).default(0),
  /** Ledger _id of the last record loaded, for its digest. */
  lastLedgerId: z.string().optional(),
  status: z.number().int().min(0).max(0xff).default(0),
});

const issuedSchema = z.object({
  kind: z.literal('issued'),
  name: z.string().min(1),
  description: z.string().default(''),
  accountNo: z.string().regex(/^\d{1,12}$/),
  meterNo: z.string().regex(/^\d{1,12}$/),
  serialHex: z.string().regex(/^[0-9a-fA-F]{16}$/),
  generation: z.number().int().min(0).max(255),
  utilityCode: z.number().int().min(0).max(0xffffffff).optional(),
  /** Overrides the deck's card key (another utility's card). */
  cardKeyHex: z.string().optional(),
  tariffCode: z.number().int().min(0).max(0xffff).default(1),
  issuedAt: z.string().default('2024-05-01T09:00:00+08:00'),
  slotA: z.union([recordSchema, z.literal('torn'), z.null()]).default(null),
  slotB: z.union([recordSchema, z.literal('torn'), z.null()]).default(null),
  /** none: never in the meter; meter: as the meter wrote it (from `meter`); torn. */
  returnBlock: z.enum(['none', 'meter', 'torn']).default('none'),
  securityCounter: z.number().int().refine(isSecurityCounter, 'one of 0x07, 0x03, 0x01, 0x00').default(0x07),
  meter: meterSchema.default({ remaining: 0, measured: 0, lastSeq: 0, status: 0 }),
});

const blankSchema = z.object({
  kind: z.literal('blank'),
  name: z.string().min(1),
  description: z.string().default(''),
});

const otherChipSchema = z.object({
  kind: z.literal('other-chip'),
  name: z.string().min(1),
  description: z.string().default(''),
});

export const demoCardSpecSchema = z.discriminatedUnion('kind', [issuedSchema, blankSchema, otherChipSchema]);
export const deckSchema = z.array(demoCardSpecSchema);
export type DemoCardSpec = z.input<typeof demoCardSpecSchema>;
type IssuedSpec = z.output<typeof issuedSchema>;

/** Where a card physically is. */
export type CardLocation = 'out' | 'reader' | 'meter';

export interface DemoCard {
  readonly name: string;
  readonly description: string;
  readonly slot: SlotCard;
  /** The meter this card belongs to (null for blank and non-SLE4442 cards). */
  readonly meter: PrepaidMeter | null;
  readonly accountNo: string | null;
  readonly serialHex: string | null;
  location: CardLocation;
}

export interface Deck {
  readonly cards: ReadonlyMap<string, DemoCard>;
  /** Keyed by the meter number as the spec wrote it (fresh meters: 12 digits). */
  readonly meters: ReadonlyMap<string, PrepaidMeter>;
  /** The deck's meter with this number (compared as 12 digits), or null. */
  findMeter(meterNo: string): PrepaidMeter | null;
  /**
   * The deck's meter with this number; when there is none, a fresh one for it, empty
   * (accepted generation 0, remaining 0, measured 0, last loaded sequence 0, status 0), of
   * `utilityCode`, with the deck's card key. It stays in the deck from then on.
   */
  meterFor(meterNo: string, utilityCode: number): PrepaidMeter;
}

export interface DeckOptions {
  /** The utility's card key, hex (default: the spec's test-vector key). */
  readonly cardKeyHex?: string;
  readonly clock?: () => number;
}

export function ledgerDigest(ledgerId: string): Uint8Array {
  return Uint8Array.from(createHash('sha256').update(ledgerId, 'utf8').digest().subarray(0, 4));
}

export function buildDeck(specs: readonly DemoCardSpec[], options: DeckOptions = {}): Deck {
  const parsed = deckSchema.parse(specs);
  const cards = new Map<string, DemoCard>();
  const meters = new Map<string, PrepaidMeter>();
  for (const spec of parsed) {
    if (cards.has(spec.name)) throw new Error(`two demo cards are named ${spec.name}`);
    switch (spec.kind) {
      case 'blank':
        cards.set(spec.name, {
          name: spec.name,
          description: spec.description,
          slot: { name: spec.name, chip: 'sle4442', card: new Sle4442Card() },
          meter: null,
          accountNo: null,
          serialHex: null,
          location: 'out',
        });
        break;
      case 'other-chip':
        cards.set(spec.name, {
          name: spec.name,
          description: spec.description,
          slot: { name: spec.name, chip: 'other' },
          meter: null,
          accountNo: null,
          serialHex: null,
          location: 'out',
        });
        break;
      case 'issued': {
        const keyHex = spec.cardKeyHex ?? options.cardKeyHex ?? DEMO_CARD_KEY_HEX;
        const key = parseHex(keyHex, 'card key');
        const utilityCode = spec.utilityCode ?? OUR_UTILITY_CODE;
        let meter = meters.get(spec.meterNo);
        if (!meter) {
          meter = new PrepaidMeter(
            {
              meterNo: spec.meterNo.padStart(12, '0'),
              utilityCode,
              acceptedGeneration: spec.meter.acceptedGeneration ?? spec.generation,
              remaining: spec.meter.remaining,
              measured: spec.meter.measured,
              lastSeq: spec.meter.lastSeq,
              lastDigest: spec.meter.lastLedgerId ? ledgerDigest(spec.meter.lastLedgerId) : new Uint8Array(4),
              status: spec.meter.status,
            },
            { cardKey: key, ...(options.clock ? { clock: options.clock } : {}) },
          );
          meters.set(spec.meterNo, meter);
        }
        cards.set(spec.name, {
          name: spec.name,
          description: spec.description,
          slot: { name: spec.name, chip: 'sle4442', card: issuedCard(spec, utilityCode, key, meter, options.clock ?? Date.now) },
          meter,
          accountNo: spec.accountNo,
          serialHex: spec.serialHex.toUpperCase(),
          location: 'out',
        });
        break;
      }
      default: {
        const never: never = spec;
        return never;
      }
    }
  }
  const findMeter = (meterNo: string): PrepaidMeter | null => {
    const wanted = meterNo.padStart(12, '0');
    for (const meter of meters.values()) if (meter.meterNo === wanted) return meter;
    return null;
  };
  const meterFor = (meterNo: string, utilityCode: number): PrepaidMeter => {
    const found = findMeter(meterNo);
    if (found) return found;
    const number = meterNo.padStart(12, '0');
    const fresh = new PrepaidMeter(
      { meterNo: number, utilityCode, acceptedGeneration: 0, remaining: 0, measured: 0, lastSeq: 0, lastDigest: new Uint8Array(4), status: 0 },
      { cardKey: parseHex(options.cardKeyHex ?? DEMO_CARD_KEY_HEX, 'card key'), ...(options.clock ? { clock: options.clock } : {}) },
    );
    meters.set(number, fresh);
    return fresh;
  };
  return { cards, meters, findMeter, meterFor };
}

/**
 * What a card's own bytes say about the meter it belongs to: the meter number from a valid
 * account block (12 digits) and the utility code from a valid header (null when the header is
 * not valid). Null when the account block is not valid (a blank card, say). Read as the
 * emulator sees the chip, powered or not.
 */
export function cardMeterNumber(card: Sle4442Card): { readonly meterNo: string; readonly utilityCode: number | null } | null {
  const account = decodeAccount(card.peek(ACCOUNT_ADDR, BLOCK_BYTES));
  if (!account) return null;
  return { meterNo: account.meterNo, utilityCode: decodeHeader(card.peek(HEADER_ADDR, BLOCK_BYTES))?.utilityCode ?? null };
}

function issuedCard(spec: IssuedSpec, utilityCode: number, key: Uint8Array, meter: PrepaidMeter, clock: () => number): Sle4442Card {
  const memory = new Uint8Array(MAIN_MEMORY_BYTES);
  const serial = parseHex(spec.serialHex, 'serial');
  memory.set(encodeHeader({ utilityCode, serial }), 0);
  memory.set(
    encodeAccount({
      accountNo: spec.accountNo,
      meterNo: spec.meterNo,
      tariffCode: spec.tariffCode,
      issueTime: layoutTime(Date.parse(spec.issuedAt)),
      generation: spec.generation,
    }),
    ACCOUNT_ADDR,
  );
  memory.set(slotBytes(spec.slotA), SLOT_A_ADDR);
  memory.set(slotBytes(spec.slotB), SLOT_B_ADDR);
  switch (spec.returnBlock) {
    case 'none':
      break;
    case 'meter': {
      const m = meter.snapshot();
      memory.set(
        encodeReturnBlock({
          remaining: m.remaining,
          measured: m.measured,
          lastSeq: m.lastSeq,
          status: m.status,
          meterTime: layoutTime(clock()),
          generation: m.acceptedGeneration,
          lastDigest: m.lastDigest,
        }),
        RETURN_ADDR,
      );
      break;
    }
    case 'torn': {
      const block = encodeReturnBlock({ remaining: 1, measured: 1, lastSeq: 1, status: 0, meterTime: 1, generation: spec.generation, lastDigest: new Uint8Array(4) });
      // The first 10 bytes of a newer block over an older one: the CRC no longer fits.
      block.fill(0, 10);
      block[0x1e] = 0x12;
      memory.set(block, RETURN_ADDR);
      break;
    }
    default: {
      const never: never = spec.returnBlock;
      return never;
    }
  }
  return new Sle4442Card({
    memory,
    psc: derivePsc(key, serial),
    securityCounter: spec.securityCounter,
    protectedBytes: Array.from({ length: PROTECTABLE_BYTES }, (_, i) => i),
  });
}

function slotBytes(slot: IssuedSpec['slotA']): Uint8Array {
  if (slot === null) return new Uint8Array(BLOCK_BYTES);
  if (slot === 'torn') {
    // A purchase write that stopped after 12 bytes over an empty slot.
    const bytes = encodeSlot(toRecord({ seq: 9, volume: 1000, amount: 2980, yearToDate: 1000, tariffYear: 2026, terminalId: 1, time: '2026-03-01T10:00:00+08:00', ledgerId: 'torn' }));
    bytes.fill(0, 12);
    return bytes;
  }
  return encodeSlot(toRecord(slot));
}

function toRecord(spec: z.output<typeof recordSchema>): PurchaseRecord {
  return {
    seq: spec.seq,
    volume: spec.volume,
    amount: spec.amount,
    yearToDate: spec.yearToDate,
    tariffYear: spec.tariffYear,
    terminalId: spec.terminalId,
    time: layoutTime(Date.parse(spec.time)),
    digest: ledgerDigest(spec.ledgerId),
  };
}

const purchase = (seq: number, accountNo: string, volume: number, yearToDate: number, time: string): DemoRecordSpec => ({
  seq,
  volume,
  // 2.98 yuan a cubic metre, tier 1: volume is in 0.01 m³, amount in fen.
  amount: Math.round((volume * 298) / 100),
  yearToDate,
  tariffYear: 2026,
  terminalId: 0x00000101,
  time,
  ledgerId: `ledger:demo:${accountNo}:${seq}`,
});

/**
 * The default deck. Account numbers follow the demo data's shape (district prefix + 8
 * digits); meter numbers are 12 digits because the card stores them in BCD.
 */
export const DEFAULT_DECK: readonly DemoCardSpec[] = [
  { kind: 'blank', name: 'blank', description: 'blank card: all zero, nothing protected, PSC FF FF FF' },
  {
    kind: 'issued',
    name: 'issued',
    description: 'issued, no purchase yet, never in the meter',
    accountNo: '1100100001',
    meterNo: '240000000001',
    serialHex: '5444000000000001',
    generation: 0,
  },
  {
    kind: 'issued',
    name: 'loaded',
    description: 'purchase 1 (50 m³) loaded by the meter: may buy again',
    accountNo: '1100100002',
    meterNo: '240000000002',
    serialHex: '5444000000000002',
    generation: 0,
    slotA: purchase(1, '1100100002', 5000, 5000, '2026-01-10T10:00:00+08:00'),
    returnBlock: 'meter',
    meter: { remaining: 1234, measured: 3766, lastSeq: 1, lastLedgerId: 'ledger:demo:1100100002:1' },
  },
  {
    kind: 'issued',
    name: 'unloaded',
    description: 'purchase 2 (30 m³) in slot B not loaded yet: cannot buy (卡上有气), can cancel',
    accountNo: '1100100003',
    meterNo: '240000000003',
    serialHex: '5444000000000003',
    generation: 0,
    slotA: purchase(1, '1100100003', 5000, 5000, '2026-01-12T10:00:00+08:00'),
    slotB: purchase(2, '1100100003', 3000, 8000, '2026-02-20T15:30:00+08:00'),
    returnBlock: 'meter',
    meter: { remaining: 800, measured: 4200, lastSeq: 1, lastLedgerId: 'ledger:demo:1100100003:1' },
  },
  {
    kind: 'issued',
    name: 'torn-purchase',
    description: 'purchase 1 loaded; a purchase write into slot B tore (pulled card)',
    accountNo: '1100100008',
    meterNo: '240000000008',
    serialHex: '5444000000000008',
    generation: 0,
    slotA: purchase(1, '1100100008', 2000, 2000, '2026-01-05T09:00:00+08:00'),
    slotB: 'torn',
    returnBlock: 'meter',
    meter: { remaining: 500, measured: 1500, lastSeq: 1, lastLedgerId: 'ledger:demo:1100100008:1' },
  },
  {
    kind: 'issued',
    name: 'foreign',
    description: "another utility's card (utility 0x54440099, its own key)",
    accountNo: '2100100001',
    meterNo: '250000000001',
    serialHex: 'F0E0D0C0B0A09081',
    generation: 0,
    utilityCode: FOREIGN_UTILITY_CODE,
    cardKeyHex: FOREIGN_CARD_KEY_HEX,
  },
  {
    kind: 'issued',
    name: 'locked',
    description: 'locked by three wrong PSCs: readable, never writable',
    accountNo: '1100100004',
    meterNo: '240000000004',
    serialHex: '5444000000000004',
    generation: 0,
    slotA: purchase(1, '1100100004', 2000, 2000, '2026-01-15T10:00:00+08:00'),
    returnBlock: 'meter',
    securityCounter: 0x00,
    meter: { remaining: 300, measured: 1700, lastSeq: 1, lastLedgerId: 'ledger:demo:1100100004:1' },
  },
  {
    kind: 'issued',
    name: 'one-attempt',
    description: 'one PSC attempt left: a counter must send it to a supervisor',
    accountNo: '1100100005',
    meterNo: '240000000005',
    serialHex: '5444000000000005',
    generation: 0,
    slotA: purchase(1, '1100100005', 2000, 2000, '2026-01-16T10:00:00+08:00'),
    returnBlock: 'meter',
    securityCounter: 0x01,
    meter: { remaining: 900, measured: 1100, lastSeq: 1, lastLedgerId: 'ledger:demo:1100100005:1' },
  },
  {
    kind: 'issued',
    name: 'replacement',
    description: 'generation 1 replacement card (补卡) carrying purchase 2; the meter has adopted it',
    accountNo: '1100100006',
    meterNo: '240000000006',
    serialHex: '5444000000000016',
    generation: 1,
    slotA: purchase(2, '1100100006', 4000, 9000, '2026-02-01T11:00:00+08:00'),
    returnBlock: 'meter',
    meter: { acceptedGeneration: 1, remaining: 2500, measured: 6500, lastSeq: 2, lastLedgerId: 'ledger:demo:1100100006:2' },
  },
  {
    kind: 'issued',
    name: 'stale',
    description: 'the lost generation-0 card of the replacement above: the meter no longer accepts it',
    accountNo: '1100100006',
    meterNo: '240000000006',
    serialHex: '5444000000000006',
    generation: 0,
    slotA: purchase(1, '1100100006', 5000, 5000, '2026-01-03T10:00:00+08:00'),
    slotB: purchase(2, '1100100006', 4000, 9000, '2026-02-01T11:00:00+08:00'),
    returnBlock: 'meter',
  },
  {
    kind: 'issued',
    name: 'damaged',
    description: 'both slots valid, neither the successor of the other: no sale',
    accountNo: '1100100007',
    meterNo: '240000000007',
    serialHex: '5444000000000007',
    generation: 0,
    slotA: purchase(3, '1100100007', 2000, 6000, '2026-01-20T10:00:00+08:00'),
    slotB: purchase(5, '1100100007', 2000, 10000, '2026-02-20T10:00:00+08:00'),
    returnBlock: 'meter',
    meter: { remaining: 100, measured: 9900, lastSeq: 3, lastLedgerId: 'ledger:demo:1100100007:3' },
  },
  { kind: 'other-chip', name: 'unsupported', description: 'a card that is not an SLE4442 (a bank card, say)' },
];
