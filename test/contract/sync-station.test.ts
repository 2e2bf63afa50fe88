/**
 * The station's side of sync, through the contract, against the embedded central on loopback
 * (set up as `npm run central` does) with the real replication: standalone, online, offline and
 * back; the pending count; receipt numbers from central's grants, moving from one grant to the
 * next and refused once they are used up off line; the offline limits (time off line, single
 * sale, total of sales), each refused with OFFLINE_LIMIT.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { Result } from '../../core/contract/result.js';
import type { SyncState } from '../../core/contract/sync.js';
import { addFen, fen } from '../../core/money/money.js';
import { CURRENT_SCHEMA_VERSION, docId } from '../../core/schema/documents.js';
import { dbName } from '../../core/sync/layout.js';
import { manualClock, type ManualClock } from '../../core/time/local-date.js';
import { DEMO_CARD_KEY_HEX, type StationConfig } from '../../electron/station/config.js';
import { openStation } from '../../electron/station/open-station.js';
import { backendOnEmulator, startInProcessEmulator, type InProcessEmulator } from '../../electron/station/reader-backends.js';
import type { RunningStation } from '../../electron/station/types.js';
import { startEmbeddedCentral, type EmbeddedCentral } from '../../sync/central/server.js';
import { startStationReplication } from '../../sync/replication/station-replication.js';
import { demoCentralPlan, DEMO_STATION_PASSWORD } from '../../sync/setup/demo-plan.js';
import { setupCentral } from '../../sync/setup/setup.js';
import { openTestStation, TEST_NOW, TEST_SEED, unwrap } from '../support/station-fixture.js';

const ADMIN = { username: 'admin', password: 'tongda-test' };
const STATION = 'HF-SS-01';
const quiet = { info: () => undefined, error: () => undefined };

let centralDir: string;
let central: EmbeddedCentral | null = null;
let port = 0;

async function startCentral(): Promise<EmbeddedCentral> {
  central = await startEmbeddedCentral({ dataDir: centralDir, port, admin: ADMIN });
  port = central.port;
  return central;
}

beforeAll(async () => {
  centralDir = mkdtempSync(join(tmpdir(), 'tongda-sync-central-'));
  const started = await startCentral();
  await setupCentral(started.url, ADMIN, demoCentralPlan());
});

afterAll(async () => {
  await central?.close();
  rmSync(centralDir, { recursive: true, force: true });
});

/** Central's grant of numbers to this station, written into its inbox as the central service would. */
async function grant(kind: 'receipt' | 'account', grantNo: number, from: number, to: number): Promise<void> {
  const inbox = new PouchDB(`http://127.0.0.1:${port}/${dbName.inbox(STATION)}`, { auth: ADMIN, skip_setup: true });
  await inbox.put({
    _id: docId.rangeGrant(STATION, kind, grantNo),
    type: 'range-grant',
    schemaVersion: CURRENT_SCHEMA_VERSION['range-grant'],
    stationId: STATION,
    kind,
    grantNo,
    from,
    to,
    at: TEST_NOW,
  });
  await inbox.close();
}

interface SyncStation {
  readonly clock: ManualClock;
  readonly station: RunningStation;
  readonly dataDir: string;
  login(staffNo: string): Promise<void>;
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<Result<CommandOutput<C>>>;
  dispose(): Promise<void>;
}

