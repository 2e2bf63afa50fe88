/** Shapes the station returns. Output schemas exist for tests and for documentation; types come from them. */
import { z } from 'zod';
import { ledgerEntryDocSchema, pricingSchema } from '../schema/documents.js';
import { doublePaymentViewSchema, transferViewSchema } from './transfer.js';
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
  periodSchema,
  roleSchema,
  staffNoSchema,
} from '../schema/primitives.js';

export const operatorViewSchema = z.object({ staffNo: staffNoSchema, name: z.string(), role: roleSchema });
export type OperatorView = z.infer<typeof operatorViewSchema>;

export const stationInfoSchema = z.object({
  stationId: z.string(),
  stationName: z.string(),
  stationKind: z.enum(['hall', 'van']),
  utilityName: z.string(),
  demo: z.boolean(),
  idleLockSeconds: z.number().int().positive(),
  timeZone: z.string(),
  version: z.string(),
  serverTime: instantSchema,
  accountsIndexed: z.number().int().min(0),
});
export type StationInfo = z.infer<typeof stationInfoSchema>;

export const loginResultSchema = z.object({
  /** Bearer token for this session; the transport sends it with every request. */
  session: z.string().min(32),
  operator: operatorViewSchema,
  idleLockSeconds: z.number().int().positive(),
});
export type LoginResult = z.infer<typeof loginResultSchema>;

export const searchMatchSchema = z.enum(['accountNo', 'meterNo', 'cardSerial', 'phone', 'name', 'address']);
export type SearchMatch = z.infer<typeof searchMatchSchema>;

export const accountSummarySchema = z.object({
  accountNo: accountNoSchema,
  ownerName: z.string(),
  idNumberMasked: z.string(),
  phoneMasked: z.string(),
  address: z.string(),
  districtName: z.string(),
  meterKind: meterKindSchema,
  status: accountStatusSchema,
  matchedOn: searchMatchSchema,
});
export type AccountSummary = z.infer<typeof accountSummarySchema>;

export const searchResultSchema = z.object({
  /** Every account that matched, of which `results` holds the best (at most `limit`). */
  total: z.number().int().min(0),
  results: z.array(accountSummarySchema),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export const billViewSchema = z.object({
  billId: z.string(),
  period: periodSchema,
  volume: gasSchema,
  amount: nonNegativeFenSchema,
  dueDate: localDateSchema,
  status: z.enum(['unpaid', 'paid']),
  /** Late fee 违约金 as of today; 0 when paid or not yet due. */
  lateFee: nonNegativeFenSchema,
  overdueDays: z.number().int().min(0),
  paidByEntryId: entryIdSchema.nullable(),
  /** The station whose payment settled the bill (another counter's, after sync). */
  paidByStationId: z.string().nullable(),
});
export type BillView = z.infer<typeof billViewSchema>;

export const ledgerEntryViewSchema = ledgerEntryDocSchema.extend({
  /** The reversal that cancelled this entry, if any (derived; the entry itself is never edited). */
  reversedByEntryId: entryIdSchema.nullable(),
});
export type LedgerEntryView = z.infer<typeof ledgerEntryViewSchema>;

export const tariffViewSchema = z.object({
  versionId: z.string(),
  name: z.string(),
  effectiveFrom: localDateSchema,
  pricing: pricingSchema,
});
export type TariffView = z.infer<typeof tariffViewSchema>;

export const accountDetailSchema = z.object({
  account: z.object({
    accountNo: accountNoSchema,
    ownerName: z.string(),
    idNumberMasked: z.string(),
    phone: z.string(),
    address: z.string(),
    districtName: z.string(),
    meterNo: z.string(),
    meterKind: meterKindSchema,
    cardSerial: z.string().nullable(),
    customerType: customerTypeSchema,
    status: accountStatusSchema,
    openedOn: localDateSchema,
  }),
  inspection: z.object({
    lastDate: localDateSchema.nullable(),
    result: inspectionResultSchema,
    nextDueDate: localDateSchema.nullable(),
    /** The next inspection date has passed. */
    overdue: z.boolean(),
  }),
  tariff: tariffViewSchema.nullable(),
  /** Unpaid bills oldest first, then paid bills newest first. */
  bills: z.array(billViewSchema),
  /** Unpaid bill amounts plus their late fees as of today. */
  arrears: nonNegativeFenSchema,
  /** Credit 预存, the money of double payments included. */
  creditBalance: fenSchema,
  /** Bills paid again after another payment settled them: their money is in the credit. Oldest first. */
  doublePayments: z.array(doublePaymentViewSchema),
  /** What a transfer 过户 costs at this station (fen; 0: free). */
  transferFee: nonNegativeFenSchema,
  /** This station's ownership transfer 过户 central has not decided yet: the owner shown is its new owner. */
  pendingTransfer: transferViewSchema.nullable(),
  /** This station's transfers of the account central rejected, newest first: the owner shown is master's. */
  rejectedTransfers: z.array(transferViewSchema),
  /** Newest first. */
  history: z.array(ledgerEntryViewSchema),
  today: localDateSchema,
});
export type AccountDetail = z.infer<typeof accountDetailSchema>;

export const paymentQuoteSchema = z.object({
  txnId: entryIdSchema,
  accountNo: accountNoSchema,
  lines: z.array(
    z.object({
      billId: z.string(),
      period: periodSchema,
      amount: nonNegativeFenSchema,
      lateFee: nonNegativeFenSchema,
      overdueDays: z.number().int().min(0),
    }),
  ),
  billsTotal: nonNegativeFenSchema,
  lateFeesTotal: nonNegativeFenSchema,
  creditApplied: nonNegativeFenSchema,
  /** What the customer pays now: bills + late fees − credit applied. */
  due: nonNegativeFenSchema,
  expiresAt: instantSchema,
});
export type PaymentQuote = z.infer<typeof paymentQuoteSchema>;

export const paymentConfirmationSchema = z.object({
  entry: ledgerEntryViewSchema,
  /** True when this confirm found the entry already committed (a repeat of the same txnId). */
  replayed: z.boolean(),
});
export type PaymentConfirmation = z.infer<typeof paymentConfirmationSchema>;

export const reversalResultSchema = z.object({ entry: ledgerEntryViewSchema, replayed: z.boolean() });
export type ReversalResult = z.infer<typeof reversalResultSchema>;

export const accountOpenedSchema = z.object({
  accountNo: accountNoSchema,
  /** Numbers left in this station's range after this one: the UI warns when few are left. */
  numbersLeft: z.number().int().min(0),
});
export type AccountOpened = z.infer<typeof accountOpenedSchema>;

export const auditCheckSchema = z.object({
  ok: z.boolean(),
  records: z.number().int().min(0),
  headSeq: z.number().int().min(0),
  headHash: z.string(),
  problems: z.array(z.object({ seq: z.number().int(), problem: z.string() })),
});
export type AuditCheck = z.infer<typeof auditCheckSchema>;

export { entryIdSchema, fenSchema, accountNoSchema };
