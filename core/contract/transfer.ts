/**
 * Ownership transfer 过户 at the counter, double payments, credit refunds and the CouchDB
 * conflicts list, as the UI sees them.
 *
 * A transfer is a master-data event: the station records it (with its fee and a 过户回执), shows
 * the new owner at once marked pending, and central applies it, or rejects it (someone else
 * transferred the account first), answering with an `event-outcome` the station shows.
 */
import { z } from 'zod';
import { idNumberInputSchema, phoneInputSchema } from './person.js';
import { accountNoSchema, entryIdSchema, fenSchema, instantSchema, nonNegativeFenSchema, paymentMethodSchema, staffNoSchema } from '../schema/primitives.js';

/** What the clerk saw; the UI names each code. */
export const transferDocumentSchema = z.enum(['id-card', 'property-deed', 'transfer-agreement', 'household-register', 'death-certificate', 'court-order']);
export type TransferDocument = z.infer<typeof transferDocumentSchema>;


export const transferInputSchema = z.strictObject({
  accountNo: accountNoSchema,
  newOwner: z.strictObject({
    name: z.string().trim().min(1).max(64),
    idNumber: idNumberInputSchema,
    phone: phoneInputSchema,
  }),
  documentsSeen: z
    .array(transferDocumentSchema)
    .min(1, 'tick at least one document seen')
    .max(6)
    .refine((codes) => new Set(codes).size === codes.length, 'a document is ticked twice'),
  /** How the fee is paid; required when the station's transfer fee is above 0. */
  payment: z
    .strictObject({
      method: paymentMethodSchema,
      tendered: nonNegativeFenSchema.optional(),
      reference: z.string().trim().min(4).max(64).optional(),
    })
    .optional(),
});
export type TransferInput = z.output<typeof transferInputSchema>;

export const transferStateSchema = z.enum(['pending', 'applied', 'rejected']);
export type TransferState = z.infer<typeof transferStateSchema>;

export const transferViewSchema = z.object({
  eventId: entryIdSchema,
  accountNo: accountNoSchema,
  at: instantSchema,
  operator: z.object({ staffNo: staffNoSchema, name: z.string() }),
  previousOwnerName: z.string(),
  newOwnerName: z.string(),
  newOwnerIdMasked: z.string(),
  documentsSeen: z.array(z.string()),
  feeEntryId: entryIdSchema.nullable(),
  state: transferStateSchema,
  /** Central's reason code for a rejection (for example 'owner-changed'), and its words. */
  reason: z.string().nullable(),
  detail: z.string().nullable(),
  decidedAt: instantSchema.nullable(),
});
export type TransferView = z.infer<typeof transferViewSchema>;

export const transferResultSchema = z.object({
  transfer: transferViewSchema,
  fee: nonNegativeFenSchema,
  /** The 过户回执's number (without a receipt number left, a transfer is refused). */
  receiptNo: z.string(),
});
export type TransferResult = z.infer<typeof transferResultSchema>;

/** A bill line paid again: settled by another payment first, so this money is credit. */
export const doublePaymentViewSchema = z.object({
  billId: z.string(),
  period: z.string(),
  /** The later payment, whose money for the line became credit. */
  entryId: entryIdSchema,
  stationId: z.string(),
  at: instantSchema,
  amount: nonNegativeFenSchema,
  /** The payment that settled the bill (null: central recorded an outside payment). */
  settledByEntryId: entryIdSchema.nullable(),
  settledByStationId: z.string().nullable(),
});
export type DoublePaymentView = z.infer<typeof doublePaymentViewSchema>;

export const creditRefundInputSchema = z.strictObject({
  accountNo: accountNoSchema,
  amount: fenSchema.refine((amount) => amount > 0, 'a refund is more than 0'),
  method: paymentMethodSchema,
  /** The bank card or QR reference the money went back to; required for those methods. */
  reference: z.string().trim().min(4).max(64).optional(),
  reason: z.string().trim().min(2).max(200),
  approver: z.strictObject({ staffNo: staffNoSchema, password: z.string().min(1).max(128) }),
});
export type CreditRefundInput = z.output<typeof creditRefundInputSchema>;

export const syncDbSchema = z.enum(['master', 'station', 'district']);
export type SyncDb = z.infer<typeof syncDbSchema>;

export const conflictRevisionSchema = z.object({
  rev: z.string(),
  winner: z.boolean(),
  /** Fields whose value differs from the winner's, with this revision's value as short JSON. */
  differences: z.array(z.object({ field: z.string(), value: z.string(), winnerValue: z.string() })),
});

export const conflictViewSchema = z.object({
  db: syncDbSchema,
  id: z.string(),
  type: z.string().nullable(),
  winningRev: z.string(),
  revisions: z.array(conflictRevisionSchema),
  /**
   * False for ledger and station documents, which are written once and can never legitimately
   * conflict: such a conflict is reported to central, never resolved at the counter.
   */
  resolvable: z.boolean(),
});
export type ConflictView = z.infer<typeof conflictViewSchema>;

export const conflictListSchema = z.object({ conflicts: z.array(conflictViewSchema), scannedAt: instantSchema });
export type ConflictList = z.infer<typeof conflictListSchema>;
