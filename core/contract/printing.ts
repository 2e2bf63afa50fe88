/**
 * The receipt printer and the receipts of this station, as the UI sees them.
 *
 * A committed transaction never waits for paper: its receipt is numbered in the same durable
 * step as the entry, and a print job is queued (persisted) beside it. The station prints the
 * queue in order; a job counts as printed only when the printer's real-time status after the job
 * says the printer is fine. When it is not, the queue stops on that job and says why, until the
 * printer is fine again (then it goes on by itself) or the clerk decides (for a job that may
 * have come out half: print it again, or it came out).
 */
import { z } from 'zod';
import { accountNoSchema, entryIdSchema, fenSchema, instantSchema, staffNoSchema } from '../schema/primitives.js';

export const receiptNoSchema = z.string().regex(/^[0-9A-Z]{1,12}-\d{1,12}$/, 'a receipt number is the station prefix, a dash and digits');

/** Why the queue stopped; the UI words each one (renderer i18n). */
export const printerProblemSchema = z.enum(['offline', 'paper-out', 'cover-open', 'no-answer', 'unreachable', 'error', 'raster-unavailable']);
export type PrinterProblemCode = z.infer<typeof printerProblemSchema>;

export const paperColumnsSchema = z.union([z.literal(32), z.literal(48)]);
export const printModeSchema = z.enum(['text', 'raster']);
export const baudRateSchema = z.union([z.literal(9600), z.literal(19200), z.literal(38400), z.literal(115200)]);

/**
 * Where the printer is. 'virtual': the station runs its own virtual printer on a loopback port
 * and shows each receipt on screen (the demo, and counters waiting for their printer).
 */
export const printerInterfaceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('virtual') }),
  z.strictObject({
    kind: z.literal('tcp'),
    host: z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z.-]{1,253}$/, 'a host name or IPv4 address'),
    port: z.number().int().min(1).max(65535),
  }),
  z.strictObject({ kind: z.literal('serial'), path: z.string().trim().min(1).max(128), baudRate: baudRateSchema }),
  z.strictObject({ kind: z.literal('device'), path: z.string().trim().min(1).max(128) }),
]);
export type PrinterInterface = z.infer<typeof printerInterfaceSchema>;

/**
 * What the printer understands. 'escpos': Epson-compatible ESC/POS with the GS ( k QR command
 * (most counter printers: Epson, 佳博, 芯烨, 商米). 'escpos-no-qr': older or cheaper ESC/POS
 * printers without it, which print nothing for a QR command: the code goes as a small image.
 */
export const printerModelSchema = z.enum(['escpos', 'escpos-no-qr']);
export type PrinterModel = z.infer<typeof printerModelSchema>;

export const printerSettingsSchema = z.strictObject({
  /** Settings saved before the model was a setting are standard ESC/POS. */
  model: printerModelSchema.default('escpos'),
  interface: printerInterfaceSchema,
  /** 32 columns: 58 mm paper (vans); 48: 80 mm (counters). */
  paperColumns: paperColumnsSchema,
  /** 'raster' prints the receipt as an image: for printers without Chinese fonts. */
  mode: printModeSchema,
  /** Open the cash drawer (ESC p) with the receipt of a cash payment or refund. */
  kickDrawerOnCash: z.boolean(),
});
export type PrinterSettings = z.infer<typeof printerSettingsSchema>;

export const printerStateSchema = z.object({
  settings: printerSettingsSchema,
  /**
   * idle: nothing waiting; printing: a job is at the printer; blocked: the queue stopped on a job
   * (see problem, blockedJob); off: no printer configured (receipts are numbered, not queued).
   */
  status: z.enum(['idle', 'printing', 'blocked', 'off']),
  problem: printerProblemSchema.nullable(),
  /** Printer's own words for the problem, for the log and a curious manager. */
  detail: z.string().nullable(),
  /** Jobs not yet printed, the one at the printer included. */
  queued: z.number().int().min(0),
  blockedJob: z
    .object({
      jobId: z.string(),
      receiptNo: receiptNoSchema,
      /** The job was sent but the printer did not say it was fine after: it may be on paper. */
      uncertain: z.boolean(),
    })
    .nullable(),
  /** Receipt numbers this station can still hand out. */
  receiptNumbersLeft: z.number().int().min(0),
});
export type PrinterState = z.infer<typeof printerStateSchema>;

export const receiptKindSchema = z.enum(['bill-payment', 'top-up', 'reversal', 'card-issue', 'account-opening', 'credit-refund', 'transfer-fee', 'ownership-transfer']);
export type ReceiptKind = z.infer<typeof receiptKindSchema>;

export const receiptViewSchema = z.object({
  receiptNo: receiptNoSchema,
  kind: receiptKindSchema,
  at: instantSchema,
  accountNo: accountNoSchema,
  entryId: entryIdSchema.nullable(),
  amount: fenSchema,
  operatorStaffNo: staffNoSchema,
  /** How many times it was printed again (重打). */
  reprints: z.number().int().min(0),
  /** queued: waiting for the printer (a top-up's until its card is written); printed; skipped: the clerk let it go; none: never printed (no printer then). */
  print: z.enum(['queued', 'printed', 'skipped', 'none']),
});
export type ReceiptView = z.infer<typeof receiptViewSchema>;

export const printJobViewSchema = z.object({ jobId: z.string(), receiptNo: receiptNoSchema, reprint: z.number().int().min(0) });

export const printerTestResultSchema = z.object({
  ok: z.boolean(),
  problem: printerProblemSchema.nullable(),
  detail: z.string().nullable(),
  ms: z.number().nullable(),
});

/** One job the station's virtual printer received, drawn as the paper would look. */
export const printPreviewSchema = z.object({
  jobNo: z.number().int().min(1),
  at: instantSchema,
  /** data:image/png;base64,… */
  png: z.string().startsWith('data:image/png;base64,'),
  /** The text lines decoded from the bytes (empty for a raster job), for screen readers and tests. */
  text: z.array(z.string()),
  qr: z.array(z.string()),
  raster: z.boolean(),
});
export type PrintPreview = z.infer<typeof printPreviewSchema>;
