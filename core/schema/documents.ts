/**
 * Every document the station stores, with its schema.
 *
 * Rules (see README "Schema changes"):
 * - every document has `type` and `schemaVersion`;
 * - a change is additive only: a new optional field, or a new field with a default filled in by
 *   an upgrade in `upgrades.ts`. Nothing is renamed, removed or re-typed, because vans run old
 *   builds for weeks and must keep reading documents written by newer stations;
 * - readers use loose objects: unknown (newer) fields are kept, never stripped, and a document
 *   whose schemaVersion is newer than this build knows is still read by the fields it knows.
 *
 * Id scheme (also the sync layout's): `account:<accountNo>`, `bill:<accountNo>:<period>`,
 * `tariff:<tariffCode>:<version>`, `operator:<staffNo>`, `ledger:<entryId>` where entryId is
 * `<stationId>:<...>`, `audit:<stationId>:<seq, 10 digits>`, `cardwrite:<entryId>`,
 * `station-range:<stationId>:account`, `account-opening:<accountNo>`, `transfer:<eventId>`,
 * `outcome:<event doc id>`, `range-grant:<stationId>:<kind>:<grantNo>`.
 */
import { z } from 'zod';
import { ticketStampSchema } from '../hall/model.js';
import {
  accountNoSchema,
  accountStatusSchema,
  customerTypeSchema,
  entryIdSchema,
  fenSchema,
  gasSchema,
  inspectionResultSchema,
  instantSchema,
  localDateSchema,
  meterKindSchema,
  nonNegativeFenSchema,
  operatorRefSchema,
  paymentMethodSchema,
  periodSchema,
  roleSchema,
  staffNoSchema,
  stationIdSchema,
  unitPriceSchema,
} from './primitives.js';

const versionSchema = z.number().int().min(1);

export const accountDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('account'),
  schemaVersion: versionSchema,
  accountNo: accountNoSchema,
  ownerName: z.string().min(1).max(64),
  /** 18-character resident ID number 身份证号; shown masked everywhere but the account page's owner check. */
  idNumber: z.string().regex(/^\d{17}[\dX]$/),
  phone: z.string().regex(/^\d{7,12}$/),
  address: z.string().min(1).max(128),
  districtCode: z.string().min(1).max(32),
  districtName: z.string().min(1).max(32),
  meterNo: z.string().min(4).max(20),
  meterKind: meterKindSchema,
  /** Serial of the IC card issued for a prepaid meter: the header's 8 bytes as 16 hex digits, as printed on the card; null for post-paid. */
  cardSerial: z.string().regex(/^[0-9A-F]{16}$/).nullable(),
  customerType: customerTypeSchema,
  tariffCode: z.string().min(1).max(32),
  status: accountStatusSchema,
  inspection: z.object({
    lastDate: localDateSchema.nullable(),
    result: inspectionResultSchema,
    nextDueDate: localDateSchema.nullable(),
  }),
  /** Credit 预存 carried over when the account came into Tongda; later credit is derived from the ledger. */
  openingCredit: nonNegativeFenSchema,
  openedOn: localDateSchema,
  /** Generation of the account's current IC card (0 for the first, +1 at each replacement); absent means 0. */
  cardGeneration: z.number().int().min(0).max(255).optional(),
});
export type AccountDoc = z.infer<typeof accountDocSchema>;

export const tierSchema = z.object({
  /** Upper bound of the tier in yearly volume (0.01 m³), exclusive of what lies above; null for the last tier. */
  upTo: gasSchema.nullable(),
  price: unitPriceSchema,
});
export type Tier = z.infer<typeof tierSchema>;

export const pricingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tiered'), tiers: z.array(tierSchema).min(1).max(8) }),
  z.object({ kind: z.literal('flat'), price: unitPriceSchema }),
]);
export type Pricing = z.infer<typeof pricingSchema>;

export const tariffVersionDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('tariff-version'),
  schemaVersion: versionSchema,
  tariffCode: z.string().min(1).max(32),
  /** `<tariffCode>@<version>`: what ledger entries record. */
  versionId: z.string().min(3).max(48),
  version: z.number().int().min(1),
  name: z.string().min(1).max(64),
  customerType: customerTypeSchema,
  /** First local date this version is in force. */
  effectiveFrom: localDateSchema,
  pricing: pricingSchema,
});
export type TariffVersionDoc = z.infer<typeof tariffVersionDocSchema>;

