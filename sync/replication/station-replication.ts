/**
 * The station's replication with central: provision from a snapshot once, then rounds of
 * push (station → td-station-<station>) and pulls (td-operators, td-inbox-<station>,
 * td-master-<district> into `master`; td-ledger-<district> into `district`), forever.
 *
 * Live by polling, not PouchDB's continuous replication: five continuous replications hold five
 * long-poll connections per station and retry on their own, which hides exactly what the clerk
 * and the offline limits need to know (did the last contact succeed, since when not). A round is
 * one clear success or failure; after a success the next round starts `livePollMs` later, or
 * shortly after the station writes something to push; after a failure it waits an exponential
 * back-off with jitter. Every pass resumes from our own checkpoints, so an interruption anywhere
 * (a cut connection, a central restart, a station restart) costs at most one batch.
 */
import type PouchDB from 'pouchdb';
import { isPushedDocId, dbName } from '../../core/sync/layout.js';
import { SNAPSHOTS_DB } from '../../core/sync/snapshot-format.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { readCheckpoint, readLocal, writeLocal } from './checkpoint.js';
import { listConflicts, type ConflictDatabase, type ConflictListing } from './conflicts.js';
import { afterFailure, afterSuccess, NEVER_CONTACTED, readContactStatus, type ContactStatus } from './contact-status.js';
import { errorMessage } from './errors.js';
import { estimateChanges, pullPlan, type PullPlan } from './pull.js';
import { pendingPushCount, startPush } from './push.js';
import { openRemote } from './remote.js';
import { startPass, type Pass, type PassResult } from './replicate-once.js';
import { markProvisioningSkipped, provisionDecision, provisionFromSnapshot } from './snapshot.js';

export interface ReplicationTarget {
  readonly centralUrl: string;
  readonly auth: { readonly username: string; readonly password: string };
  readonly stationId: string;
  readonly district: string;
}

export type ReplicationDatabase = 'master' | 'district' | 'operators' | 'inbox' | 'station';

export interface ReplicationState {
  readonly phase: 'starting' | 'provisioning' | 'syncing' | 'idle' | 'offline' | 'stopped';
  /** The last contact with central succeeded. */
  readonly online: boolean;
  /** Station docs (pushed kinds) not yet on central. */
  readonly pendingPush: number;
  /** ISO instant of the last complete push+pull round. */
  readonly lastSuccessAt: string | null;
  /** First failed contact after the last success (null when online). */
  readonly offlineSince: string | null;
  readonly lastError: { readonly at: string; readonly message: string } | null;
  /** During big pulls and provisioning. */
  readonly progress: { readonly database: ReplicationDatabase; readonly done: number; readonly total: number | null } | null;
  /** Documents with _conflicts seen in the local databases. */
  readonly conflicts: number;
}

export interface StationReplication {
  state(): ReplicationState;
  /** Runs a round now (after the one in progress, if any); resolves when it has ended, whatever its outcome. */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
  onState(listener: (state: ReplicationState) => void): () => void;
  /** The conflicted documents behind `state().conflicts`, for a manager to resolve. */
  conflictList(): readonly ConflictListing[];
}

export interface StationReplicationOptions {
  readonly local: { readonly master: PouchDB.Database; readonly station: PouchDB.Database; readonly district: PouchDB.Database };
  readonly target: ReplicationTarget;
  readonly clock: { now(): Date };
  readonly log?: (line: string) => void;
  readonly backoff?: BackoffOptions;
  readonly batchSize?: number;
  readonly livePollMs?: number;
  /** Requests whose answer has not begun within this are failed (a silent connection). Default 60 s. */
  readonly requestTimeoutMs?: number;
}

const STATUS_DOC = 'status';
/** How soon after a local write the push starts: payments come in bursts (entry, audit, receipt). */
const LOCAL_WRITE_DELAY_MS = 300;

