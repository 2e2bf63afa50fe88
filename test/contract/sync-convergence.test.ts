/**
 * Issue 5's convergence test: two stations, the embedded central and the central service, all
 * on loopback, the stations reaching central through a TCP proxy that can take the network away.
 * Both stations work offline (bill payments, the same bill at both, top-ups on their own cards,
 * competing ownership transfers of one account), then come back through a proxy that cuts every
 * connection mid-transfer again and again, while central and the central service restart.
 * Afterwards central holds exactly the union, both stations hold every entry of their district,
 * nothing is doubled, every ledger document is at its first revision everywhere, per-account sums
 * agree everywhere, the bill paid twice settles once plus credit, and exactly one transfer won.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { Result } from '../../core/contract/result.js';
import { fen, gas } from '../../core/money/money.js';
import { isPushedDocId, dbName } from '../../core/sync/layout.js';
import { manualClock, localDateOf, type ManualClock } from '../../core/time/local-date.js';
import { DEMO_CARD_KEY_HEX } from '../../electron/station/config.js';
import { openStation } from '../../electron/station/open-station.js';
import { backendOnEmulator, startInProcessEmulator, type InProcessEmulator } from '../../electron/station/reader-backends.js';
import type { RunningStation } from '../../electron/station/types.js';
import { startEmbeddedCentral, type EmbeddedCentral } from '../../sync/central/server.js';
import { startStationReplication } from '../../sync/replication/station-replication.js';
import { startCentralService, type CentralService } from '../../sync/service/central-service.js';
import { demoCentralPlan, demoOperatorDocs, demoMasterDocs, DEMO_CENTRAL_PASSWORD, DEMO_STATION_PASSWORD } from '../../sync/setup/demo-plan.js';
import { loadMasterData, setupCentral } from '../../sync/setup/setup.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { TEST_NOW, TEST_SEED, unwrap } from '../support/station-fixture.js';

const ADMIN = { username: 'admin', password: 'tongda-test' };
const DISTRICT = 'SHUSHAN';
const ACCOUNTS = 300;
const quiet = { info: () => undefined, error: () => undefined };

interface SyncedStation {
  readonly stationId: string;
  readonly dataDir: string;
  readonly clock: ManualClock;
  station: RunningStation;
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<Result<CommandOutput<C>>>;
  close(): Promise<void>;
}

let centralDir: string;
let central: EmbeddedCentral;
let centralPort = 0;
let service: CentralService | null = null;
let proxy: TcpProxy;
const stations: SyncedStation[] = [];

async function startCentral(): Promise<void> {
  central = await startEmbeddedCentral({ dataDir: centralDir, port: centralPort, admin: ADMIN });
  centralPort = central.port;
}

async function startService(instanceId: string): Promise<void> {
  service = await startCentralService({
    url: central.url,
    auth: { username: 'td-central-service', password: DEMO_CENTRAL_PASSWORD },
    instanceId,
    log: () => undefined,
    leaseMs: 3000,
    pollMs: 200,
    // A crash: the lease is not handed back, the next instance waits for it to expire.
    releaseOnClose: false,
  });
}

function remote(name: string, auth = ADMIN): PouchDB.Database {
  return new PouchDB(`${central.url}/${name}`, { auth, skip_setup: true });
}

async function openSynced(stationId: string, username: string): Promise<SyncedStation> {
  const dataDir = mkdtempSync(join(tmpdir(), `tongda-conv-${stationId}-`));
  const clock = manualClock(TEST_NOW);
  let emulator: InProcessEmulator | null = null;
  let session: string | undefined = undefined;
  let nextId = 1;
  const open = () =>
    openStation({
      dataDir,
      clock,
      // The same demo master data central was loaded with: identical documents, identical
      // revisions (PouchDB's are digests of the content), so the first pull has nothing to do.
      demo: { accounts: ACCOUNTS, seed: TEST_SEED },
      log: quiet,
      overrides: {
        stationId,
        receiptNumbers: { prefix: stationId.replace(/-/g, ''), from: 1, to: 99_999_999 },
        sync: { centralUrl: `http://127.0.0.1:${proxy.port}`, district: DISTRICT, username, password: DEMO_STATION_PASSWORD },
      },
      startReplication: (options) => startStationReplication({ ...options, livePollMs: 300, backoff: { initialMs: 100, maxMs: 800 }, requestTimeoutMs: 2000 }),
      readerBackends: async (config, deck) => {
        emulator ??= await startInProcessEmulator(deck, { cardKeyHex: DEMO_CARD_KEY_HEX, timing: { pacing: false } });
        return backendOnEmulator(config, deck, emulator);
      },
    });
  const synced: SyncedStation = {
    stationId,
    dataDir,
    clock,
    station: await open(),
    async call(command, input) {
      const request = { type: 'request', id: nextId++, command, input, ...(session ? { session } : {}) };
      const response = await synced.station.dispatcher.dispatch(request, { connectionId: `conv-${stationId}`, transport: 'websocket' });
      return response.result as Result<CommandOutput<typeof command>>;
    },
    async close() {
      await synced.station.close();
      await emulator?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  session = unwrap(await synced.call('session.login', { staffNo: '1001', password: '123456' })).session;
  return synced;
}

beforeAll(async () => {
  centralDir = mkdtempSync(join(tmpdir(), 'tongda-conv-central-'));
  await startCentral();
  await setupCentral(central.url, ADMIN, demoCentralPlan());
  const today = localDateOf(new Date(TEST_NOW), 'Asia/Shanghai');
  await loadMasterData(central.url, ADMIN, [...demoMasterDocs({ today, accounts: ACCOUNTS, seed: TEST_SEED }), ...(await demoOperatorDocs())]);
  await startService('service-1');
  proxy = await startTcpProxy({ targetPort: centralPort });
  stations.push(await openSynced('HF-SS-01', 'station-hf-ss-01'), await openSynced('VAN-01', 'station-van-01'));
}, 120_000);

afterAll(async () => {
  for (const station of stations) await station.close();
  await service?.close();
  await proxy.close();
  await central.close();
  rmSync(centralDir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function allDocs(db: PouchDB.Database, prefixes: readonly string[]): Promise<Map<string, PouchDB.ExistingDocument>> {
  const found = new Map<string, PouchDB.ExistingDocument>();
  for (const prefix of prefixes) {
    const page = await db.allDocs({ startkey: prefix, endkey: `${prefix}\uffff`, include_docs: true, conflicts: true });
    for (const row of page.rows) if (row.doc) found.set(row.id, row.doc);
  }
  return found;
}

/** A post-paid SHUSHAN account with unpaid bills that both stations know, and an active prepaid one. */
async function pickAccounts(at: SyncedStation): Promise<{ billed: string; transferred: string }> {
  const found = unwrap(await at.call('accounts.search', { query: '蜀山' })).results;
  let billed: string | null = null;
  let transferred: string | null = null;
  for (const result of found) {
    const detail = unwrap(await at.call('accounts.get', { accountNo: result.accountNo }));
    if (detail.account.status !== 'active') continue;
    if (!billed && detail.account.meterKind === 'post-paid' && detail.bills.some((bill) => bill.status === 'unpaid')) billed = result.accountNo;
    else if (!transferred && detail.account.meterKind === 'post-paid') transferred = result.accountNo;
    if (billed && transferred) return { billed, transferred };
  }
  throw new Error('no suitable accounts');
}

