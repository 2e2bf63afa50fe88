import { afterEach, describe, expect, it } from 'vitest';
import { eventOutcomeDocSchema, rangeGrantDocSchema } from '../../core/schema/documents.js';
import { CENTRAL_DB, dbName } from '../../core/sync/layout.js';
import { ACCOUNT_NUMBERS_START } from '../../core/sync/ranges.js';
import { SNAPSHOTS_DB } from '../../core/sync/snapshot-format.js';
import { startCentralService } from './central-service.js';
import type { CentralService, CentralServiceOptions } from './central-service.js';
import type { DatabaseFactory } from './database.js';
import { NO_ACCOUNT_ATTEMPTS } from './station-follower.js';
import {
  accountDoc,
  auditChain,
  cardIssueEntry,
  cardWrite,
  directoryDoc,
  dumpState,
  faultyFactory,
  ledgerEntry,
  localCentral,
  opening,
  receipt,
  TestClock,
  transfer,
} from './testing.js';
import type { Fault, LocalCentral } from './testing.js';

const A = 'HF-SS-01';
const B = 'HF-SS-02';
const DISTRICT = 'SHUSHAN';
const WANG = { name: '王芳', idNumber: '340104198803150021' };
const CHEN = { name: '陈建国', idNumber: '340104197905120033', phone: '13905512233' };
const ZHAO = { name: '赵六', idNumber: '340104197905120050', phone: '13900000000' };

let central: LocalCentral;
const running: CentralService[] = [];
const lines: string[] = [];

afterEach(async () => {
  for (const service of running.splice(0)) await service.close();
  await central.close();
  lines.length = 0;
});

async function start(overrides: Partial<CentralServiceOptions> & { factory?: DatabaseFactory } = {}): Promise<CentralService> {
  const { factory, ...rest } = overrides;
  const service = await startCentralService({
    url: 'http://unused.invalid',
    auth: { username: 'td-central-service', password: 'unused' },
    instanceId: 'svc-1',
    pollMs: 20,
    leaseMs: 600,
    log: (line) => lines.push(line),
    databaseFactory: factory ?? central.factory,
    ...rest,
  });
  running.push(service);
  return service;
}

async function stop(service: CentralService): Promise<void> {
  running.splice(running.indexOf(service), 1);
  await service.close();
}

async function seed(stations: readonly string[] = [A, B]): Promise<void> {
  central = localCentral();
  for (const station of stations) await central.db(CENTRAL_DB).put(directoryDoc(station, DISTRICT));
  await central.db(dbName.master(DISTRICT)).put(accountDoc('3401000001', WANG));
}

async function write(stationId: string, docs: readonly object[]): Promise<void> {
  const results = await central.db(dbName.station(stationId)).bulkDocs(docs);
  for (const result of results) if ('error' in result) throw new Error(JSON.stringify(result));
}

async function outcomes(stationId: string) {
  const rows = (await central.db(dbName.inbox(stationId)).allDocs({ include_docs: true, startkey: 'outcome:', endkey: 'outcome:\uffff' })).rows;
  return rows.map((row) => eventOutcomeDocSchema.parse(row.doc));
}

async function grants(stationId: string) {
  const rows = (await central.db(dbName.inbox(stationId)).allDocs({ include_docs: true, startkey: 'range-grant:', endkey: 'range-grant:\uffff' })).rows;
  return rows.map((row) => rangeGrantDocSchema.parse(row.doc));
}

function overlapping(ranges: readonly { from: number; to: number }[]): boolean {
  const sorted = [...ranges].sort((x, y) => x.from - y.from);
  return sorted.some((range, i) => i > 0 && range.from <= (sorted[i - 1]?.to ?? -1));
}

