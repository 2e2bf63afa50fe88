/**
 * The central service against the embedded central over HTTP, set up by the setup command, with
 * the service's own credentials (role td-central): the path production takes.
 */
import PouchDB from 'pouchdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTRAL_DB, dbName, userName } from '../../core/sync/layout.js';
import { SNAPSHOTS_DB } from '../../core/sync/snapshot-format.js';
import { startEmbeddedCentral } from '../central/server.js';
import type { EmbeddedCentral } from '../central/server.js';
import { setupCentral } from '../setup/setup.js';
import type { CentralPlan } from '../setup/setup.js';
import { startCentralService } from './central-service.js';
import { readDistrictSnapshot } from './snapshot.js';
import { accountDoc, auditChain, cardWrite, ledgerEntry, receipt, transfer } from './testing.js';

const ADMIN = { username: 'admin', password: 'admin-secret' };
const STATION = 'HF-SS-01';
const plan: CentralPlan = {
  districts: ['SHUSHAN'],
  stations: [{ stationId: STATION, district: 'SHUSHAN', name: '蜀山营业厅', kind: 'hall', receiptPrefix: 'HFSS01', password: 'station-secret' }],
  centralService: { password: 'central-secret' },
};

let central: EmbeddedCentral;
const asAdmin = (name: string) => new PouchDB(`${central.url}/${name}`, { auth: ADMIN, skip_setup: true });

beforeAll(async () => {
  central = await startEmbeddedCentral({ dataDir: null, port: 0, admin: ADMIN });
  await setupCentral(central.url, ADMIN, plan);
});
afterAll(async () => {
  await central.close();
});

describe('central service over HTTP', () => {
  it('follows a station on the embedded central with the td-central credentials', async () => {
    await asAdmin(dbName.master('SHUSHAN')).put(accountDoc('3401000001'));
    const station = new PouchDB(`${central.url}/${dbName.station(STATION)}`, { auth: { username: userName.station(STATION), password: 'station-secret' }, skip_setup: true });
    await station.bulkDocs([
      ...auditChain(STATION, 1, 2),
      ledgerEntry(STATION, 'hhhh-0001'),
      cardWrite(STATION, 'hhhh-0001'),
      receipt(STATION, 12),
      transfer(STATION, 'hhhh-0002', '3401000001', { name: '王芳', idNumber: '340104198803150021' }, { name: '陈建国', idNumber: '340104197905120033', phone: '13905512233' }),
    ]);
    const lines: string[] = [];
    const service = await startCentralService({
      url: central.url,
      auth: { username: userName.centralService, password: 'central-secret' },
      instanceId: 'http-1',
      pollMs: 50,
      log: (line) => lines.push(line),
    });
    try {
      await service.idle();
      expect(service.status()).toMatchObject({ active: true, stations: [STATION], lastError: null });
      const ledger = asAdmin(dbName.districtLedger('SHUSHAN'));
      const copies = (await ledger.allDocs()).rows.filter((row) => !row.id.startsWith('_design/'));
      expect(copies.map((row) => row.id)).toEqual([`cardwrite:${STATION}:hhhh-0001`, `ledger:${STATION}:hhhh-0001`]);
      for (const row of copies) expect(row.value.rev).toBe((await station.get(row.id))._rev);
      expect(await asAdmin(dbName.master('SHUSHAN')).get('account:3401000001')).toMatchObject({ ownerName: '陈建国' });
      const inbox = (await asAdmin(dbName.inbox(STATION)).allDocs()).rows.map((row) => row.id).filter((id) => !id.startsWith('_design/'));
      expect(inbox).toEqual([
        `outcome:transfer:${STATION}:hhhh-0002`,
        `range-grant:${STATION}:account:000001`,
        `range-grant:${STATION}:receipt:000001`,
      ]);
      expect(await asAdmin(dbName.inbox(STATION)).get(`range-grant:${STATION}:receipt:000001`)).toMatchObject({ from: 13, to: 5012 });
      expect(await asAdmin(CENTRAL_DB).get(`station-head:${STATION}`)).toMatchObject({ seq: 2, linked: true });
      const snapshot = await readDistrictSnapshot(asAdmin(SNAPSHOTS_DB), 'SHUSHAN');
      expect(snapshot?.header.docCount).toBe(1);
    } finally {
      await service.close();
      await station.close();
    }
    expect(lines.join('\n')).not.toMatch(/failed/);
  });
});