export const billDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('bill'),
  schemaVersion: versionSchema,
  billId: z.string().min(1).max(64),
  accountNo: accountNoSchema,
  period: periodSchema,
  volume: gasSchema,
  amount: nonNegativeFenSchema,
  dueDate: localDateSchema,
  issuedOn: localDateSchema,
  tariffVersionId: z.string().min(3).max(48),
  /**
   * Set by central when the bill was settled outside Tongda's ledger (bank withholding, online
   * payment, or before the account came into Tongda). Otherwise a bill is paid when an
   * unreversed ledger payment covers it.
   */
  externalPayment: z.object({ paidOn: localDateSchema, channel: z.string().min(1).max(32) }).nullable(),
});
export type BillDoc = z.infer<typeof billDocSchema>;

export const operatorDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('operator'),
  schemaVersion: versionSchema,
  staffNo: staffNoSchema,
  name: z.string().min(1).max(32),
  role: roleSchema,
  /** `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`; never leaves the main process. */
  passwordHash: z.string().min(16),
  active: z.boolean(),
});
export type OperatorDoc = z.infer<typeof operatorDocSchema>;

export const billLineSchema = z.object({
  billId: z.string().min(1).max(64),
  period: periodSchema,
  amount: nonNegativeFenSchema,
  lateFee: nonNegativeFenSchema,
  overdueDays: z.number().int().min(0),
});
export type BillLine = z.infer<typeof billLineSchema>;

/**
 * A reader of an older build meets kinds it does not know (schemas are additive, but an enum
 * cannot be): the station skips such an entry with a log line rather than failing.
 */
const cardSerialSchema = z.string().regex(/^[0-9A-F]{16}$/);

/** The purchase record a ledger entry put (or is to put) on a card, byte for byte. */
export const cardRecordSchema = z.object({
  serial: cardSerialSchema,
  generation: z.number().int().min(0).max(255),
  slot: z.enum(['A', 'B']),
  sequence: z.number().int().min(1).max(65535),
  /** First 4 bytes of SHA-256 over this entry's `_id`, hex. */
  digestHex: z.string().regex(/^[0-9a-f]{8}$/),
  /** The 32 bytes written into the slot, hex: what recovery writes again, never recomputed. */
  recordHex: z.string().regex(/^[0-9a-f]{64}$/),
  volume: gasSchema,
  yearToDateBefore: gasSchema,
  yearToDateAfter: gasSchema,
  tariffYear: z.number().int().min(0).max(9999),
  /** How the amount was priced: one part per tier the purchase fell in. */
  parts: z.array(z.object({ tierIndex: z.number().int().min(0), volume: gasSchema, price: unitPriceSchema, amount: nonNegativeFenSchema })),
});
export type CardRecord = z.infer<typeof cardRecordSchema>;

/**
 * 'credit-refund': credit 预存 paid back out of the till (amount and creditDelta negative), with a
 * supervisor's approval. 'transfer-fee': the fee of an ownership transfer 过户.
 */
export const ledgerKindSchema = z.enum(['bill-payment', 'reversal', 'top-up', 'card-issue', 'credit-refund', 'transfer-fee']);
export type LedgerKind = z.infer<typeof ledgerKindSchema>;