export function startStationReplication(options: StationReplicationOptions): StationReplication {
  const { local, target } = options;
  const log = options.log ?? (() => undefined);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const batchSize = options.batchSize ?? 500;
  const livePollMs = options.livePollMs ?? 10_000;
  const now = (): string => options.clock.now().toISOString();
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const remoteOptions = { requestTimeoutMs };
  // Each step of a pass is one request; a step that takes longer than a request may is a stall.
  const stallMs = requestTimeoutMs;
  const remote = (name: string): PouchDB.Database => openRemote(target, name, remoteOptions);
  const remotes = {
    station: remote(dbName.station(target.stationId)),
    snapshots: remote(SNAPSHOTS_DB),
    pulls: new Map(pullPlan(target).map((plan) => [plan.source, remote(plan.remoteDb)] as const)),
  };

  let phase: ReplicationState['phase'] = 'starting';
  let contact: ContactStatus = NEVER_CONTACTED;
  let pendingPush = 0;
  let progress: ReplicationState['progress'] = null;
  const conflicts = new Map<string, ConflictListing>();
  let failures = 0;
  let stopped = false;
  let provisionChecked = false;
  let current: Pass | null = null;
  let waiters: (() => void)[] = [];
  let wake: (() => void) | null = null;
  let localTimer: ReturnType<typeof setTimeout> | null = null;
  let localFeed: PouchDB.ChangesFeed | null = null;
  const listeners = new Set<(state: ReplicationState) => void>();

  const state = (): ReplicationState => ({
    phase,
    online: contact.online,
    pendingPush,
    lastSuccessAt: contact.lastSuccessAt,
    offlineSince: contact.offlineSince,
    lastError: contact.lastError,
    progress,
    conflicts: conflicts.size,
  });
  const emit = (): void => {
    const snapshot = state();
    for (const listener of listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        log(`sync: state listener failed: ${errorMessage(error)}`);
      }
    }
  };
  const setPhase = (next: ReplicationState['phase']): void => {
    if (phase === 'stopped') return;
    phase = next;
    emit();
  };

  async function persist(): Promise<void> {
    const conflictIds = [...conflicts.values()].map((listing) => ({ database: listing.database, docId: listing.docId }));
    await writeLocal(local.station, STATUS_DOC, { ...contact, conflictIds });
  }

  async function refreshPending(): Promise<void> {
    const count = await pendingPushCount(local.station);
    if (count !== pendingPush) {
      pendingPush = count;
      emit();
    }
  }

  const databaseOf = (which: ConflictDatabase): PouchDB.Database => local[which];

  /** Re-reads `ids` with their conflicts: listed if they have any, dropped once a manager resolved them. */
  async function scanConflicts(database: ConflictDatabase, ids: Iterable<string>): Promise<void> {
    const all = [...ids];
    let changed = false;
    for (let i = 0; i < all.length; i += 500) {
      const keys = all.slice(i, i + 500);
      const page = await databaseOf(database).allDocs({ keys, include_docs: true, conflicts: true });
      const docs: PouchDB.ExistingDocument[] = [];
      for (const row of page.rows) if (row.doc) docs.push(row.doc);
      const found = new Map(listConflicts(database, docs).map((listing) => [listing.docId, listing]));
      for (const id of keys) {
        const key = `${database}/${id}`;
        const listing = found.get(id);
        if (listing) {
          if (!conflicts.has(key)) log(`sync: conflict on ${database} ${id}: ${listing.shownRev} vs ${listing.otherRevs.join(', ')} (listed for a manager)`);
          conflicts.set(key, listing);
          changed = true;
        } else if (conflicts.delete(key)) {
          changed = true;
        }
      }
    }
    if (changed) emit();
  }

  /**
   * The batch size for this round: halved after each failed round that moved nothing (down to
   * 10), back to full once a round moves something. A link that drops every connection after so
   * many bytes (some mobile carriers' NATs do) would otherwise cut the same batch at the same
   * place forever; a link that merely drops now and then keeps the full batches.
   */
  let stalls = 0;
  let movedThisRound = false;
  const roundBatchSize = (): number => Math.max(Math.min(10, batchSize), Math.floor(batchSize / 2 ** Math.min(stalls, 10)));

  async function runPass(pass: Pass): Promise<PassResult> {
    current = pass;
    try {
      return await pass.done;
    } finally {
      current = null;
    }
  }

  async function provisionIfNew(): Promise<void> {
    if (provisionChecked) return;
    const decision = await provisionDecision(local.master);
    if (decision !== 'skip') {
      setPhase('provisioning');
      log(`sync: ${decision === 'resume' ? 'resuming' : 'starting'} provisioning of district ${target.district} from its snapshot`);
      const started = Date.now();
      const result = await provisionFromSnapshot({
        snapshots: remotes.snapshots,
        master: local.master,
        district: target.district,
        now,
        onProgress: (done, total) => {
          progress = { database: 'master', done, total };
          emit();
        },
      });
      if (result === null) {
        log(`sync: central has no snapshot of district ${target.district}: replicating it document by document`);
        await markProvisioningSkipped(local.master, now(), 'no snapshot');
      } else {
        log(`sync: provisioned ${result.written} documents (${result.bytes} bytes) in ${Date.now() - started} ms; continuing from seq ${String(result.header.seq)}`);
      }
      progress = null;
    }
    provisionChecked = true;
  }

  async function pull(plan: PullPlan, pulled: Map<ConflictDatabase, Set<string>>): Promise<boolean> {
    const source = remotes.pulls.get(plan.source);
    if (!source) throw new Error(`no remote for ${plan.source}`);
    const into = local[plan.local];
    const since = (await readCheckpoint(into, plan.checkpointName)) ?? 0;
    const total = estimateChanges(since, (await source.info()).update_seq);
    const ids = pulled.get(plan.local) ?? new Set<string>();
    pulled.set(plan.local, ids);
    const result = await runPass(
      startPass({
        source,
        target: into,
        checkpointDb: into,
        checkpointName: plan.checkpointName,
        // Every central database has its own `_design/tongda` (its validation); three of them
        // pulled into one local master would be three revisions of one document: a conflict.
        filter: (doc) => !doc._id.startsWith('_design/'),
        batchSize: roundBatchSize(),
        stallMs,
        now,
        onBatch: (batch) => {
          movedThisRound = true;
          for (const id of batch.ids) ids.add(id);
          progress = { database: plan.source, done: batch.read, total: total === null ? null : Math.max(total, batch.read) };
          emit();
        },
      }),
    );
    if (result.written > 0) log(`sync: pulled ${result.written} documents from ${plan.remoteDb}`);
    if (result.refused > 0) log(`sync: ${result.refused} documents from ${plan.remoteDb} could not be written locally`);
    return !result.cancelled;
  }

  async function round(): Promise<void> {
    setPhase('syncing');
    movedThisRound = false;
    try {
      await provisionIfNew();
      if (stopped) return;
      setPhase('syncing');
      const pushed = await runPass(
        startPush({
          station: local.station,
          remote: remotes.station,
          batchSize: roundBatchSize(),
          stallMs,
          now,
          onBatch: (read) => {
            movedThisRound = true;
            progress = { database: 'station', done: read, total: pendingPush };
            emit();
          },
        }),
      );
      if (pushed.cancelled || stopped) return;
      if (pushed.refused > 0) {
        // Central's validation refused them: sending them again cannot help, and hiding it would
        // lose money silently. The error stays on the sync screen and in the log.
        const message = `central refused ${pushed.refused} station documents`;
        log(`sync: ${message}`);
        contact = { ...contact, lastError: { at: now(), message } };
      }
      await refreshPending();
      const pulled = new Map<ConflictDatabase, Set<string>>();
      for (const plan of pullPlan(target)) {
        if (!(await pull(plan, pulled)) || stopped) return;
      }
      for (const [database, ids] of pulled) if (ids.size > 0) await scanConflicts(database, ids);
      contact = afterSuccess(contact, now());
      failures = 0;
      stalls = 0;
      progress = null;
      await persist();
      setPhase('idle');
    } catch (error) {
      progress = null;
      if (stopped) return;
      failures += 1;
      stalls = movedThisRound ? 0 : stalls + 1;
      const message = errorMessage(error);
      contact = afterFailure(contact, now(), message);
      log(`sync: round failed (${failures} in a row): ${message}`);
      await persist().catch((persistError: unknown) => log(`sync: could not store the sync status: ${errorMessage(persistError)}`));
      setPhase('offline');
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });
  }

  function watchLocalWrites(): void {
    localFeed = local.station.changes({ since: 'now', live: true });
    localFeed.on('change', (change) => {
      if (!isPushedDocId(change.id) || stopped) return;
      if (localTimer) return;
      localTimer = setTimeout(() => {
        localTimer = null;
        if (stopped) return;
        refreshPending().catch((error: unknown) => log(`sync: pending count failed: ${errorMessage(error)}`));
        // While off line the back-off decides: a burst of payments must not hammer a central that is down.
        if (failures === 0) wake?.();
      }, LOCAL_WRITE_DELAY_MS);
    });
    localFeed.on('error', (error) => log(`sync: local changes feed failed: ${errorMessage(error)}`));
  }

  async function start(): Promise<void> {
    try {
      const stored = await readLocal(local.station, STATUS_DOC);
      contact = readContactStatus(stored);
      const conflictIds = stored?.conflictIds;
      await refreshPending();
      emit();
      if (Array.isArray(conflictIds)) {
        for (const database of ['master', 'district', 'station'] as const) {
          const ids = conflictIds.flatMap((entry: unknown) =>
            typeof entry === 'object' && entry !== null && 'database' in entry && 'docId' in entry && entry.database === database && typeof entry.docId === 'string' ? [entry.docId] : [],
          );
          if (ids.length > 0) await scanConflicts(database, ids);
        }
      }
    } catch (error) {
      log(`sync: could not read the stored sync status: ${errorMessage(error)}`);
    }
    if (stopped) return;
    watchLocalWrites();
    while (!stopped) {
      const served = waiters;
      waiters = [];
      await round();
      for (const resolve of served) resolve();
      if (stopped) break;
      // A syncNow() that came during the round is served at once: someone asked and is waiting.
      if (waiters.length === 0) await sleep(failures > 0 ? backoffDelay(failures, backoff) : livePollMs);
    }
  }

  const running = start().catch((error: unknown) => log(`sync: stopped by an unexpected error: ${errorMessage(error)}`));

  return {
    state,
    syncNow() {
      if (stopped) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        wake?.();
      });
    },
    async stop() {
      if (stopped) {
        await running;
        return;
      }
      stopped = true;
      if (localTimer) clearTimeout(localTimer);
      localFeed?.cancel();
      current?.cancel();
      wake?.();
      await running;
      for (const resolve of waiters) resolve();
      waiters = [];
      progress = null;
      phase = 'stopped';
      emit();
      listeners.clear();
    },
    onState(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    conflictList() {
      return [...conflicts.values()];
    },
  };
}