/** A station with the emulated reader (top-ups need cards) syncing with the test central. */
async function openSyncStation(limits: StationConfig['offlineLimits']): Promise<SyncStation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongda-sync-station-'));
  const clock = manualClock(TEST_NOW);
  let emulator: InProcessEmulator | null = null;
  const station = await openStation({
    dataDir,
    clock,
    demo: { accounts: 300, seed: TEST_SEED },
    log: quiet,
    overrides: {
      sync: { centralUrl: `http://127.0.0.1:${port}`, district: 'SHUSHAN', username: 'station-hf-ss-01', password: DEMO_STATION_PASSWORD },
      offlineLimits: limits,
    },
    // Rounds only when the test asks (sync.now), and quick retries: the test decides what happens when.
    startReplication: (options) => startStationReplication({ ...options, livePollMs: 600_000, backoff: { initialMs: 60_000, maxMs: 60_000 }, requestTimeoutMs: 3000 }),
    readerBackends: async (config, deck) => {
      emulator ??= await startInProcessEmulator(deck, { cardKeyHex: DEMO_CARD_KEY_HEX, timing: { pacing: false } });
      return backendOnEmulator(config, deck, emulator);
    },
  });
  let session: string | undefined;
  let nextId = 1;
  const call: SyncStation['call'] = async (command, input) => {
    const request = { type: 'request', id: nextId++, command, input, ...(session ? { session } : {}) };
    const response = await station.dispatcher.dispatch(request, { connectionId: 'sync-test', transport: 'websocket' });
    return response.result as Result<CommandOutput<typeof command>>;
  };
  const login = async (staffNo: string) => {
    session = undefined;
    session = unwrap(await call('session.login', { staffNo, password: '123456' })).session;
  };
  await login('1001');
  return {
    clock,
    station,
    dataDir,
    login,
    call,
    async dispose() {
      await station.close();
      await emulator?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function syncNow(t: SyncStation): Promise<SyncState> {
  return unwrap(await t.call('sync.now', {}));
}

/** The newest receipt of an account at this station. */
async function newestReceipt(t: SyncStation, accountNo: string): Promise<string | undefined> {
  return unwrap(await t.call('receipts.list', { accountNo })).receipts[0]?.receiptNo;
}

/** Pays the unpaid bills of the `nth` post-paid account that has some; its receipt number if it went through. */
async function payBills(t: SyncStation, nth: number): Promise<Result<string | undefined>> {
  const paid = await payBillsRaw(t, nth);
  if (!paid.result.ok) return paid.result;
  return { ok: true, value: await newestReceipt(t, paid.accountNo) };
}

async function payBillsRaw(t: SyncStation, nth: number): Promise<{ accountNo: string; result: Result<CommandOutput<'payments.confirm'>> }> {
  const found = unwrap(await t.call('accounts.search', { query: '合肥', limit: 50 }));
  let seen = 0;
  for (const result of found.results) {
    const detail = unwrap(await t.call('accounts.get', { accountNo: result.accountNo }));
    const unpaid = detail.bills.filter((bill) => bill.status === 'unpaid');
    if (unpaid.length === 0 || detail.account.meterKind !== 'post-paid') continue;
    if (seen++ < nth) continue;
    const quote = unwrap(await t.call('payments.prepare', { accountNo: result.accountNo, billIds: unpaid.map((bill) => bill.billId) }));
    return { accountNo: result.accountNo, result: await t.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: addFen(quote.due, fen(1000)) }) };
  }
  throw new Error(`no ${nth}-th account with unpaid bills`);
}

/** Puts a demo card in and prepares a top-up of `yuan` on it. */
async function prepareTopup(t: SyncStation, card: string, yuan: number) {
  unwrap(await t.call('demo.card', { action: 'insert', card }));
  const inspection = unwrap(await t.call('card.inspect', {}));
  if (!inspection.account || !inspection.card) throw new Error(`card ${card} has no account`);
  return t.call('topup.prepare', { accountNo: inspection.account.accountNo, serial: inspection.card.serial, by: { kind: 'amount', amount: fen(yuan * 100) } });
}

describe('a standalone station', () => {
  it('says standalone, warns of nothing and limits no top-up', async () => {
    const t = await openTestStation(50);
    try {
      const session = await t.login('1001');
      const state = unwrap(await t.call('sync.state', {}, session));
      expect(state.mode).toBe('standalone');
      expect(state.usage).toBeNull();
      expect(state.ranges.receipt).toMatchObject({ source: 'config', low: false });
      // sync.now is harmless without a central.
      expect(unwrap(await t.call('sync.now', {}, session)).mode).toBe('standalone');
    } finally {
      await t.dispose();
    }
  });
});