export const ledgerEntryDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('ledger-entry'),
  schemaVersion: versionSchema,
  entryId: entryIdSchema,
  kind: ledgerKindSchema,
  stationId: stationIdSchema,
  at: instantSchema,
  operator: operatorRefSchema,
  accountNo: accountNoSchema,
  /** The tariff version in force for the account when the entry was made. */
  tariffVersionId: z.string().min(3).max(48),
  /** Money into the till (negative: out of it). A reversal carries the negation of the original. */
  amount: fenSchema,
  method: paymentMethodSchema.nullable(),
  reference: z.string().max(64).nullable(),
  tendered: nonNegativeFenSchema.nullable(),
  change: nonNegativeFenSchema.nullable(),
  bills: z.array(billLineSchema),
  /** Change to the account's credit 预存 (negative when credit was used). */
  creditDelta: fenSchema,
  reversal: z
    .object({
      reversesEntryId: entryIdSchema,
      reason: z.string().min(2).max(200),
      approvedBy: operatorRefSchema,
    })
    .nullable(),
  /** Sequence of the audit record written in the same durable step. */
  auditSeq: z.number().int().min(1),
  /**
   * A prepaid top-up's purchase as written to the card (top-ups, and the reversal that cancels one
   * on the card). Written BEFORE the card is touched: money taken is recorded first; the card's
   * acceptance follows as a `card-write` document.
   */
  card: cardRecordSchema.optional(),
  /**
   * A card issued (发卡) or replaced (补卡) for the account: kind 'card-issue'. Written after the
   * card was issued and read back; the account's cardSerial/cardGeneration in master follow from
   * it (re-applied at start-up if the station stopped in between).
   */
  cardIssue: z
    .object({
      serial: cardSerialSchema,
      generation: z.number().int().min(0).max(255),
      replacement: z.boolean(),
      /** The account's card before this one (a replacement's lost or broken card), if any. */
      previousSerial: cardSerialSchema.nullable(),
      reason: z.string().min(2).max(200).nullable(),
      approvedBy: operatorRefSchema.nullable(),
      /** Rule 7: the account's last card record, written byte for byte into slot A of a replacement. */
      carried: z.object({ entryId: entryIdSchema, sequence: z.number().int().min(1).max(65535), recordHex: z.string().regex(/^[0-9a-f]{64}$/) }).nullable(),
    })
    .optional(),
  /** A 'credit-refund': why the credit was paid back, and the supervisor who approved it. */
  refund: z.object({ reason: z.string().min(2).max(200), approvedBy: operatorRefSchema }).optional(),
  /**
   * The hall queue ticket the counter was serving when the entry was committed (issue 6): "who
   * served A012 and what was done" has one answer. Set at commit, never added afterwards.
   */
  ticket: ticketStampSchema.optional(),
});
export type LedgerEntryDoc = z.infer<typeof ledgerEntryDocSchema>;

/**
 * Proof that a card holds a ledger entry's record: written after the read-back matched (or a
 * later reading of the card found it). A top-up without one is unfinished.
 */
export const cardWriteDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('card-write'),
  schemaVersion: versionSchema,
  entryId: entryIdSchema,
  stationId: stationIdSchema,
  serial: cardSerialSchema,
  sequence: z.number().int().min(1).max(65535),
  digestHex: z.string().regex(/^[0-9a-f]{8}$/),
  /**
   * How the station knows: its own read-back, a later reading of the card (recovery), or the
   * record carried byte for byte onto a replacement card (rule 7; `serial` is then the new card's).
   */
  how: z.enum(['read-back', 'found-on-card', 'carried-to-replacement']),
  at: instantSchema,
  operator: operatorRefSchema,
  auditSeq: z.number().int().min(1),
});
export type CardWriteDoc = z.infer<typeof cardWriteDocSchema>;

export const auditKindSchema = z.enum([
  'station-start',
  'login',
  'login-failed',
  'logout',
  'unlock',
  'ledger-entry',
  'approval',
  'approval-refused',
  'card-write',
  'account-opened',
  /** A step of issuing a card that did not end in a 'card-issue' ledger entry (started, PSC unclear…). */
  'card-issue',
  /** Neither the new nor the old PSC opens a card after CHANGE_PSC: it is spoiled, never retried. */
  'card-spoiled',
  /** A receipt printed again 重打, or a print job the clerk said came out or let go. */
  'receipt-reprint',
  'print-resolved',
  /** A setting that limits what the station may do changed (the offline limits): who, from what, to what. */
  'settings-changed',
  /** An ownership transfer 过户 recorded at this station (a master-data event for central). */
  'ownership-transfer',
  /** A manager resolved a CouchDB conflict by keeping one revision. */
  'conflict-resolved',
]);
export type AuditKind = z.infer<typeof auditKindSchema>;

