/** What the station says about the card reader, the card in it, and prepaid top-ups. */
import { z } from 'zod';
import { accountNoSchema, entryIdSchema, fenSchema, gasSchema, instantSchema, nonNegativeFenSchema, unitPriceSchema } from '../schema/primitives.js';
import { accountSummarySchema, ledgerEntryViewSchema } from './views.js';

export const readerKindSchema = z.enum(['none', 'emulator', 'serial']);
export type ReaderKind = z.infer<typeof readerKindSchema>;

export const readerStateSchema = z.object({
  kind: readerKindSchema,
  /** Serial port path (COM3, /dev/ttyUSB0), or the emulator's pty. */
  path: z.string().nullable(),
  baudRate: z.number().int(),
  connected: z.boolean(),
  /** GET_INFO text, e.g. `GCR-1 fw1.3 SN:00012345`. */
  description: z.string().nullable(),
  cardPresent: z.boolean(),
  /** The last problem with the reader, for the status bar. */
  problem: z.string().nullable(),
});
export type ReaderStateView = z.infer<typeof readerStateSchema>;

export const cardRecordViewSchema = z.object({
  slot: z.enum(['A', 'B']),
  sequence: z.number().int(),
  volume: gasSchema,
  amount: nonNegativeFenSchema,
  yearToDate: gasSchema,
  tariffYear: z.number().int(),
  purchaseTime: instantSchema,
  terminalId: z.number().int(),
  cancel: z.boolean(),
  digestHex: z.string(),
});
export type CardRecordView = z.infer<typeof cardRecordViewSchema>;

export const meterReturnViewSchema = z.object({
  remaining: gasSchema,
  measuredTotal: gasSchema,
  lastLoadedSequence: z.number().int(),
  meterTime: instantSchema,
  acceptedGeneration: z.number().int(),
  valveClosed: z.boolean(),
  batteryLow: z.boolean(),
  caseOpened: z.boolean(),
  magneticAttack: z.boolean(),
  meterFault: z.boolean(),
});
export type MeterReturnView = z.infer<typeof meterReturnViewSchema>;

/** Why a purchase cannot be made on this card now (shown in Chinese by the UI). */
export const topupRefusalSchema = z.enum([
  'unloaded-purchase',
  'inspection-failed',
  'inspection-overdue',
  'card-locked',
  'card-one-attempt',
  'foreign-utility',
  'stale-generation',
  'account-closed',
  'account-unknown',
  'not-prepaid',
  'damaged',
  'not-user-card',
  'clock-behind-card',
  'stale-or-foreign-return',
  'unfinished-topup',
]);
export type TopupRefusal = z.infer<typeof topupRefusalSchema>;

export const cardViewSchema = z.object({
  serial: z.string(),
  /** 12 digits from the card, and the account they name (leading zeros as on the card). */
  accountNo: z.string().nullable(),
  meterNo: z.string().nullable(),
  generation: z.number().int().nullable(),
  ours: z.boolean(),
  purchase: z.discriminatedUnion('state', [
    z.object({ state: z.literal('none') }),
    z.object({ state: z.literal('current'), record: cardRecordViewSchema }),
    z.object({ state: z.literal('damaged'), reason: z.string() }),
  ]),
  loaded: z.enum(['loaded', 'not-loaded', 'stale-or-foreign', 'no-purchase']),
  returnBlock: z.enum(['never-in-meter', 'valid', 'torn']),
  meter: meterReturnViewSchema.nullable(),
  problems: z.array(z.string()),
  attemptsLeft: z.number().int().min(0).max(3),
});
export type CardView = z.infer<typeof cardViewSchema>;

/** A top-up recorded in the ledger whose card write is not confirmed yet. */
export const unfinishedTopupSchema = z.object({
  entryId: entryIdSchema,
  accountNo: accountNoSchema,
  serial: z.string(),
  sequence: z.number().int(),
  volume: gasSchema,
  amount: fenSchema,
  at: instantSchema,
  /** What reading the card says should happen, when this card is in the reader. */
  outcome: z.enum(['confirmed', 'rewrite', 'other-digest', 'moved-past', 'out-of-step', 'card-damaged', 'card-not-present']),
});
export type UnfinishedTopup = z.infer<typeof unfinishedTopupSchema>;

export const cardInspectionSchema = z.object({
  reader: readerStateSchema,
  card: cardViewSchema.nullable(),
  account: accountSummarySchema.nullable(),
  /** Null when a purchase may be made now (a supervisor may lift the inspection refusals). */
  refusal: topupRefusalSchema.nullable(),
  /** Year-to-date volume before a purchase now (from the card), for the tier price. */
  yearToDateBefore: gasSchema,
  tariffYear: z.number().int(),
  unfinished: z.array(unfinishedTopupSchema),
});
export type CardInspection = z.infer<typeof cardInspectionSchema>;

export const topupQuoteSchema = z.object({
  txnId: entryIdSchema,
  accountNo: accountNoSchema,
  serial: z.string(),
  volume: gasSchema,
  /** The exact price of `volume`: what the customer pays. */
  amount: nonNegativeFenSchema,
  parts: z.array(z.object({ tierIndex: z.number().int(), volume: gasSchema, price: unitPriceSchema, amount: nonNegativeFenSchema })),
  yearToDateBefore: gasSchema,
  yearToDateAfter: gasSchema,
  tariffVersionId: z.string(),
  tariffYear: z.number().int(),
  expiresAt: instantSchema,
  /** An inspection refusal a supervisor must lift at confirm, if any. */
  needsApproval: z.enum(['inspection-failed', 'inspection-overdue']).nullable(),
});
export type TopupQuote = z.infer<typeof topupQuoteSchema>;

export const topupResultSchema = z.object({
  entry: ledgerEntryViewSchema,
  /** 'on-card': read back and confirmed. 'pending': recorded, card not confirmed (pulled card, reader fault): finish from the card. */
  card: z.enum(['on-card', 'pending']),
  replayed: z.boolean(),
  problem: z.string().nullable(),
});
export type TopupResult = z.infer<typeof topupResultSchema>;

/** A card issued (发卡) or a replacement card (补卡), read back and protected. */
export const cardIssueResultSchema = z.object({
  accountNo: accountNoSchema,
  /** The new card's serial, as printed on its face. */
  serial: z.string().regex(/^[0-9A-F]{16}$/),
  generation: z.number().int().min(0).max(255),
  replacement: z.boolean(),
  /** Sequence of the record carried into slot A of a replacement card (rule 7); null when none. */
  carriedSequence: z.number().int().nullable(),
  /** The 'card-issue' ledger entry (its amount is the card fee). */
  entry: ledgerEntryViewSchema,
});
export type CardIssueResult = z.infer<typeof cardIssueResultSchema>;

export const demoCardSchema = z.object({ name: z.string(), label: z.string(), accountNo: z.string().nullable() });

export { nonNegativeFenSchema };