describe('a station syncing with central', () => {
  it('goes online, takes receipt numbers from grants in order, and off line refuses what its limits and numbers do not allow', async () => {
    await grant('receipt', 1, 101, 103);
    await grant('receipt', 2, 201, 202);
    const t = await openSyncStation({ maxOfflineHours: 72, maxSingleSale: 30_000, maxTotalSales: 30_000 });
    try {
      const before = unwrap(await t.call('sync.state', {}));
      expect(before.mode).not.toBe('standalone');
      expect(before.centralUrl).toBe(`http://127.0.0.1:${port}`);

      const online = await syncNow(t);
      expect(online.online).toBe(true);
      expect(online.lastSuccessAt).not.toBeNull();
      expect(online.offlineSince).toBeNull();
      expect(online.usage?.offline).toBe(false);
      // Both grants arrived: 5 numbers, far below 200, so the station warns early.
      await vi.waitFor(async () => {
        const state = unwrap(await t.call('sync.state', {}));
        expect(state.ranges.receipt).toMatchObject({ source: 'grants', left: 5, low: true, grantsWaiting: 1 });
      });

      // Online, no offline limit applies: a top-up above the single-sale limit is quoted.
      expect((await prepareTopup(t, 'new', 400)).ok).toBe(true);

      // Central goes away: the next round fails and the station is off line.
      await central?.close();
      central = null;
      const offline = await syncNow(t);
      expect(offline.online).toBe(false);
      expect(offline.mode).toBe('offline');
      expect(offline.offlineSince).not.toBeNull();
      expect(offline.lastError).not.toBeNull();
      expect(offline.usage).toMatchObject({ offline: true, hoursLevel: 'ok', salesLevel: 'ok' });
      t.clock.advance(60_000);

      // (b) a single sale above 300 yuan is refused off line, at prepare.
      const single = await prepareTopup(t, 'new', 400);
      expect(single.ok).toBe(false);
      if (!single.ok) expect(single.error).toMatchObject({ code: 'OFFLINE_LIMIT', details: { reason: 'single-sale' } });

      // Two bill payments take 101 and 102; pending goes up.
      const first = unwrap(await payBills(t, 0));
      const second = unwrap(await payBills(t, 1));
      expect([first, second]).toEqual(['HFSS01-00000101', 'HFSS01-00000102']);
      await vi.waitFor(async () => expect(unwrap(await t.call('sync.state', {})).pendingPush).toBeGreaterThan(0));

      // (c) 250 yuan sold off line (amber: over 80 % of 300), then 200 more would pass the 300 total: refused.
      const quote = unwrap(await prepareTopup(t, 'new', 250));
      const sold = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: fen(30_000) }));
      expect(sold.card).toBe('on-card');
      expect(await newestReceipt(t, sold.entry.accountNo)).toBe('HFSS01-00000103');
      const usage = unwrap(await t.call('sync.state', {})).usage;
      expect(usage?.offlineSales).toBe(quote.amount);
      expect(usage?.salesLevel).toBe('near');
      expect(usage?.largestSaleNow).toBe(30_000 - quote.amount);
      unwrap(await t.call('demo.card', { action: 'use-in-meter' }));
      const total = await prepareTopup(t, 'new', 200);
      expect(total.ok).toBe(false);
      if (!total.ok) expect(total.error).toMatchObject({ code: 'OFFLINE_LIMIT', details: { reason: 'total-sales' } });

      // The first grant is used up: the next payment moves to the second grant in the same write.
      const third = unwrap(await payBills(t, 2));
      expect(third).toBe('HFSS01-00000201');
      unwrap(await payBills(t, 3));
      // Used up off line: refused, never a reused number.
      const out = await payBills(t, 4);
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.error).toMatchObject({ code: 'RECEIPT_RANGE_EXHAUSTED', details: { left: 0, source: 'grants' } });
      expect(unwrap(await t.call('sync.state', {})).ranges.receipt).toMatchObject({ left: 0, low: true });

      // (a) more than 72 hours off line: every top-up stops, however small.
      t.clock.advance(73 * 3_600_000);
      // (The idle lock noticed the three days too.)
      await t.login('1001');
      const late = unwrap(await t.call('sync.state', {}));
      expect(late.usage?.hoursLevel).toBe('reached');
      expect(late.usage?.largestSaleNow).toBe(0);
      const tooLong = await prepareTopup(t, 'new', 1);
      expect(tooLong.ok).toBe(false);
      if (!tooLong.ok) expect(tooLong.error).toMatchObject({ code: 'OFFLINE_LIMIT', details: { reason: 'offline-too-long' } });

      // Central is back with a new grant: the station pushes everything and sells again.
      await startCentral();
      await grant('receipt', 3, 301, 1300);
      const back = await syncNow(t);
      expect(back.online).toBe(true);
      expect(back.offlineSince).toBeNull();
      expect(back.pendingPush).toBe(0);
      expect(back.usage).toMatchObject({ offline: false, hoursLevel: 'ok', salesLevel: 'ok' });
      await vi.waitFor(async () => expect(unwrap(await t.call('sync.state', {})).ranges.receipt).toMatchObject({ left: 1000, low: false }));
      expect(unwrap(await payBills(t, 4))).toBe('HFSS01-00000301');
      expect((await prepareTopup(t, 'new', 100)).ok).toBe(true);
    } finally {
      await t.dispose();
    }
  }, 60_000);

  it('lets a manager change the offline limits, saved in station.json', async () => {
    const t = await openSyncStation({ maxOfflineHours: 72, maxSingleSale: 200_000, maxTotalSales: 2_000_000 });
    try {
      const clerk = await t.call('sync.configureLimits', { maxOfflineHours: 24, maxSingleSale: 50_000, maxTotalSales: 500_000 });
      expect(clerk.ok).toBe(false);
      if (!clerk.ok) expect(clerk.error.code).toBe('FORBIDDEN');
      await t.login('3001');
      const changed = unwrap(await t.call('sync.configureLimits', { maxOfflineHours: 24, maxSingleSale: 50_000, maxTotalSales: 500_000 }));
      expect(changed.usage?.limits).toEqual({ maxOfflineHours: 24, maxSingleSale: 50_000, maxTotalSales: 500_000 });
      const saved = JSON.parse(readFileSync(join(t.dataDir, 'station.json'), 'utf8')) as { offlineLimits: unknown };
      expect(saved.offlineLimits).toEqual({ maxOfflineHours: 24, maxSingleSale: 50_000, maxTotalSales: 500_000 });
      // Audited: who changed them, from what, to what.
      const audit = await t.station.databases().station.allDocs({ startkey: 'audit:', endkey: 'audit:\uffff', include_docs: true });
      const change = audit.rows.map((row) => row.doc).find((doc) => doc?.['kind'] === 'settings-changed');
      expect(change).toMatchObject({ actor: '3001', subject: 'offlineLimits', detail: { before: { maxOfflineHours: 72 }, after: { maxOfflineHours: 24 } } });
    } finally {
      await t.dispose();
    }
  });
});