export const auditRecordDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('audit-record'),
  schemaVersion: versionSchema,
  stationId: stationIdSchema,
  seq: z.number().int().min(1),
  at: instantSchema,
  kind: auditKindSchema,
  actor: staffNoSchema.nullable(),
  subject: z.string().max(160).nullable(),
  detail: z.record(z.string(), z.unknown()),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditRecordDoc = z.infer<typeof auditRecordDocSchema>;

/**
 * A block of numbers this station hands out on its own (account numbers), so it can open
 * accounts offline. One per station and kind: `station-range:<stationId>:<kind>`, in the station
 * database. `next` moves in the same bulkDocs as what takes the number, so a number is never used
 * twice and never skipped by a crash.
 */
export const stationRangeDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('station-range'),
  schemaVersion: versionSchema,
  stationId: stationIdSchema,
  /** 'receipt': receipt numbers 收据号, moved in the same bulkDocs as the entry that takes one. */
  kind: z.enum(['account', 'receipt']),
  /** The range, both ends included (from station.json now; from central later). */
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  /** The next number to hand out; `to + 1` when the range is used up. */
  next: z.number().int().min(0),
  updatedAt: instantSchema,
});
export type StationRangeDoc = z.infer<typeof stationRangeDocSchema>;

/**
 * An account opened (开户) at this station: the whole new account document, written in the station
 * database together with the range counter and the audit record, then put into master with the
 * same `_id`. Master and station are two databases, so this is what makes opening atomic: at
 * start-up every opening whose account is missing from master is put there again.
 */
export const accountOpeningDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('account-opening'),
  schemaVersion: versionSchema,
  stationId: stationIdSchema,
  accountNo: accountNoSchema,
  at: instantSchema,
  operator: operatorRefSchema,
  auditSeq: z.number().int().min(1),
  account: accountDocSchema,
});
export type AccountOpeningDoc = z.infer<typeof accountOpeningDocSchema>;

/**
 * A receipt 收据 of this station: its number, taken from the station's receipt range in the same
 * bulkDocs as the ledger entry (or account opening) it is for, and what the paper says that is not
 * in the entry, as it was at that moment (the owner's name before a later 过户, the clerk's name),
 * so a reprint years later prints the same receipt. Never updated.
 */
export const receiptDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('receipt'),
  schemaVersion: versionSchema,
  stationId: stationIdSchema,
  receiptNo: z.string().regex(/^[0-9A-Z]{1,12}-\d{1,12}$/),
  /** The number within the station's range (the digits of receiptNo). */
  seq: z.number().int().min(0),
  kind: z.enum(['bill-payment', 'top-up', 'reversal', 'card-issue', 'account-opening', 'credit-refund', 'transfer-fee', 'ownership-transfer']),
  at: instantSchema,
  accountNo: accountNoSchema,
  /** The ledger entry; null for an account opening (which moves no money), and for a transfer without a fee. */
  entryId: entryIdSchema.nullable(),
  amount: fenSchema,
  operator: operatorRefSchema,
  /** Cash moved: the original opens the drawer (when the printer settings say so). */
  cash: z.boolean(),
  snapshot: z.object({
    ownerName: z.string().max(64),
    idNumberMasked: z.string().max(32),
    /** The account's credit 预存 after the entry; null where the receipt does not show it. */
    creditLeft: fenSchema.nullable(),
    utilityName: z.string().max(64),
    stationName: z.string().max(64),
    stationKind: z.enum(['hall', 'van']),
    hotline: z.string().max(32),
    timeZone: z.string().max(64),
    /** An account opening's details (address, meter, tariff); null otherwise. */
    opening: z
      .object({ address: z.string().max(128), meterNo: z.string().max(20), meterKind: z.string().max(32), tariffName: z.string().max(64), phoneMasked: z.string().max(16) })
      .nullable(),
    /** An ownership transfer's 过户回执 details (the snapshot's owner is the previous owner); absent otherwise. */
    transfer: z
      .object({
        eventId: entryIdSchema,
        newOwnerName: z.string().max(64),
        newIdNumberMasked: z.string().max(32),
        newPhoneMasked: z.string().max(16),
        documentsSeen: z.array(z.string().max(32)).max(10),
        fee: nonNegativeFenSchema,
      })
      .nullable()
      .optional(),
  }),
});
export type ReceiptDoc = z.infer<typeof receiptDocSchema>;

