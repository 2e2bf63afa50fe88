/**
 * The station's side of sync with central: starts the replication (sync/replication) on the
 * station's three local databases when station.json names a central, turns its state into the
 * contract's `sync.state` / `sync.changed` (with the offline-limit usage and the numbers left),
 * and decides whether a top-up may be sold off line (deliverable 7: the longest time off line,
 * the largest single sale, the largest total of sales central has not seen yet).
 *
 * A standalone station (no `sync` in station.json) says 'standalone': nothing syncs, no offline
 * limit applies and nothing warns.
 */
import { err, ok, type Result } from '../../core/contract/result.js';
import { limitLevel, type OfflineLimits, type OfflineUsage, type SyncState } from '../../core/contract/sync.js';
import { fen, type Fen } from '../../core/money/money.js';
import { docId, type StationRangeDoc } from '../../core/schema/documents.js';
import { parseDocument } from '../../core/schema/upgrades.js';
import type { Clock } from '../../core/time/local-date.js';
import { startStationReplication, type ReplicationState, type StationReplication } from '../../sync/replication/station-replication.js';
import type { Stored } from './account-opening.js';
import { loadStationConfig, saveStationConfig, type StationConfig } from './config.js';
import { getOrNull, type StationDatabases } from './database.js';
import type { LedgerIndex } from './ledger-index.js';
import type { RangeBook } from './range-book.js';
import type { ReceiptBook } from './receipt-book.js';

/** What starts the replication; tests may hand in their own (the engine's signature). */
export type ReplicationStarter = typeof startStationReplication;

export interface SyncService {
  /** Whether a central is configured (false: standalone). */
  readonly configured: boolean;
  state(): Promise<SyncState>;
  /** Pushes and pulls now; the state after (an error is in `lastError`, not thrown). */
  syncNow(): Promise<SyncState>;
  /** Whether a top-up of `amount` may be sold now; OFFLINE_LIMIT with `details.reason` if not. */
  checkTopup(amount: Fen): Result<true>;
  configureLimits(limits: OfflineLimits): Promise<SyncState>;
  /** Something the state shows changed here (a sale, a receipt number, a grant): tell the screens soon. */
  changed(): void;
  close(): Promise<void>;
}

export interface SyncServiceDeps {
  readonly config: StationConfig;
  readonly dataDir: string | null;
  readonly dbs: StationDatabases;
  readonly clock: Clock;
  readonly ledger: LedgerIndex;
  readonly receipts: ReceiptBook;
  readonly ranges: RangeBook;
  readonly emit: (state: SyncState) => void;
  readonly log: { info(message: string): void; error(message: string, error: unknown): void };
  readonly startReplication?: ReplicationStarter;
  /** Coalesces bursts of state changes (progress during a big pull) into one event per this many ms. */
  readonly emitEveryMs?: number;
}

const HOUR_MS = 3_600_000;

