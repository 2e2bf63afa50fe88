/**
 * The station's replication against a real central on loopback (the embedded server with an
 * admin, reached with HTTP Basic), real LevelDB databases on both sides, and a TCP proxy that
 * cuts connections.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dbName } from '../../core/sync/layout.js';
import { startEmbeddedCentral, type EmbeddedCentral } from '../central/server.js';
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy.js';
import { readCheckpoint } from './checkpoint.js';
import { startStationReplication, type ReplicationState, type StationReplication, type StationReplicationOptions } from './station-replication.js';
import { adminDb, bulkWrite, createCentralDatabases, ledgerDocs, publishSnapshot, revisions, stationDatabaseNames } from './test-fixtures.js';

const ADMIN = { username: 'admin', password: 'central-admin-pw' };
const STATION = 'S1';
const DISTRICT = 'D1';

let central: EmbeddedCentral;
let proxy: TcpProxy;
let dir: string;
let local: { master: PouchDB.Database; station: PouchDB.Database; district: PouchDB.Database };
const engines: StationReplication[] = [];
let clockMs = Date.parse('2026-11-21T02:00:00.000Z');
const clock = { now: () => new Date(clockMs) };

function openLocal(): typeof local {
  return { master: new PouchDB(join(dir, 'master')), station: new PouchDB(join(dir, 'station')), district: new PouchDB(join(dir, 'district')) };
}

function start(overrides: Partial<StationReplicationOptions> = {}): StationReplication {
  const engine = startStationReplication({
    local,
    target: { centralUrl: `http://127.0.0.1:${proxy.port}`, auth: ADMIN, stationId: STATION, district: DISTRICT },
    clock,
    backoff: { initialMs: 10, maxMs: 40 },
    livePollMs: 60_000,
    batchSize: 100,
    requestTimeoutMs: 5000,
    ...overrides,
  });
  engines.push(engine);
  return engine;
}

async function waitFor(engine: StationReplication, test: (state: ReplicationState) => boolean, ms = 15_000): Promise<ReplicationState> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const state = engine.state();
    if (test(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out; state: ${JSON.stringify(engine.state())}`);
}

const remote = (name: string) => adminDb(central.url, ADMIN, name);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tongda-replication-'));
  central = await startEmbeddedCentral({ dataDir: null, port: 0, admin: ADMIN });
  await createCentralDatabases(central.url, ADMIN, stationDatabaseNames(STATION, DISTRICT));
  proxy = await startTcpProxy({ targetPort: central.port });
  local = openLocal();
});

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
  await proxy.close();
  await Promise.all([local.master.close(), local.station.close(), local.district.close()]);
  await central.close();
  await rm(dir, { recursive: true, force: true });
});

describe('push', () => {
  it('pushes the station documents once; pushing them again changes nothing on central', async () => {
    const docs = ledgerDocs(STATION, 300);
    await bulkWrite(local.station, [...docs, { _id: `station-range:${STATION}:account`, type: 'station-range', next: 5 }]);
    const engine = start();
    await engine.syncNow();
    expect(engine.state()).toMatchObject({ phase: 'idle', online: true, pendingPush: 0, lastError: null });
    const onCentral = remote(dbName.station(STATION));
    const first = await revisions(onCentral);
    expect([...first.keys()].sort()).toEqual(docs.map((doc) => doc._id).sort());
    expect([...first.values()].every((rev) => rev.startsWith('1-'))).toBe(true);
    const seqBefore = (await onCentral.info()).update_seq;

    // Lose the checkpoint, as a station restored from an old backup would: everything is offered again.
    const checkpoint = await local.station.get('_local/td-sync-push-station');
    await local.station.put({ ...checkpoint, last_seq: 0 });
    await engine.syncNow();
    expect(engine.state()).toMatchObject({ online: true, pendingPush: 0 });
    expect(await revisions(onCentral)).toEqual(first);
    expect((await onCentral.info()).update_seq).toBe(seqBefore);
  });

  it('counts what waits to go up, station counters aside', async () => {
    proxy.setDown(true);
    const engine = start();
    await waitFor(engine, (state) => state.phase === 'offline');
    await bulkWrite(local.station, [...ledgerDocs(STATION, 20), { _id: `station-range:${STATION}:receipt`, type: 'station-range', next: 9 }]);
    await waitFor(engine, (state) => state.pendingPush === 20);
    proxy.setDown(false);
    await engine.syncNow();
    expect(engine.state()).toMatchObject({ online: true, pendingPush: 0 });
  });
});

describe('interruptions', () => {
  it('converges to exactly the union while the proxy cuts connections mid-batch again and again', async () => {
    const mine = ledgerDocs(STATION, 600);
    await bulkWrite(local.station, mine);
    const others = ledgerDocs('S2', 300);
    await bulkWrite(remote(dbName.districtLedger(DISTRICT)), others);
    // 60 documents (~50 KB) never pass in one piece: the engine must find smaller batches. And
    // every connection open at each tick dies wherever it is.
    proxy.cutAfterBytes(40_000);
    const cutter = setInterval(() => proxy.cutAll(), 250);
    const failures: string[] = [];
    const batchSizes = new Set<number>();
    const engine = start({
      batchSize: 60,
      requestTimeoutMs: 1500,
      log: (line) => {
        if (line.includes('round failed')) failures.push(line);
      },
    });
    engine.onState((state) => {
      if (state.progress?.database === 'station') batchSizes.add(state.progress.done);
    });
    try {
      await waitFor(engine, (state) => state.online && state.pendingPush === 0 && state.phase === 'idle', 60_000);
    } finally {
      clearInterval(cutter);
      proxy.cutAfterBytes(null);
    }
    // The cuts did hit rounds (how many depends on how fast this machine is at the moment).
    expect(failures.length).toBeGreaterThan(0);
    const onCentral = await revisions(remote(dbName.station(STATION)));
    expect(onCentral.size).toBe(mine.length);
    expect([...onCentral.keys()].sort()).toEqual(mine.map((doc) => doc._id).sort());
    expect([...onCentral.values()].every((rev) => rev.startsWith('1-'))).toBe(true);
    const pulled = await revisions(local.district);
    expect([...pulled.keys()].sort()).toEqual(others.map((doc) => doc._id).sort());
    const conflicted = await local.district.allDocs({ include_docs: true, conflicts: true });
    expect(conflicted.rows.filter((row) => row.doc && '_conflicts' in row.doc)).toEqual([]);
    expect(engine.state().conflicts).toBe(0);
  }, 90_000);

  it('resumes from its checkpoints after a restart: only what is new is transferred', async () => {
    const ledger = remote(dbName.districtLedger(DISTRICT));
    await bulkWrite(ledger, ledgerDocs('S2', 1000));
    await bulkWrite(local.station, ledgerDocs(STATION, 400));
    const first = start();
    await first.syncNow();
    expect(first.state().online).toBe(true);
    await first.stop();

    await bulkWrite(ledger, ledgerDocs('S2', 30, 1000));
    await bulkWrite(local.station, ledgerDocs(STATION, 8, 400));
    const seen = new Map<string, number>();
    const second = start();
    second.onState((state) => {
      if (state.progress) seen.set(state.progress.database, Math.max(seen.get(state.progress.database) ?? 0, state.progress.done));
    });
    await second.syncNow();
    expect(second.state()).toMatchObject({ online: true, pendingPush: 0 });
    expect(seen.get('district')).toBe(30);
    expect(seen.get('station')).toBe(8);
    expect(seen.has('master')).toBe(false);
    expect((await local.district.info()).doc_count).toBe(1030);
  });
});

describe('state', () => {
  it('goes off line and back, and keeps offlineSince and lastSuccessAt across a restart', async () => {
    proxy.setDown(true);
    const offlineAt = clock.now().toISOString();
    const engine = start();
    const offline = await waitFor(engine, (state) => state.phase === 'offline');
    expect(offline).toMatchObject({ online: false, offlineSince: offlineAt, lastSuccessAt: null });
    expect(offline.lastError?.message).toMatch(/ECONNRESET|socket hang up|ECONNREFUSED|fetch/i);

    clockMs += 3_600_000;
    await engine.stop();
    expect(engine.state().phase).toBe('stopped');
    const restarted = start();
    await waitFor(restarted, (state) => state.phase === 'offline');
    expect(restarted.state().offlineSince).toBe(offlineAt);

    proxy.setDown(false);
    clockMs += 60_000;
    const backAt = clock.now().toISOString();
    await restarted.syncNow();
    expect(restarted.state()).toMatchObject({ phase: 'idle', online: true, offlineSince: null, lastSuccessAt: backAt });
    await restarted.stop();

    clockMs += 60_000;
    const third = start();
    await waitFor(third, (state) => state.lastSuccessAt === backAt && state.online);
  });

  it('backs off longer after each failure and starts again from the shortest wait after a success', async () => {
    proxy.setDown(true);
    const failedAt: number[] = [];
    const engine = start({ backoff: { initialMs: 50, maxMs: 400 }, log: (line) => (line.includes('round failed') ? failedAt.push(performance.now()) : undefined) });
    await waitFor(engine, () => failedAt.length >= 5);
    const gaps = failedAt.slice(1).map((t, i) => t - (failedAt[i] ?? t));
    // Equal jitter: wait n lies in [d/2, d] with d = 50·2^(n-1); timers never fire early.
    expect(gaps[3]).toBeGreaterThanOrEqual(195);
    expect(gaps[3] ?? 0).toBeGreaterThan(gaps[0] ?? Infinity);

    proxy.setDown(false);
    await waitFor(engine, (state) => state.online);
    proxy.setDown(true);
    const before = failedAt.length;
    await engine.syncNow();
    await waitFor(engine, () => failedAt.length >= before + 2);
    const afterReset = (failedAt[before + 1] ?? 0) - (failedAt[before] ?? 0);
    expect(afterReset).toBeLessThan(195);
  });
});

describe('snapshot provisioning', () => {
  it('loads the district from its snapshot, then pulls only what changed after it', async () => {
    const master = remote(dbName.master(DISTRICT));
    const accounts = Array.from({ length: 3000 }, (_, i) => ({ _id: `account:11${String(100000 + i).padStart(8, '0')}`, type: 'account', ownerName: `户主${i}`, balance: i }));
    await bulkWrite(master, accounts);
    // Some accounts already have history (an owner change) before the dump.
    for (const id of accounts.slice(0, 5).map((a) => a._id)) await master.put({ ...(await master.get(id)), ownerName: '新户主' });
    const snapshot = await publishSnapshot(central.url, ADMIN, DISTRICT, clock.now().toISOString());
    expect(snapshot.docCount).toBe(3000);
    // After the dump: changes to snapshot documents, and new ones.
    for (const id of accounts.slice(0, 10).map((a) => a._id)) await master.put({ ...(await master.get(id)), ownerName: '又换了' });
    await bulkWrite(master, [{ _id: 'account:1199999999', type: 'account', ownerName: '新开户' }]);

    const phases: { phase: string; database: string; done: number; total: number | null }[] = [];
    const engine = start();
    engine.onState((state) => {
      if (state.progress) phases.push({ phase: state.phase, ...state.progress });
    });
    await engine.syncNow();
    expect(engine.state()).toMatchObject({ online: true, conflicts: 0 });
    const provisioning = phases.filter((p) => p.phase === 'provisioning');
    expect(provisioning.at(-1)).toEqual({ phase: 'provisioning', database: 'master', done: 3000, total: 3000 });
    const pulledAfter = Math.max(...phases.filter((p) => p.phase === 'syncing' && p.database === 'master').map((p) => p.done));
    expect(pulledAfter).toBe(11);
    expect(await revisions(local.master)).toEqual(await revisions(master));
    expect(await readCheckpoint(local.master, 'pull-master')).toBe((await master.info()).update_seq);
    const conflicted = await local.master.allDocs({ include_docs: true, conflicts: true });
    expect(conflicted.rows.filter((row) => row.doc && '_conflicts' in row.doc)).toEqual([]);

    // A later change to an account with history continues that history: no conflict.
    await master.put({ ...(await master.get(accounts[0]?._id ?? '')), ownerName: '第三位' });
    await engine.syncNow();
    expect((await local.master.get(accounts[0]?._id ?? '')).ownerName).toBe('第三位');
    expect(engine.state().conflicts).toBe(0);
  });

  it('lists a conflict that central holds for a manager instead of resolving it', async () => {
    const master = remote(dbName.master(DISTRICT));
    await master.bulkDocs(
      [
        { _id: 'account:1100000001', _rev: '2-aaaa', ownerName: '甲', _revisions: { start: 2, ids: ['aaaa', 'root'] } },
        { _id: 'account:1100000001', _rev: '2-bbbb', ownerName: '乙', _revisions: { start: 2, ids: ['bbbb', 'root'] } },
      ],
      { new_edits: false },
    );
    const engine = start();
    await engine.syncNow();
    expect(engine.state().conflicts).toBe(1);
    expect(engine.conflictList()).toEqual([
      { database: 'master', docId: 'account:1100000001', shownRev: '2-bbbb', otherRevs: ['2-aaaa'], kind: 'account', severity: 'versions-differ' },
    ]);
    await engine.stop();
    const restarted = start();
    await waitFor(restarted, (state) => state.conflicts === 1);
  });
});