/**
 * One printing of a receipt: the original (reprint 0, queued with the receipt, or for a top-up
 * with its card-write) or a reprint 重打 (reprint n, the clerk asked). Never updated: what became
 * of it is in its print-attempt documents.
 */
export const printJobDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('print-job'),
  schemaVersion: versionSchema,
  stationId: stationIdSchema,
  jobId: z.string().min(1).max(120),
  receiptNo: z.string().regex(/^[0-9A-Z]{1,12}-\d{1,12}$/),
  reprint: z.number().int().min(0),
  at: instantSchema,
  requestedBy: operatorRefSchema,
});
export type PrintJobDoc = z.infer<typeof printJobDocSchema>;

/**
 * What became of one try at a print job. 'printed' (the status after the job said fine),
 * 'came-out' (the clerk saw it on paper) and 'skipped' (the clerk let it go) end the job;
 * 'not-sent' and 'unconfirmed' do not.
 */
export const printAttemptDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('print-attempt'),
  schemaVersion: versionSchema,
  stationId: stationIdSchema,
  jobId: z.string().min(1).max(120),
  attempt: z.number().int().min(1),
  at: instantSchema,
  outcome: z.enum(['printed', 'not-sent', 'unconfirmed', 'came-out', 'skipped']),
  problem: z.string().max(32).nullable(),
  detail: z.string().max(300).nullable(),
  /** How it was printed (null for the clerk's word on a job). */
  mode: z.enum(['text', 'raster']).nullable(),
  columns: z.number().int().nullable(),
  bytes: z.number().int().min(0).nullable(),
  ms: z.number().min(0).nullable(),
  /** Who decided, for 'came-out' and 'skipped'. */
  by: operatorRefSchema.nullable(),
});
export type PrintAttemptDoc = z.infer<typeof printAttemptDocSchema>;

/**
 * An ownership transfer 过户 made at a station: a master-data event. The station shows the new
 * owner at once (marked pending) from this document; the central service applies it to the
 * account in master, in order per account, only if the account's owner is still `previousOwner`,
 * and answers with an `event-outcome` in the station's inbox. Never updated.
 */
export const ownershipTransferDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('ownership-transfer'),
  schemaVersion: versionSchema,
  /** `<stationId>:<time base36>-<random>`, like an entry id; the document is `transfer:<eventId>`. */
  eventId: entryIdSchema,
  stationId: stationIdSchema,
  at: instantSchema,
  operator: operatorRefSchema,
  accountNo: accountNoSchema,
  /** The owner the clerk saw: the precondition central checks. */
  previousOwner: z.object({ name: z.string().min(1).max(64), idNumber: z.string().regex(/^\d{17}[\dX]$/) }),
  newOwner: z.object({ name: z.string().min(1).max(64), idNumber: z.string().regex(/^\d{17}[\dX]$/), phone: z.string().regex(/^\d{7,12}$/) }),
  /** What the clerk saw (身份证, 房产证, 过户协议…), as codes the UI names. */
  documentsSeen: z.array(z.string().min(1).max(32)).min(1).max(10),
  /** The 'transfer-fee' ledger entry written in the same bulkDocs; null when the fee was 0. */
  feeEntryId: entryIdSchema.nullable(),
  auditSeq: z.number().int().min(1),
});
export type OwnershipTransferDoc = z.infer<typeof ownershipTransferDocSchema>;

/**
 * Central's answer to a station's master-data event (an account opening, a card issue, an
 * ownership transfer): `outcome:<the event document's _id>`, in that station's inbox. Never updated.
 */
export const eventOutcomeDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('event-outcome'),
  schemaVersion: versionSchema,
  stationId: stationIdSchema,
  /** The `_id` of the station document the outcome is for. */
  eventDocId: z.string().min(3).max(160),
  eventKind: z.enum(['account-opening', 'card-issue', 'ownership-transfer']),
  accountNo: accountNoSchema,
  outcome: z.enum(['applied', 'rejected']),
  /** Why it was rejected, as a code the UI names (for example 'owner-changed'), and in words. */
  reason: z.string().max(48).nullable(),
  detail: z.string().max(300).nullable(),
  at: instantSchema,
});
export type EventOutcomeDoc = z.infer<typeof eventOutcomeDocSchema>;

