import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTRAL_DB, OPERATORS_DB, dbName, userName } from '../../core/sync/layout.js';
import { startEmbeddedCentral, type EmbeddedCentral } from '../central/server.js';
import { DESIGN_DOC_ID } from '../central/design-docs.js';
import { SNAPSHOTS_DB, loadMasterData, setupCentral, type CentralPlan, type PlannedStation } from './setup.js';

const ADMIN = { username: 'admin', password: 'admin-pw' };
const HALL: PlannedStation = { stationId: 'HF-SS-01', district: 'SHUSHAN', name: 'Hall 1', kind: 'hall', receiptPrefix: 'HFSS01', password: 'station-one-pw' };
const VAN: PlannedStation = { stationId: 'VAN-01', district: 'SHUSHAN', name: 'Van', kind: 'van', receiptPrefix: 'VAN01', password: 'station-van-pw' };
const PLAN: CentralPlan = {
  districts: ['SHUSHAN', 'BAOHE'],
  stations: [HALL, VAN],
  centralService: { password: 'central-service-pw' },
};

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

const ASSUMED = {
  admin: basic(ADMIN.username, ADMIN.password),
  hall: basic(userName.station('HF-SS-01'), 'station-one-pw'),
  van: basic(userName.station('VAN-01'), 'station-van-pw'),
  central: basic(userName.centralService, 'central-service-pw'),
};