describe('central service', () => {
  it('copies ledger entries and card writes into the district ledger at the station revision, once, however often', async () => {
    await seed();
    await write(A, [ledgerEntry(A, 'aaaa-0001'), cardWrite(A, 'aaaa-0001'), ledgerEntry(A, 'aaaa-0002')]);
    await write(B, [ledgerEntry(B, 'bbbb-0001')]);
    const first = await start();
    await first.idle();
    const ledger = central.db(dbName.districtLedger(DISTRICT));
    const station = central.db(dbName.station(A));
    const copied = (await ledger.allDocs()).rows;
    expect(copied.map((row) => row.id)).toEqual([
      `cardwrite:${A}:aaaa-0001`,
      `ledger:${A}:aaaa-0001`,
      `ledger:${A}:aaaa-0002`,
      `ledger:${B}:bbbb-0001`,
    ]);
    for (const row of copied) {
      expect(row.value.rev).toMatch(/^1-/);
      if (row.id.includes(A)) expect(row.value.rev).toBe((await station.get(row.id))._rev);
    }
    await stop(first);
    // A second instance with no checkpoints copies everything again: still one revision each.
    await central.db(CENTRAL_DB).put({ ...(await central.db(CENTRAL_DB).get(`checkpoint:${A}`)), since: 0 });
    const second = await start({ instanceId: 'svc-2' });
    await second.idle();
    const again = (await ledger.allDocs()).rows;
    expect(again.map((row) => [row.id, row.value.rev])).toEqual(copied.map((row) => [row.id, row.value.rev]));
    for (const row of again) {
      const doc = await ledger.get(row.id, { revs: true });
      expect(doc['_revisions']).toMatchObject({ start: 1 });
      expect((doc['_revisions'] as { ids: string[] }).ids).toHaveLength(1);
    }
  });

  it('applies a transfer, then rejects a second one from the old owner with owner-changed', async () => {
    await seed();
    await write(A, [transfer(A, 'tttt-0001', '3401000001', WANG, CHEN)]);
    const service = await start();
    await service.idle();
    await write(B, [transfer(B, 'tttt-0002', '3401000001', WANG, ZHAO)]);
    await service.idle();
    const account = await central.db(dbName.master(DISTRICT)).get('account:3401000001');
    expect(account).toMatchObject({ ownerName: CHEN.name, idNumber: CHEN.idNumber, phone: CHEN.phone, lastTransferEventId: `${A}:tttt-0001` });
    expect(await outcomes(A)).toMatchObject([{ eventDocId: `transfer:${A}:tttt-0001`, outcome: 'applied', reason: null }]);
    expect(await outcomes(B)).toMatchObject([
      { eventDocId: `transfer:${B}:tttt-0002`, outcome: 'rejected', reason: 'owner-changed', detail: 'the account was transferred to another owner first' },
    ]);
  });

  it('opens accounts before card issues of the same batch; a card issue with no account is retried, then rejected', async () => {
    await seed([A]);
    const no = '3499000100';
    // The card issue comes first in the feed, its account's opening after it.
    await write(A, [cardIssueEntry(A, 'cccc-0001', no, 0, '0102030405060708')]);
    await write(A, [opening(A, no)]);
    await write(A, [cardIssueEntry(A, 'cccc-0002', '3499000999', 0, '1111111111111111')]);
    const service = await start();
    await service.idle();
    const account = await central.db(dbName.master(DISTRICT)).get(`account:${no}`);
    expect(account).toMatchObject({ accountNo: no, cardSerial: '0102030405060708', cardGeneration: 0 });
    expect(account['_rev']).toMatch(/^2-/);
    for (let i = 0; i < NO_ACCOUNT_ATTEMPTS; i += 1) await service.idle();
    const byId = Object.fromEntries((await outcomes(A)).map((o) => [o.eventDocId, o]));
    expect(byId[`account-opening:${no}`]).toMatchObject({ outcome: 'applied', eventKind: 'account-opening' });
    expect(byId[`ledger:${A}:cccc-0001`]).toMatchObject({ outcome: 'applied', eventKind: 'card-issue' });
    expect(byId[`ledger:${A}:cccc-0002`]).toMatchObject({ outcome: 'rejected', reason: 'no-account' });
  });

  it('records the audit head and whether the chain links', async () => {
    await seed([A]);
    const chain = auditChain(A, 1, 6);
    await write(A, chain.slice(0, 4));
    const service = await start();
    await service.idle();
    const head = () => central.db(CENTRAL_DB).get(`station-head:${A}`);
    expect(await head()).toMatchObject({ seq: 4, hash: chain[3]?.hash, linked: true });
    await write(A, [chain[4] ?? {}, { ...(chain[5] ?? {}), prevHash: 'f'.repeat(64) }]);
    await service.idle();
    expect(await head()).toMatchObject({ seq: 6, linked: false, brokenAt: 6 });
  });

  it('grants each station its first ranges, receipts after those already used, accounts never overlapping', async () => {
    await seed();
    await write(A, [receipt(A, 1233), receipt(A, 1234)]);
    const service = await start();
    await service.idle();
    const a = await grants(A);
    const b = await grants(B);
    expect(a.filter((g) => g.kind === 'receipt')).toMatchObject([{ grantNo: 1, from: 1235, to: 6234 }]);
    expect(b.filter((g) => g.kind === 'receipt')).toMatchObject([{ grantNo: 1, from: 1, to: 5000 }]);
    const accounts = [...a, ...b].filter((g) => g.kind === 'account');
    expect(accounts).toHaveLength(2);
    expect(overlapping(accounts)).toBe(false);
    expect(Math.min(...accounts.map((g) => g.from))).toBe(ACCOUNT_NUMBERS_START);
    // Station A uses its receipts until fewer than 40% are left: refilled after the first grant.
    await write(A, [receipt(A, 4300)]);
    await service.idle();
    expect((await grants(A)).filter((g) => g.kind === 'receipt')).toMatchObject([
      { grantNo: 1, from: 1235, to: 6234 },
      { grantNo: 2, from: 6235, to: 11234 },
    ]);
    // And its account numbers.
    const first = accounts.find((g) => g.stationId === A);
    await write(A, [opening(A, String((first?.from ?? 0) + 320), '2026-03-02T00:00:00.000Z')]);
    await service.idle();
    const all = [...(await grants(A)), ...(await grants(B))].filter((g) => g.kind === 'account');
    expect(all).toHaveLength(3);
    expect(overlapping(all)).toBe(false);
    expect(await outcomes(A)).toMatchObject([{ outcome: 'applied', eventKind: 'account-opening' }]);
  });

  it('only the lease holder works; another instance takes over when the holder dies without releasing', async () => {
    await seed([A]);
    await write(A, [ledgerEntry(A, 'llll-0001')]);
    const clock = new TestClock();
    const first = await start({ instanceId: 'svc-1', clock, releaseOnClose: false, leaseMs: 300 });
    const second = await start({ instanceId: 'svc-2', clock, leaseMs: 300 });
    await first.idle();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(first.status().active).toBe(true);
    expect(second.status()).toMatchObject({ active: false, passes: 0, docsRead: 0 });
    await stop(first);
    await write(A, [ledgerEntry(A, 'llll-0002')]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(second.status().active).toBe(false); // the dead holder's lease has not expired yet
    clock.advance(301);
    await second.idle();
    expect(second.status().active).toBe(true);
    expect((await central.db(dbName.districtLedger(DISTRICT)).allDocs()).rows).toHaveLength(2);
    expect((await central.db(CENTRAL_DB).get('lease:central-service'))['holder']).toBe('svc-2');
  });

  it('ends in the same central state when killed at any write and restarted', async () => {
    const scenario = async () => {
      await write(A, [...auditChain(A, 1, 3), ledgerEntry(A, 'rrrr-0001'), cardWrite(A, 'rrrr-0001'), receipt(A, 7)]);
      await write(A, [transfer(A, 'rrrr-0002', '3401000001', WANG, CHEN), opening(A, '3499000200'), cardIssueEntry(A, 'rrrr-0003', '3499000200', 0, '0102030405060708')]);
      await write(B, [ledgerEntry(B, 'rrrr-0004'), transfer(B, 'rrrr-0005', '3401000001', WANG, ZHAO)]);
    };
    const names = [CENTRAL_DB, dbName.master(DISTRICT), dbName.districtLedger(DISTRICT), dbName.inbox(A), dbName.inbox(B)];

    await seed();
    await scenario();
    const reference = await start({ batchSize: 3 });
    await reference.idle();
    const expected = await dumpState(central.db, names);
    await stop(reference);
    await central.close();

    const faults: [string, Fault][] = [
      ['district copy', (name, op) => op === 'bulkDocs' && name.startsWith('td-ledger-')],
      ['second master write', (() => { let n = 0; return (name: string, op: string) => op === 'put' && name.startsWith('td-master-') && ++n === 2; })()],
      ['outcome write', (name, op, docs) => op === 'put' && name.startsWith('td-inbox-') && String(docs[0]?._id).startsWith('outcome:transfer:')],
      ['checkpoint', (_name, op, docs) => op === 'put' && String(docs[0]?._id).startsWith('checkpoint:')],
      ['first account grant', (_name, op, docs) => op === 'put' && String(docs[0]?._id).includes(':account:000001')],
      ['audit head', (_name, op, docs) => op === 'put' && String(docs[0]?._id).startsWith('station-head:')],
    ];
    const tripped: string[] = [];
    for (const [label, fault] of faults) {
      await seed();
      await scenario();
      const clock = new TestClock();
      const crashing = faultyFactory(central.factory, fault);
      const doomed = await start({ instanceId: 'doomed', factory: crashing.factory, releaseOnClose: false, clock, batchSize: 3 });
      await expect.poll(() => crashing.tripped() || doomed.status().passes > 0, { timeout: 5000 }).toBe(true);
      await stop(doomed);
      tripped.push(`${label}: ${String(crashing.tripped())}`);
      clock.advance(10_000);
      const restarted = await start({ instanceId: 'restarted', clock, batchSize: 3 });
      await restarted.idle();
      expect(await dumpState(central.db, names), label).toEqual(expected);
      await stop(restarted);
      await central.close();
    }
    expect(tripped.filter((line) => line.endsWith('false'))).toEqual([]);
    await seed(); // for afterEach
  });

  it('never grants an account number twice across a crash between the allocator and the grant', async () => {
    await seed([A, B]);
    const clock = new TestClock();
    const crashing = faultyFactory(central.factory, (_name, op, docs) => op === 'put' && String(docs[0]?._id) === `range-grant:${B}:account:000001`);
    const doomed = await start({ instanceId: 'doomed', factory: crashing.factory, releaseOnClose: false, clock });
    await expect.poll(() => crashing.tripped(), { timeout: 5000 }).toBe(true);
    await stop(doomed);
    const allocator = await central.db(CENTRAL_DB).get('allocator:account');
    expect(allocator['pending']).toMatchObject({ stationId: B, grantNo: 1 });
    clock.advance(10_000);
    const restarted = await start({ instanceId: 'restarted', clock });
    await restarted.idle();
    const accounts = [...(await grants(A)), ...(await grants(B))].filter((g) => g.kind === 'account');
    expect(accounts.map((g) => [g.stationId, g.grantNo])).toEqual([
      [A, 1],
      [B, 1],
    ]);
    expect(accounts.find((g) => g.stationId === B)?.from).toBe((allocator['pending'] as { from: number }).from);
    expect(overlapping(accounts)).toBe(false);
    expect(await central.db(CENTRAL_DB).get('allocator:account')).toMatchObject({ pending: null, next: ACCOUNT_NUMBERS_START + 1000 });
  });

  it('builds a district snapshot at start when td-snapshots exists', async () => {
    await seed([A]);
    await central.db(SNAPSHOTS_DB).info();
    const service = await start();
    await service.idle();
    expect(service.status().snapshotsBuilt).toBe(1);
    const doc = await central.db(SNAPSHOTS_DB).get(`snapshot:${DISTRICT}`);
    expect(doc).toMatchObject({ type: 'district-snapshot', district: DISTRICT, docCount: 1 });
    await service.idle();
    expect(service.status().snapshotsBuilt).toBe(1); // master did not move
  });
});