/**
 * A block of numbers central gave a station: `range-grant:<stationId>:<kind>:<grantNo, 6 digits>`
 * in the station's inbox. Grants of one kind never overlap across the utility; the station uses
 * them in grantNo order. Never updated.
 */
export const rangeGrantDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('range-grant'),
  schemaVersion: versionSchema,
  stationId: stationIdSchema,
  kind: z.enum(['account', 'receipt']),
  grantNo: z.number().int().min(1),
  /** Both ends included. */
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  at: instantSchema,
});
export type RangeGrantDoc = z.infer<typeof rangeGrantDocSchema>;

export const documentSchemas = {
  account: accountDocSchema,
  'tariff-version': tariffVersionDocSchema,
  bill: billDocSchema,
  operator: operatorDocSchema,
  'ledger-entry': ledgerEntryDocSchema,
  'audit-record': auditRecordDocSchema,
  'card-write': cardWriteDocSchema,
  'station-range': stationRangeDocSchema,
  'account-opening': accountOpeningDocSchema,
  receipt: receiptDocSchema,
  'print-job': printJobDocSchema,
  'print-attempt': printAttemptDocSchema,
  'ownership-transfer': ownershipTransferDocSchema,
  'event-outcome': eventOutcomeDocSchema,
  'range-grant': rangeGrantDocSchema,
} as const;
export type DocumentType = keyof typeof documentSchemas;

/** The schema version this build writes, per document type. Raise only with an upgrade in upgrades.ts. */
export const CURRENT_SCHEMA_VERSION = {
  account: 1,
  'tariff-version': 1,
  bill: 1,
  operator: 1,
  'ledger-entry': 1,
  'audit-record': 1,
  'card-write': 1,
  'station-range': 1,
  'account-opening': 1,
  receipt: 1,
  'print-job': 1,
  'print-attempt': 1,
  'ownership-transfer': 1,
  'event-outcome': 1,
  'range-grant': 1,
} as const satisfies Record<DocumentType, number>;

export const docId = {
  account: (accountNo: string) => `account:${accountNo}`,
  bill: (accountNo: string, period: string) => `bill:${accountNo}:${period}`,
  billPrefix: (accountNo: string) => `bill:${accountNo}:`,
  tariff: (tariffCode: string, version: number) => `tariff:${tariffCode}:${String(version).padStart(4, '0')}`,
  operator: (staffNo: string) => `operator:${staffNo}`,
  ledger: (entryId: string) => `ledger:${entryId}`,
  audit: (stationId: string, seq: number) => `audit:${stationId}:${String(seq).padStart(10, '0')}`,
  cardWrite: (entryId: string) => `cardwrite:${entryId}`,
  stationRange: (stationId: string, kind: 'account' | 'receipt') => `station-range:${stationId}:${kind}`,
  receipt: (stationId: string, seq: number) => `receipt:${stationId}:${String(seq).padStart(12, '0')}`,
  receiptPrefix: (stationId: string) => `receipt:${stationId}:`,
  printJob: (jobId: string) => `print-job:${jobId}`,
  printAttempt: (jobId: string, attempt: number) => `print-attempt:${jobId}:${String(attempt).padStart(4, '0')}`,
  accountOpening: (accountNo: string) => `account-opening:${accountNo}`,
  transfer: (eventId: string) => `transfer:${eventId}`,
  eventOutcome: (eventDocId: string) => `outcome:${eventDocId}`,
  rangeGrant: (stationId: string, kind: 'account' | 'receipt', grantNo: number) => `range-grant:${stationId}:${kind}:${String(grantNo).padStart(6, '0')}`,
  rangeGrantPrefix: (stationId: string, kind: 'account' | 'receipt') => `range-grant:${stationId}:${kind}:`,
} as const;

export { stationIdSchema, staffNoSchema, accountNoSchema, entryIdSchema };
