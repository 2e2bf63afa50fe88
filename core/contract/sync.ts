/**
 * The station's replication with central as the screens see it (`sync.state`, `sync.changed`):
 * whether it is on line, what waits to go up, how long it has been off line and how near the
 * offline limits it is, and how many receipt and account numbers it has left.
 */
import { z } from 'zod';
import { accountNoSchema, instantSchema, nonNegativeFenSchema } from '../schema/primitives.js';

/**
 * 'standalone': no central is configured (单机), nothing syncs and nothing warns. The others are
 * the replication's own phases: 'provisioning' is the first pull of a new station's district.
 */
export const syncModeSchema = z.enum(['standalone', 'starting', 'provisioning', 'syncing', 'idle', 'offline', 'stopped']);
export type SyncMode = z.infer<typeof syncModeSchema>;

export const syncDatabaseSchema = z.enum(['master', 'district', 'operators', 'inbox', 'station']);
export type SyncDatabase = z.infer<typeof syncDatabaseSchema>;

/** How near a limit is: 'near' from 80 % (amber), 'reached' at 100 % (red: top-ups stop). */
export const limitLevelSchema = z.enum(['ok', 'near', 'reached']);
export type LimitLevel = z.infer<typeof limitLevelSchema>;

export const offlineLimitsSchema = z.strictObject({
  /** The longest time off line before prepaid sales (top-ups) stop. */
  maxOfflineHours: z.number().int().min(1).max(24 * 30),
  /** The largest single top-up while off line, in fen (station.json's bounds). */
  maxSingleSale: z.number().int().min(0).max(100_000_000),
  /** The largest total of top-ups not yet sent to central, in fen. */
  maxTotalSales: z.number().int().min(0).max(1_000_000_000),
});
export type OfflineLimits = z.infer<typeof offlineLimitsSchema>;

export const offlineUsageSchema = z.object({
  limits: offlineLimitsSchema,
  /** Whether the limits apply right now (only while the station cannot reach central). */
  offline: z.boolean(),
  /** Time off line so far, in milliseconds (0 while on line). */
  offlineMs: z.number().int().min(0),
  /** Top-ups (not reversed) made at this station since the last successful sync, in fen. */
  offlineSales: nonNegativeFenSchema,
  hoursLevel: limitLevelSchema,
  salesLevel: limitLevelSchema,
  /** The largest top-up allowed now (the single-sale limit, or what the total leaves; 0 once a limit is reached). */
  largestSaleNow: nonNegativeFenSchema,
});
export type OfflineUsage = z.infer<typeof offlineUsageSchema>;

export const numberRangeUsageSchema = z.object({
  /** Where the numbers come from: station.json ('config') or central's grants ('grants'). */
  source: z.enum(['config', 'grants']),
  /** Numbers still to hand out (the current range and every later grant). */
  left: z.number().int().min(0),
  /** The size of the range in use (0: none). */
  currentSize: z.number().int().min(0),
  /** Fewer than 200 left, or less than 20 % of the current range: ask for more while on line. */
  low: z.boolean(),
  /** Grants received and not yet started. */
  grantsWaiting: z.number().int().min(0),
});
export type NumberRangeUsage = z.infer<typeof numberRangeUsageSchema>;

export const syncStateSchema = z.object({
  mode: syncModeSchema,
  online: z.boolean(),
  /** Central's address without credentials (null: standalone). */
  centralUrl: z.string().nullable(),
  district: z.string().nullable(),
  /** Documents made here that central has not received yet. */
  pendingPush: z.number().int().min(0),
  lastSuccessAt: instantSchema.nullable(),
  offlineSince: instantSchema.nullable(),
  lastError: z.object({ at: instantSchema, message: z.string() }).nullable(),
  progress: z.object({ database: syncDatabaseSchema, done: z.number().int().min(0), total: z.number().int().min(0).nullable() }).nullable(),
  /** Documents with a CouchDB conflict in the station's databases (a manager resolves them). */
  conflicts: z.number().int().min(0),
  /** Null for a standalone station: no central, no offline limits. */
  usage: offlineUsageSchema.nullable(),
  ranges: z.object({ receipt: numberRangeUsageSchema, account: numberRangeUsageSchema }),
  /** The station clock when this was made, so a screen counts the time off line from it. */
  at: instantSchema,
});
export type SyncState = z.infer<typeof syncStateSchema>;

/** Why a top-up is refused off line (OFFLINE_LIMIT's `details.reason`). */
export const offlineLimitReasonSchema = z.enum(['offline-too-long', 'single-sale', 'total-sales']);
export type OfflineLimitReason = z.infer<typeof offlineLimitReasonSchema>;

/** The share of a limit used, as a level: amber from 80 %, red at 100 %. */
export function limitLevel(used: number, max: number): LimitLevel {
  // A limit of 0 allows nothing off line.
  if (max <= 0) return 'reached';
  if (used >= max) return 'reached';
  return used * 5 >= max * 4 ? 'near' : 'ok';
}

/** Fewer than 200 numbers, or less than a fifth of the range in use: warn early. */
export function rangeIsLow(left: number, currentSize: number): boolean {
  return left < 200 || left * 5 < currentSize;
}

/**
 * Central refused an account opening or a card issue made here (transfers have their own list):
 * the clerk must learn of it, since the customer left believing it done.
 */
export const centralRejectionSchema = z.object({
  eventDocId: z.string(),
  eventKind: z.enum(['account-opening', 'card-issue']),
  accountNo: accountNoSchema,
  /** A code the UI words (account-exists, number-not-granted, card-superseded, no-account), else shown as central's detail. */
  reason: z.string().nullable(),
  detail: z.string().nullable(),
  at: instantSchema,
});
export type CentralRejection = z.infer<typeof centralRejectionSchema>;
