/**
 * The central service: the application logic CouchDB cannot run, in a Node process beside it,
 * talking to it over HTTP with its own credentials (role td-central). One instance works at a
 * time (the lease); any number may be started, and any may be killed at any point: every write is
 * idempotent or guarded by a revision, so a restart converges on the same central state.
 *
 * Each pass: read the station directory, follow every station database to the end of its feed
 * (station-follower.ts), top up its number ranges (grants.ts), then refresh district snapshots
 * that are missing or stale (snapshot.ts).
 */
import { z } from 'zod';
import { stationIdSchema } from '../../core/schema/documents.js';
import { CENTRAL_DB, dbName } from '../../core/sync/layout.js';
import { SNAPSHOTS_DB } from '../../core/sync/snapshot-format.js';
import type { Database, DatabaseFactory } from './database.js';
import { docsWithPrefix, errorText, httpDatabaseFactory, isNotFound } from './database.js';
import { completePendingAccountGrant, ensureGrants } from './grants.js';
import type { GrantContext } from './grants.js';
import { Lease } from './lease.js';
import { buildDistrictSnapshot, snapshotDue } from './snapshot.js';
import { DEFAULT_BATCH_SIZE, followStation } from './station-follower.js';
import type { DirectoryEntry, FollowContext } from './station-follower.js';

export type { DatabaseFactory } from './database.js';

export interface CentralServiceOptions {
  /** Central's CouchDB URL (no database name). */
  url: string;
  /** The central service's CouchDB user (role td-central). */
  auth: { username: string; password: string };
  /** Names this process in the lease; unique per running instance. */
  instanceId: string;
  log?: (line: string) => void;
  clock?: { now(): Date };
  /** How long the lease lasts unless renewed (renewed every leaseMs / 3). Default 15 s. */
  leaseMs?: number;
  /** Pause between passes over the stations. Default 2 s. */
  pollMs?: number;
  /** A district snapshot older than this is rebuilt if master changed. Default 10 min. */
  snapshotEveryMs?: number;
  /** Opens a database by name; default: over HTTP at `url` with `auth`. */
  databaseFactory?: DatabaseFactory;
  /** Release the lease on close so another instance takes over at once (default true); false behaves like a crash. */
  releaseOnClose?: boolean;
  /** Station changes read per batch (a checkpoint is saved after each). Default 200. */
  batchSize?: number;
}

export interface CentralServiceStatus {
  readonly instanceId: string;
  /** Holds the lease and is working. */
  readonly active: boolean;
  readonly stations: readonly string[];
  /** Passes completed without an error. */
  readonly passes: number;
  readonly docsRead: number;
  readonly grantsWritten: number;
  readonly snapshotsBuilt: number;
  readonly lastPassAt: string | null;
  readonly lastError: string | null;
}

export interface CentralService {
  close(): Promise<void>;
  /**
   * Resolves when every known station database has been processed up to its current update_seq:
   * after a whole pass that started after this call ended without an error. Waits for the lease
   * if another instance holds it; rejects if the service is closed first.
   */
  idle(): Promise<void>;
  status(): CentralServiceStatus;
}

const directoryEntrySchema = z.looseObject({
  stationId: stationIdSchema,
  district: z.string().min(1).max(32),
  name: z.string().default(''),
  kind: z.string().default(''),
  receiptPrefix: z.string().default(''),
});

export async function readStationDirectory(central: Database, log: (line: string) => void): Promise<DirectoryEntry[]> {
  const entries: DirectoryEntry[] = [];
  for (const doc of await docsWithPrefix(central, 'station:')) {
    const parsed = directoryEntrySchema.safeParse(doc);
    if (parsed.success) entries.push(parsed.data);
    else log(`directory entry ${doc._id} does not parse; station not followed`);
  }
  return entries;
}