async function payAll(at: SyncedStation, accountNo: string): Promise<string> {
  const detail = unwrap(await at.call('accounts.get', { accountNo }));
  const unpaid = detail.bills.filter((bill) => bill.status === 'unpaid').map((bill) => bill.billId);
  const quote = unwrap(await at.call('payments.prepare', { accountNo, billIds: unpaid }));
  return unwrap(await at.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: fen(quote.due + 10_000) })).entry.entryId;
}

async function topUp(at: SyncedStation, card: string): Promise<string> {
  unwrap(await at.call('demo.card', { action: 'insert', card }));
  const inspected = unwrap(await at.call('card.inspect', {}));
  if (!inspected.account || !inspected.card) throw new Error(`card ${card} has no account`);
  const quote = unwrap(await at.call('topup.prepare', { accountNo: inspected.account.accountNo, serial: inspected.card.serial, by: { kind: 'volume', volume: gas(1000) } }));
  const done = unwrap(await at.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
  expect(done.card).toBe('on-card');
  unwrap(await at.call('demo.card', { action: 'remove' }));
  return done.entry.entryId;
}

/** Per account: money in, credit and entry count, from the station's own view of the ledger. */
async function sums(at: SyncedStation, accountNos: readonly string[]): Promise<Record<string, { amount: number; credit: number; entries: number; settledBy: string[] }>> {
  const out: Record<string, { amount: number; credit: number; entries: number; settledBy: string[] }> = {};
  for (const accountNo of accountNos) {
    const detail = unwrap(await at.call('accounts.get', { accountNo }));
    out[accountNo] = {
      amount: detail.history.reduce((sum, entry) => sum + entry.amount, 0),
      credit: detail.creditBalance,
      entries: detail.history.length,
      settledBy: detail.bills.map((bill) => `${bill.billId}=${bill.paidByEntryId ?? '-'}`).sort(),
    };
  }
  return out;
}

describe('two stations offline, then converging through a faulty network', () => {
  it('ends with exactly the union everywhere, first revisions only, one settlement plus credit, and one transfer applied', async () => {
    const [hall, van] = stations;
    if (!hall || !van) throw new Error('two stations');
    // Online first: both see central.
    for (const at of stations) await until(`${at.stationId} online`, async () => ((unwrap(await at.call('sync.now', {}))).online ? true : null));

    proxy.setDown(true);
    for (const at of stations) await until(`${at.stationId} offline`, async () => ((unwrap(await at.call('sync.now', {}))).online ? null : true));

    const { billed, transferred } = await pickAccounts(hall);
    // The same bills paid at the hall and, a minute later, in the van.
    const hallPayment = await payAll(hall, billed);
    van.clock.advance(60_000);
    const vanPayment = await payAll(van, billed);
    const hallTopup = await topUp(hall, 'new');
    const vanTopup = await topUp(van, 'loaded');
    // Both transfer the same account to different people.
    const hallTransfer = unwrap(await hall.call('accounts.transfer', { accountNo: transferred, newOwner: { name: '陈建国', idNumber: '340104197905120033', phone: '13905512233' }, documentsSeen: ['id-card', 'property-deed'], payment: { method: 'cash', tendered: fen(2000) } }));
    const vanTransfer = unwrap(await van.call('accounts.transfer', { accountNo: transferred, newOwner: { name: '周敏', idNumber: '340104199003070013', phone: '13955123456' }, documentsSeen: ['id-card', 'transfer-agreement'], payment: { method: 'cash', tendered: fen(2000) } }));
    expect(unwrap(await hall.call('accounts.get', { accountNo: transferred })).pendingTransfer?.eventId).toBe(hallTransfer.transfer.eventId);
    // The count follows a moment after the writes (a burst of documents is counted once).
    await until('pending documents counted', async () => (unwrap(await hall.call('sync.state', {})).pendingPush > 0 ? true : null), 5000);

    // The network comes back, but every connection dies after 6 KB: batches are cut again and again.
    proxy.cutAfterBytes(6000);
    proxy.setDown(false);
    for (let round = 0; round < 6; round += 1) for (const at of stations) await at.call('sync.now', {});
    // Central and the central service go down mid-sync and come back (the service as a new instance).
    await service?.close();
    service = null;
    await central.close();
    for (const at of stations) await at.call('sync.now', {});
    await startCentral();
    await startService('service-2');
    for (let round = 0; round < 4; round += 1) for (const at of stations) await at.call('sync.now', {});
    proxy.cutAfterBytes(null);

    // Converged: nothing left to push, the service idle, both transfers answered at their stations.
    for (const at of stations) {
      await until(`${at.stationId} pushed everything`, async () => {
        const state = unwrap(await at.call('sync.now', {}));
        return state.online && state.pendingPush === 0 ? true : null;
      });
    }
    const running = service as CentralService | null;
    await running?.idle();
    await until('both transfer outcomes back at their stations', async () => {
      for (const at of stations) await at.call('sync.now', {});
      const hallDetail = unwrap(await hall.call('accounts.get', { accountNo: transferred }));
      const vanDetail = unwrap(await van.call('accounts.get', { accountNo: transferred }));
      return hallDetail.pendingTransfer === null && vanDetail.pendingTransfer === null ? true : null;
    });

    // Central holds exactly each station's pushed documents, and the district ledger their union.
    const ledgerPrefixes = ['ledger:', 'cardwrite:'];
    const union = new Map<string, PouchDB.ExistingDocument>();
    for (const at of stations) {
      const local = new Map<string, PouchDB.ExistingDocument>();
      // The station's own database is read through its running PouchDB (LevelDB has one owner).
      const mine = await allDocs(stationDb(at), ['']);
      for (const [id, doc] of mine) if (isPushedDocId(id)) local.set(id, doc);
      const onCentral = await allDocs(remote(dbName.station(at.stationId)), ['']);
      for (const id of [...onCentral.keys()]) if (id.startsWith('_design/')) onCentral.delete(id);
      expect([...onCentral.keys()].sort()).toEqual([...local.keys()].sort());
      for (const [id, doc] of local) {
        expect(onCentral.get(id)?._rev, id).toBe(doc._rev);
        if (ledgerPrefixes.some((prefix) => id.startsWith(prefix))) union.set(id, doc);
      }
    }
    expect(union.has(`ledger:${hallPayment}`) && union.has(`ledger:${vanPayment}`) && union.has(`ledger:${hallTopup}`) && union.has(`ledger:${vanTopup}`)).toBe(true);
    const districtLedger = await allDocs(remote(dbName.districtLedger(DISTRICT)), ledgerPrefixes);
    expect([...districtLedger.keys()].sort()).toEqual([...union.keys()].sort());
    for (const [id, doc] of districtLedger) {
      // Provably at their first revision, and one revision only: no conflict anywhere.
      expect(doc._rev.startsWith('1-'), id).toBe(true);
      expect(doc._rev).toBe(union.get(id)?._rev);
      expect(doc['_conflicts'], id).toBeUndefined();
    }
    // Each station holds every entry of its district (its own, and the other's through the district ledger).
    for (const at of stations) {
      const own = await allDocs(stationDb(at), ledgerPrefixes);
      const pulled = await allDocs(districtDb(at), ledgerPrefixes);
      const held = new Set([...own.keys(), ...pulled.keys()]);
      expect([...held].sort()).toEqual([...union.keys()].sort());
      for (const [id, doc] of [...own, ...pulled]) {
        expect(doc._rev.startsWith('1-'), id).toBe(true);
        expect(doc['_conflicts'], id).toBeUndefined();
      }
    }

    // No replication conflict anywhere at the stations (the list a manager would have to work through).
    for (const at of stations) expect(unwrap(await at.call('sync.state', {})).conflicts).toBe(0);

    // Per-account sums agree at both stations, and with central's district ledger.
    const touched = [...new Set([...union.values()].filter((doc) => doc['type'] === 'ledger-entry').map((doc) => String(doc['accountNo'])))];
    const atHall = await sums(hall, touched);
    const atVan = await sums(van, touched);
    expect(atVan).toEqual(atHall);
    for (const accountNo of touched) {
      const centralSum = [...districtLedger.values()].filter((doc) => doc['type'] === 'ledger-entry' && doc['accountNo'] === accountNo).reduce((sum, doc) => sum + Number(doc['amount']), 0);
      expect(atHall[accountNo]?.amount).toBe(centralSum);
    }

    // The bill paid twice: settled by the hall's (earlier) payment at both stations; the van's money is credit.
    for (const at of stations) {
      const detail = unwrap(await at.call('accounts.get', { accountNo: billed }));
      expect(detail.bills.filter((bill) => bill.paidByEntryId !== null).every((bill) => bill.paidByEntryId === hallPayment)).toBe(true);
      expect(detail.doublePayments.map((double) => double.entryId)).toEqual([vanPayment]);
      expect(detail.creditBalance).toBeGreaterThan(0);
    }

    // Exactly one transfer applied; master and both stations show that owner; the other station was told why.
    const outcomes = await allDocs(remote(dbName.inbox('HF-SS-01')), ['outcome:transfer:']);
    const vanOutcomes = await allDocs(remote(dbName.inbox('VAN-01')), ['outcome:transfer:']);
    const answers = [...outcomes.values(), ...vanOutcomes.values()].map((doc) => String(doc['outcome'])).sort();
    expect(answers).toEqual(['applied', 'rejected']);
    const winner = [...outcomes.values(), ...vanOutcomes.values()].find((doc) => doc['outcome'] === 'applied');
    const winnerName = winner?.['eventDocId'] === `transfer:${hallTransfer.transfer.eventId}` ? '陈建国' : '周敏';
    const masterAccount = await remote(dbName.master(DISTRICT)).get(`account:${transferred}`);
    expect(masterAccount['ownerName']).toBe(winnerName);
    for (const at of stations) {
      await until(`${at.stationId} shows master's owner`, async () => {
        await at.call('sync.now', {});
        return unwrap(await at.call('accounts.get', { accountNo: transferred })).account.ownerName === winnerName ? true : null;
      });
    }
    const loser = winnerName === '陈建国' ? van : hall;
    const rejected = unwrap(await loser.call('transfers.list', { state: 'rejected' })).transfers;
    expect(rejected.map((transfer) => transfer.eventId)).toEqual([winnerName === '陈建国' ? vanTransfer.transfer.eventId : hallTransfer.transfer.eventId]);
  }, 240_000);

  it('refuses, at central, a station writing another station’s ledger or changing or deleting a ledger document', async () => {
    const asHall = { username: 'station-hf-ss-01', password: DEMO_STATION_PASSWORD };
    const vanDb = remote(dbName.station('VAN-01'), asHall);
    const foreign = { _id: 'ledger:VAN-01:zzzz-0001', type: 'ledger-entry', stationId: 'VAN-01' };
    await expect(vanDb.put(foreign)).rejects.toMatchObject({ status: 403 });
    const hallDb = remote(dbName.station('HF-SS-01'), asHall);
    await expect(hallDb.put({ _id: 'ledger:VAN-01:zzzz-0002', type: 'ledger-entry', stationId: 'VAN-01' })).rejects.toMatchObject({ status: 403 });
    // Its own new document goes in; then neither a change nor a delete of it does.
    const written = await hallDb.put({ _id: 'ledger:HF-SS-01:zzzz-0009', type: 'ledger-entry', stationId: 'HF-SS-01', amount: 0 });
    const existing = { doc: { ...(await hallDb.get(written.id)) } };
    await expect(hallDb.put({ ...existing.doc, amount: 1 })).rejects.toMatchObject({ status: 403 });
    await expect(hallDb.remove(existing.doc._id, existing.doc._rev)).rejects.toMatchObject({ status: 403 });
    const districtDbRemote = remote(dbName.districtLedger(DISTRICT), asHall);
    await expect(districtDbRemote.put({ _id: 'ledger:HF-SS-01:zzzz-0003', type: 'ledger-entry', stationId: 'HF-SS-01' })).rejects.toMatchObject({ status: 403 });
  });
});

/** The station's own PouchDB instances (the running station owns the LevelDB files). */
function stationDb(at: SyncedStation): PouchDB.Database {
  return at.station.databases().station;
}
function districtDb(at: SyncedStation): PouchDB.Database {
  return at.station.databases().district;
}