describe('setupCentral on the embedded central', () => {
  let central: EmbeddedCentral;
  let localDir: string;

  async function as(who: keyof typeof ASSUMED, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { Authorization: ASSUMED[who], Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${central.url}${urlPath}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(3000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  const hallDb = `/${dbName.station('HF-SS-01')}`;
  const ledgerDoc = (id: string, stationId = 'HF-SS-01') => ({ _id: id, type: 'ledger-entry', stationId, amount: 100 });

  beforeAll(async () => {
    central = await startEmbeddedCentral({ dataDir: null, admin: ADMIN });
    localDir = await mkdtemp(path.join(tmpdir(), 'tongda-setup-test-'));
  });
  afterAll(async () => {
    await central.close();
    await rm(localDir, { recursive: true, force: true });
  });

  it('creates everything once; a second run changes nothing', async () => {
    const first = await setupCentral(central.url, ADMIN, PLAN);
    expect(first.created).toEqual(
      expect.arrayContaining([
        `database ${OPERATORS_DB}`,
        `database ${CENTRAL_DB}`,
        `database ${SNAPSHOTS_DB}`,
        'database td-master-shushan',
        'database td-ledger-baohe',
        'database td-station-hf-ss-01',
        'database td-inbox-van-01',
        'user station-hf-ss-01',
        'user td-central-service',
        '_security of td-station-van-01',
        'design document of td-ledger-shushan',
        'directory entry station:VAN-01',
      ]),
    );
    const second = await setupCentral(central.url, ADMIN, PLAN);
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.unchanged).toBe(first.created.length + first.updated.length + first.unchanged);

    expect(await as('admin', 'GET', `/${CENTRAL_DB}/station:VAN-01`)).toMatchObject({
      body: { type: 'station-directory', stationId: 'VAN-01', district: 'SHUSHAN', kind: 'van', receiptPrefix: 'VAN01' },
    });
    expect(await as('admin', 'GET', '/_users/org.couchdb.user:station-van-01')).toMatchObject({ body: { roles: ['td-station', 'td-station-van-01', 'td-district-shushan'] } });
  });

  it('brings a changed plan up to date: a changed password, a new station', async () => {
    const changed: CentralPlan = {
      ...PLAN,
      stations: [{ ...HALL, password: 'a-new-password' }, VAN, { ...HALL, stationId: 'HF-BH-01', district: 'BAOHE', receiptPrefix: 'HFBH01' }],
    };
    const report = await setupCentral(central.url, ADMIN, changed);
    expect(report.updated).toEqual(['user station-hf-ss-01']);
    expect(report.created).toEqual(expect.arrayContaining(['database td-station-hf-bh-01', 'user station-hf-bh-01', 'directory entry station:HF-BH-01']));
    expect((await as('hall', 'GET', hallDb)).status).toBe(401);
    const back = await setupCentral(central.url, ADMIN, { ...changed, stations: changed.stations.map((s) => (s.stationId === 'HF-SS-01' ? HALL : s)) });
    expect(back.updated).toEqual(['user station-hf-ss-01']);
    expect((await as('hall', 'GET', hallDb)).status).toBe(200);
  });

  it('a station writes new documents of its own into its own database, and nothing else', async () => {
    expect((await as('hall', 'PUT', `${hallDb}/ledger:HF-SS-01:000001`, ledgerDoc('ledger:HF-SS-01:000001'))).status).toBe(201);
    expect((await as('hall', 'PUT', `${hallDb}/account-opening:1100009999`, { _id: 'account-opening:1100009999', stationId: 'HF-SS-01' })).status).toBe(201);
    // Another station's database: not a member.
    expect(await as('van', 'PUT', `${hallDb}/ledger:VAN-01:000001`, ledgerDoc('ledger:VAN-01:000001', 'VAN-01'))).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await as('van', 'GET', `${hallDb}/ledger:HF-SS-01:000001`)).status).toBe(403);
    // Another station's ids or stationId in its own database.
    expect(await as('hall', 'PUT', `${hallDb}/ledger:VAN-01:000002`, ledgerDoc('ledger:VAN-01:000002'))).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await as('hall', 'PUT', `${hallDb}/ledger:HF-SS-01:000003`, ledgerDoc('ledger:HF-SS-01:000003', 'VAN-01'))).status).toBe(403);
    expect((await as('hall', 'PUT', `${hallDb}/account:1100000001`, { _id: 'account:1100000001', stationId: 'HF-SS-01' })).status).toBe(403);
    // No update, no delete.
    const stored = await as('hall', 'GET', `${hallDb}/ledger:HF-SS-01:000001`);
    const rev = (stored.body as { _rev: string })._rev;
    expect(await as('hall', 'PUT', `${hallDb}/ledger:HF-SS-01:000001`, { ...ledgerDoc('ledger:HF-SS-01:000001'), _rev: rev, amount: 1 })).toMatchObject({
      status: 403,
      body: { error: 'forbidden', reason: expect.stringMatching(/immutable/) as unknown },
    });
    expect((await as('hall', 'DELETE', `${hallDb}/ledger:HF-SS-01:000001?rev=${rev}`)).status).toBe(403);
    expect((await as('central', 'DELETE', `${hallDb}/ledger:HF-SS-01:000001?rev=${rev}`)).status).toBe(403);
    expect((await as('admin', 'DELETE', `${hallDb}/ledger:HF-SS-01:000001?rev=${rev}`)).status).toBe(403);
    // Central's databases: readable as the layout says, never writable by a station.
    expect((await as('hall', 'GET', '/td-master-shushan')).status).toBe(200);
    expect((await as('hall', 'GET', '/td-master-baohe')).status).toBe(403);
    expect((await as('hall', 'PUT', '/td-master-shushan/account:1100000001', { _id: 'account:1100000001' })).status).toBe(403);
    expect((await as('hall', 'PUT', '/td-ledger-shushan/ledger:HF-SS-01:000001', ledgerDoc('ledger:HF-SS-01:000001'))).status).toBe(403);
    expect((await as('hall', 'PUT', `/${OPERATORS_DB}/operator:1001`, { _id: 'operator:1001' })).status).toBe(403);
    expect((await as('hall', 'GET', `/${dbName.inbox('HF-SS-01')}`)).status).toBe(200);
    expect((await as('hall', 'GET', `/${dbName.inbox('VAN-01')}`)).status).toBe(403);
    expect((await as('hall', 'PUT', `/${dbName.inbox('HF-SS-01')}/outcome:x`, { _id: 'outcome:x' })).status).toBe(403);
    expect((await as('hall', 'GET', `/${CENTRAL_DB}`)).status).toBe(403);
    expect((await as('hall', 'PUT', `${hallDb}/_design/${DESIGN_DOC_ID.slice('_design/'.length)}`, { validate_doc_update: 'function () {}' })).status).toBe(403);
  });

  it('the central service writes master data (and updates it), district ledgers (once) and inboxes', async () => {
    const created = await as('central', 'PUT', '/td-master-shushan/account:1100000001', { _id: 'account:1100000001', owner: 'a' });
    expect(created.status).toBe(201);
    expect((await as('central', 'PUT', '/td-master-shushan/account:1100000001', { owner: 'b', _rev: (created.body as { rev: string }).rev })).status).toBe(201);
    const copy = { _id: 'ledger:HF-SS-01:000001', _rev: '1-aaaabbbbccccddddeeeeffff00001111', stationId: 'HF-SS-01', amount: 100 };
    expect(await as('central', 'POST', '/td-ledger-shushan/_bulk_docs', { docs: [copy], new_edits: false })).toEqual({ status: 201, body: [] });
    // The same copy again (a restarted or second service instance): one document, one revision.
    expect(await as('central', 'POST', '/td-ledger-shushan/_bulk_docs', { docs: [copy], new_edits: false })).toEqual({ status: 201, body: [] });
    expect((await as('central', 'PUT', '/td-ledger-shushan/ledger:HF-SS-01:000001', { ...copy, amount: 1 })).status).toBe(403);
    expect((await as('central', 'PUT', `/${dbName.inbox('VAN-01')}/outcome:x`, { _id: 'outcome:x', result: 'applied' })).status).toBe(201);
    expect((await as('van', 'GET', `/${dbName.inbox('VAN-01')}/outcome:x`)).status).toBe(200);
    expect((await as('hall', 'GET', '/td-ledger-shushan/ledger:HF-SS-01:000001')).body).toMatchObject({ _rev: copy._rev });
  });

  it('PouchDB replicates a station database to central with the station credentials, and a replay writes nothing', async () => {
    const local = new PouchDB(path.join(localDir, 'hall-station'));
    const remote = new PouchDB(`${central.url}${hallDb}`, { auth: { username: userName.station('HF-SS-01'), password: 'station-one-pw' }, skip_setup: true });
    try {
      const docs = Array.from({ length: 25 }, (_, index) => ledgerDoc(`ledger:HF-SS-01:1${String(index).padStart(5, '0')}`));
      await local.bulkDocs(docs);
      const result = await PouchDB.replicate(local, remote);
      expect(result).toMatchObject({ ok: true, docs_written: 25, doc_write_failures: 0 });
      const again = await PouchDB.replicate(local, remote, { checkpoint: false });
      expect(again).toMatchObject({ ok: true, docs_written: 0, doc_write_failures: 0 });
      const foreign = await local.put(ledgerDoc('ledger:VAN-01:999999', 'VAN-01'));
      const denied = await PouchDB.replicate(local, remote);
      expect(denied).toMatchObject({ docs_written: 0, doc_write_failures: 1 });
      expect((await as('admin', 'GET', `${hallDb}/${foreign.id}`)).status).toBe(404);
    } finally {
      await local.close();
      await remote.close();
    }
  });

  it('loads master data into the right databases once', async () => {
    const docs = [
      { _id: 'tariff:RES-GAS:1', type: 'tariff-version', tariffCode: 'RES-GAS' },
      { _id: 'account:1200000001', type: 'account', accountNo: '1200000001', districtCode: 'BAOHE' },
      { _id: 'bill:1200000001:2024-01', type: 'bill', accountNo: '1200000001' },
      { _id: 'account:1100000002', type: 'account', accountNo: '1100000002', districtCode: 'SHUSHAN' },
      { _id: 'operator:1001', type: 'operator', staffNo: '1001' },
    ];
    const first = await loadMasterData(central.url, ADMIN, docs);
    expect(first.written).toEqual({ 'td-master-baohe': 3, 'td-master-shushan': 2, [OPERATORS_DB]: 1 });
    expect((await as('hall', 'GET', '/td-master-shushan/tariff:RES-GAS:1')).status).toBe(200);
    expect((await as('admin', 'GET', '/td-master-baohe/bill:1200000001:2024-01')).status).toBe(200);
    const second = await loadMasterData(central.url, ADMIN, docs);
    expect(second).toEqual({ written: {}, skipped: 6 });
  });
});