export async function startCentralService(options: CentralServiceOptions): Promise<CentralService> {
  const log = options.log ?? ((line: string) => process.stdout.write(`[central-service] ${line}\n`));
  const clock = options.clock ?? { now: () => new Date() };
  const now = () => clock.now();
  const leaseMs = options.leaseMs ?? 15_000;
  const pollMs = options.pollMs ?? 2_000;
  const snapshotEveryMs = options.snapshotEveryMs ?? 10 * 60_000;
  const factory = options.databaseFactory ?? httpDatabaseFactory(options.url, options.auth);
  const ownsDatabases = options.databaseFactory === undefined;

  const databases = new Map<string, Database>();
  const db = (name: string): Database => {
    let open = databases.get(name);
    if (open === undefined) {
      open = factory(name);
      databases.set(name, open);
    }
    return open;
  };
  const central = db(CENTRAL_DB);
  const lease = new Lease(central, options.instanceId, leaseMs, now);

  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let kickRequested = false;
  let passesStarted = 0;
  const waiters: { pass: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  let stations: string[] = [];
  let passes = 0;
  let docsRead = 0;
  let grantsWritten = 0;
  let snapshotsBuilt = 0;
  let lastPassAt: string | null = null;
  let lastError: string | null = null;
  let snapshotsMissingLogged = false;

  const mayWork = () => !closed && lease.holding;
  const followContext: FollowContext = { db, now, log, mayWork, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE };
  const grantContext: GrantContext = { central, inboxFor: (stationId) => db(dbName.inbox(stationId)), now, log, mayWork };

  async function snapshotsPass(districts: readonly string[]): Promise<void> {
    const snapshots = db(SNAPSHOTS_DB);
    try {
      await snapshots.info();
    } catch (error: unknown) {
      if (!isNotFound(error)) throw error;
      // Only an admin may create it (setup does); the service goes on without snapshots.
      if (!snapshotsMissingLogged) log(`${SNAPSHOTS_DB} does not exist; no snapshots until setup creates it`);
      snapshotsMissingLogged = true;
      return;
    }
    for (const district of districts) {
      if (!mayWork()) return;
      const master = db(dbName.master(district));
      if (!(await snapshotDue(master, snapshots, district, snapshotEveryMs, now()))) continue;
      const result = await buildDistrictSnapshot({ master, snapshots, district, now });
      snapshotsBuilt += 1;
      log(`snapshot of ${district}: ${result.docCount} documents, ${result.bytes} bytes, seq ${String(result.seq)}`);
    }
  }

  async function pass(): Promise<void> {
    if (!mayWork()) return;
    passesStarted += 1;
    const number = passesStarted;
    let failed = false;
    const directory = await readStationDirectory(central, log);
    stations = directory.map((entry) => entry.stationId);
    if ((await completePendingAccountGrant(grantContext)) !== null) grantsWritten += 1;
    for (const entry of directory) {
      if (!mayWork()) return;
      try {
        const { checkpoint, docs } = await followStation(followContext, entry);
        docsRead += docs;
        if (!mayWork()) return;
        grantsWritten += (await ensureGrants(grantContext, entry.stationId, checkpoint.usage)).length;
      } catch (error: unknown) {
        // One station's trouble (its database missing, a bad document) does not stop the others.
        failed = true;
        lastError = `${entry.stationId}: ${errorText(error)}`;
        log(`station ${lastError}`);
      }
    }
    try {
      await snapshotsPass([...new Set(directory.map((entry) => entry.district))]);
    } catch (error: unknown) {
      failed = true;
      lastError = `snapshots: ${errorText(error)}`;
      log(lastError);
    }
    if (failed || !mayWork()) return;
    passes += 1;
    lastPassAt = now().toISOString();
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      const waiter = waiters[i];
      if (waiter !== undefined && waiter.pass <= number) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  function schedule(delayMs: number): void {
    if (closed) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      running = pass()
        .catch((error: unknown) => {
          lastError = errorText(error);
          log(`pass failed: ${lastError}`);
        })
        .finally(() => {
          running = null;
          const again = kickRequested;
          kickRequested = false;
          schedule(again ? 0 : pollMs);
        });
    }, delayMs);
  }

  function kick(): void {
    if (running !== null) kickRequested = true;
    else schedule(0);
  }

  async function tendLease(): Promise<void> {
    const wasHolding = lease.holding;
    try {
      const holding = await lease.acquireOrRenew();
      if (holding && !wasHolding) {
        log(`${options.instanceId} holds the lease`);
        kick();
      }
      if (!holding && wasHolding) log(`${options.instanceId} lost the lease; stopping work`);
    } catch (error: unknown) {
      // Central unreachable: keep working until the lease we have runs out (lease.holding says when).
      log(`lease: ${errorText(error)}`);
    }
  }

  await tendLease();
  let leaseRunning: Promise<void> | null = null;
  const leaseTimer = setInterval(() => {
    if (leaseRunning !== null || closed) return;
    leaseRunning = tendLease().finally(() => {
      leaseRunning = null;
    });
  }, Math.max(10, Math.floor(leaseMs / 3)));
  schedule(0);

  return {
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(leaseTimer);
      if (timer !== null) clearTimeout(timer);
      await running;
      await leaseRunning;
      if (options.releaseOnClose ?? true) {
        try {
          await lease.release();
        } catch (error: unknown) {
          log(`lease release: ${errorText(error)}`);
        }
      } else {
        lease.drop();
      }
      for (const waiter of waiters.splice(0)) waiter.reject(new Error('the central service was closed'));
      if (ownsDatabases) await Promise.all([...databases.values()].map((open) => open.close()));
    },
    idle() {
      if (closed) return Promise.reject(new Error('the central service is closed'));
      return new Promise<void>((resolve, reject) => {
        // A pass under way may have read its feeds before this call: wait for the next one.
        waiters.push({ pass: passesStarted + 1, resolve, reject });
        kick();
      });
    },
    status() {
      return {
        instanceId: options.instanceId,
        active: mayWork(),
        stations: [...stations],
        passes,
        docsRead,
        grantsWritten,
        snapshotsBuilt,
        lastPassAt,
        lastError,
      };
    },
  };
}
