import { z } from 'zod';
import { MAX_FEN, MAX_GAS, MAX_UNIT_PRICE, type Fen, type GasVolume, type UnitPrice } from '../money/money.js';

/** Integer fen. Typed as `Fen` on both sides of the wire, so callers must parse with `parseYuan`. */
export const fenSchema = z.custom<Fen>(
  (value) => typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) <= MAX_FEN,
  { message: 'expected an integer amount of fen' },
);
export const nonNegativeFenSchema = z.custom<Fen>(
  (value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_FEN,
  { message: 'expected a non-negative integer amount of fen' },
);
export const gasSchema = z.custom<GasVolume>(
  (value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_GAS,
  { message: 'expected a non-negative integer volume in 0.01 m³' },
);
export const unitPriceSchema = z.custom<UnitPrice>(
  (value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_UNIT_PRICE,
  { message: 'expected a non-negative integer price in li per m³' },
);

/** A calendar date in the station's local time zone, `YYYY-MM-DD`. */
export const localDateSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected YYYY-MM-DD');
/** A billing period, `YYYY-MM`. */
export const periodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');
/** An instant, stored in UTC as ISO 8601 with a Z. */
export const instantSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'expected an ISO instant in UTC');

export const staffNoSchema = z.string().regex(/^\d{4,8}$/, 'staff numbers are 4 to 8 digits');
export const accountNoSchema = z.string().regex(/^\d{6,16}$/, 'account numbers are 6 to 16 digits');
export const stationIdSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,23}$/, 'station ids are upper-case letters, digits and dashes');
/** A station-made id: `<stationId>:<unique part>`; the ledger's idempotency key. */
export const entryIdSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,23}:[0-9A-Za-z:._-]{4,120}$/, 'malformed entry id');

export const roleSchema = z.enum(['clerk', 'van', 'supervisor', 'manager', 'admin']);
export type Role = z.infer<typeof roleSchema>;

export const meterKindSchema = z.enum(['prepaid-card', 'post-paid']);
export type MeterKind = z.infer<typeof meterKindSchema>;

export const customerTypeSchema = z.enum(['residential', 'commercial']);
export type CustomerType = z.infer<typeof customerTypeSchema>;

export const accountStatusSchema = z.enum(['active', 'suspended', 'closed']);
export type AccountStatus = z.infer<typeof accountStatusSchema>;

export const inspectionResultSchema = z.enum(['passed', 'failed', 'none']);
export type InspectionResult = z.infer<typeof inspectionResultSchema>;

export const paymentMethodSchema = z.enum(['cash', 'bank-card', 'qr']);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

export const operatorRefSchema = z.object({ staffNo: staffNoSchema, name: z.string().min(1).max(32) });
export type OperatorRef = z.infer<typeof operatorRefSchema>;