/** Central's address as the screens may show it: never the credentials. */
function publicUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function utc(instant: string | null): string | null {
  if (instant === null) return null;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function startSyncService(deps: SyncServiceDeps): SyncService {
  const { config, clock, ledger } = deps;
  const sync = config.sync;
  let replication: StationReplication | null = null;
  if (sync !== null) {
    const start = deps.startReplication ?? startStationReplication;
    replication = start({
      local: { master: deps.dbs.master, station: deps.dbs.station, district: deps.dbs.district },
      target: { centralUrl: sync.centralUrl, auth: { username: sync.username, password: sync.password }, stationId: config.stationId, district: sync.district },
      clock,
      log: (line) => deps.log.info(`sync: ${line}`),
    });
  }

  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const emitSoon = (): void => {
    if (closed || timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      if (closed) return;
      void snapshot().then(
        (state) => {
          if (!closed) deps.emit(state);
        },
        (error: unknown) => deps.log.error('sync state', error),
      );
    }, deps.emitEveryMs ?? 150);
  };
  const unsubscribe = replication?.onState(() => emitSoon()) ?? (() => undefined);

  /** The offline-limit picture from the replication's state; null for a standalone station. */
  function usageOf(engine: ReplicationState | null, now: Date): OfflineUsage | null {
    if (engine === null) return null;
    const limits = config.offlineLimits;
    const offline = !engine.online;
    const since = engine.offlineSince === null ? Number.NaN : Date.parse(engine.offlineSince);
    const offlineMs = offline && !Number.isNaN(since) ? Math.max(0, now.getTime() - since) : 0;
    let sales = 0;
    for (const entry of ledger.topupsSince(config.stationId, utc(engine.lastSuccessAt))) sales += entry.amount;
    const hoursLevel = offline ? limitLevel(offlineMs, limits.maxOfflineHours * HOUR_MS) : 'ok';
    const salesLevel = offline ? limitLevel(sales, limits.maxTotalSales) : 'ok';
    const largest = !offline ? limits.maxSingleSale : hoursLevel === 'reached' ? 0 : Math.max(0, Math.min(limits.maxSingleSale, limits.maxTotalSales - sales));
    return { limits: { ...limits }, offline, offlineMs, offlineSales: fen(sales), hoursLevel, salesLevel, largestSaleNow: fen(largest) };
  }

  async function accountCounter(now: Date): Promise<Stored<StationRangeDoc> | null> {
    const raw = await getOrNull(deps.dbs.station, docId.stationRange(config.stationId, 'account'));
    const stored = raw === null ? null : parseDocument('station-range', raw);
    return deps.ranges.current('account', config.accountNumberRange, stored, now);
  }

  async function snapshot(): Promise<SyncState> {
    const now = clock.now();
    const engine = replication?.state() ?? null;
    const ranges = { receipt: deps.receipts.usage(now), account: deps.ranges.usage('account', await accountCounter(now)) };
    if (engine === null || sync === null) {
      return {
        mode: 'standalone',
        online: false,
        centralUrl: null,
        district: null,
        pendingPush: 0,
        lastSuccessAt: null,
        offlineSince: null,
        lastError: null,
        progress: null,
        conflicts: 0,
        usage: null,
        // Standalone: station.json's ranges, which the printer's own warning already covers.
        ranges: { receipt: { ...ranges.receipt, low: false }, account: { ...ranges.account, low: false } },
        at: now.toISOString(),
      };
    }
    const lastErrorAt = engine.lastError === null ? null : utc(engine.lastError.at);
    return {
      mode: engine.phase,
      online: engine.online,
      centralUrl: publicUrl(sync.centralUrl),
      district: sync.district,
      pendingPush: Math.max(0, Math.floor(engine.pendingPush)),
      lastSuccessAt: utc(engine.lastSuccessAt),
      offlineSince: engine.online ? null : utc(engine.offlineSince),
      lastError: engine.lastError === null ? null : { at: lastErrorAt ?? now.toISOString(), message: engine.lastError.message.slice(0, 500) },
      progress:
        engine.progress === null
          ? null
          : { database: engine.progress.database, done: Math.max(0, Math.floor(engine.progress.done)), total: engine.progress.total === null ? null : Math.max(0, Math.floor(engine.progress.total)) },
      conflicts: Math.max(0, Math.floor(engine.conflicts)),
      usage: usageOf(engine, now),
      ranges,
      at: now.toISOString(),
    };
  }

  return {
    configured: replication !== null,
    state: snapshot,
    async syncNow() {
      if (replication !== null) {
        try {
          await replication.syncNow();
        } catch (error) {
          // The replication records it as its lastError; the clerk sees it on the sync screen.
          deps.log.error('sync now', error);
        }
      }
      return snapshot();
    },
    checkTopup(amount) {
      const engine = replication?.state() ?? null;
      const usage = usageOf(engine, clock.now());
      if (usage === null || !usage.offline) return ok(true);
      const { limits } = usage;
      if (usage.hoursLevel === 'reached') {
        return err('OFFLINE_LIMIT', `the station has been off line for more than ${limits.maxOfflineHours} hours: sync with central before selling gas`, {
          reason: 'offline-too-long',
          maxOfflineHours: limits.maxOfflineHours,
          offlineSince: engine?.offlineSince ?? null,
        });
      }
      if (amount > limits.maxSingleSale) {
        return err('OFFLINE_LIMIT', `off line, one top-up may be at most ${limits.maxSingleSale} fen`, { reason: 'single-sale', maxSingleSale: limits.maxSingleSale, amount });
      }
      if (usage.offlineSales + amount > limits.maxTotalSales) {
        return err('OFFLINE_LIMIT', `off line, top-ups may total at most ${limits.maxTotalSales} fen until the station syncs`, {
          reason: 'total-sales',
          maxTotalSales: limits.maxTotalSales,
          offlineSales: usage.offlineSales,
          amount,
        });
      }
      return ok(true);
    },
    async configureLimits(limits) {
      const next = { maxOfflineHours: limits.maxOfflineHours, maxSingleSale: limits.maxSingleSale, maxTotalSales: limits.maxTotalSales };
      // From the file, not the running config: this run's command-line overrides (--central…) stay out of it.
      if (deps.dataDir !== null) saveStationConfig(deps.dataDir, { ...loadStationConfig(deps.dataDir), offlineLimits: next });
      config.offlineLimits = next;
      emitSoon();
      return snapshot();
    },
    changed: emitSoon,
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      unsubscribe();
      await replication?.stop();
    },
  };
}
