/**
 * Ownership transfer 过户 through the contract: the new owner shows at once, marked pending, with
 * a 过户回执 and the fee in the ledger; a second transfer waits for central; central's outcome
 * (arriving in master, as the inbox pull brings it) either rejects it (master's owner shows, the
 * clerk sees why) or applies it. Master is never written by the station.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandInput } from '../../core/contract/commands.js';
import { localDateOf } from '../../core/time/local-date.js';
import { fen } from '../../core/money/money.js';
import { CURRENT_SCHEMA_VERSION, docId, type EventOutcomeDoc } from '../../core/schema/documents.js';
import { openStationDatabases } from '../../electron/station/database.js';
import { findDemoAccount } from '../support/demo-accounts.js';
import { openTestStation, TEST_NOW, TEST_SEED, unwrap, type TestStation } from '../support/station-fixture.js';

let t: TestStation;
let session: string;
const { account } = findDemoAccount({ seed: TEST_SEED, count: 50, today: localDateOf(new Date(TEST_NOW), 'Asia/Shanghai'), minUnpaid: 1 });

beforeEach(async () => {
  t = await openTestStation(50);
  session = await t.login('1001');
});
afterEach(async () => {
  await t.dispose();
});

function transfer(over: Partial<CommandInput<'accounts.transfer'>> = {}): CommandInput<'accounts.transfer'> {
  return {
    accountNo: account.accountNo,
    newOwner: { name: '新户主', idNumber: '340104199003070013', phone: '13955123456' },
    documentsSeen: ['id-card', 'property-deed'],
    payment: { method: 'cash', tendered: fen(5000) },
    ...over,
  };
}

const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code);

/** Central's answer, as the inbox pull puts it into master: written with the station stopped (LevelDB has one owner). */
async function centralAnswers(eventId: string, outcome: 'applied' | 'rejected', masterOwner?: { name: string; idNumber: string; phone: string }) {
  await t.station.close();
  const dbs = openStationDatabases(t.dataDir);
  const transferId = docId.transfer(eventId);
  const doc: EventOutcomeDoc = {
    _id: docId.eventOutcome(transferId),
    type: 'event-outcome',
    schemaVersion: CURRENT_SCHEMA_VERSION['event-outcome'],
    stationId: 'HF-SS-01',
    eventDocId: transferId,
    eventKind: 'ownership-transfer',
    accountNo: account.accountNo,
    outcome,
    reason: outcome === 'rejected' ? 'owner-changed' : null,
    detail: outcome === 'rejected' ? 'the account was transferred at another station first' : null,
    at: '2026-11-21T05:00:00.000Z',
  };
  // Written once, like every outcome; a second call only brings master's account copy.
  const known = await dbs.master.allDocs({ keys: [doc._id] });
  if (known.rows[0]?.value === undefined || known.rows[0].error !== undefined) await dbs.master.put(doc);
  if (masterOwner) {
    const stored = await dbs.master.get(docId.account(account.accountNo));
    await dbs.master.put({ ...stored, ownerName: masterOwner.name, idNumber: masterOwner.idNumber, phone: masterOwner.phone });
  }
  await dbs.close();
  await t.restart();
  session = await t.login('1001');
}

describe('ownership transfer 过户', () => {
  it('checks the input: the ID number’s check digit, at least one document, the fee paid, not the same owner', async () => {
    expect(codeOf(await t.call('accounts.transfer', transfer({ newOwner: { name: '新户主', idNumber: '340104199003070014', phone: '13955123456' } }), session))).toBe('INVALID_INPUT');
    expect(codeOf(await t.call('accounts.transfer', transfer({ documentsSeen: [] }), session))).toBe('INVALID_INPUT');
    const { payment: _unpaid, ...withoutPayment } = transfer();
    expect(codeOf(await t.call('accounts.transfer', withoutPayment, session))).toBe('INVALID_INPUT');
    expect(codeOf(await t.call('accounts.transfer', transfer({ payment: { method: 'cash', tendered: fen(100) } }), session))).toBe('TENDERED_TOO_LOW');
    expect(codeOf(await t.call('accounts.transfer', transfer({ newOwner: { name: account.ownerName, idNumber: account.idNumber, phone: account.phone } }), session))).toBe('TRANSFER_SAME_OWNER');
  });

  it('shows the new owner at once, pending, with the fee and a 过户回执; a second transfer waits; a rejection shows master’s owner and why', async () => {
    const done = unwrap(await t.call('accounts.transfer', transfer(), session));
    expect(done.transfer.state).toBe('pending');
    expect(done.fee).toBe(2000);
    const detail = unwrap(await t.call('accounts.get', { accountNo: account.accountNo }, session));
    expect(detail.account.ownerName).toBe('新户主');
    expect(detail.pendingTransfer?.eventId).toBe(done.transfer.eventId);
    expect(detail.pendingTransfer?.previousOwnerName).toBe(account.ownerName);
    const fee = detail.history.find((entry) => entry.kind === 'transfer-fee');
    expect(fee?.amount).toBe(2000);
    expect(fee?.change).toBe(3000);
    expect(unwrap(await t.call('accounts.search', { query: '新户主' }, session)).results.map((r) => r.accountNo)).toContain(account.accountNo);
    const receipts = unwrap(await t.call('receipts.list', { accountNo: account.accountNo }, session)).receipts;
    expect(receipts.find((receipt) => receipt.kind === 'ownership-transfer')?.receiptNo).toBe(done.receiptNo);
    await vi.waitFor(
      async () => {
        const previews = unwrap(await t.call('printer.previews', {}, session)).previews;
        const text = previews.map((preview) => preview.text.join('\n')).join('\n');
        expect(text).toContain('过户回执');
        expect(text).toContain('已验证件：身份证、房产证');
        expect(text).not.toContain('340104199003070013');
      },
      { timeout: 5000, interval: 50 },
    );

    expect(codeOf(await t.call('accounts.transfer', transfer({ newOwner: { name: '另一人', idNumber: '11010519491231002X', phone: '13800000000' } }), session))).toBe('TRANSFER_PENDING');
    expect(unwrap(await t.call('transfers.list', { state: 'pending' }, session)).transfers).toHaveLength(1);

    await centralAnswers(done.transfer.eventId, 'rejected');
    const after = unwrap(await t.call('accounts.get', { accountNo: account.accountNo }, session));
    expect(after.account.ownerName).toBe(account.ownerName);
    expect(after.pendingTransfer).toBeNull();
    expect(after.rejectedTransfers.map((r) => [r.eventId, r.reason])).toEqual([[done.transfer.eventId, 'owner-changed']]);
    expect(unwrap(await t.call('transfers.list', {}, session)).transfers.map((r) => r.eventId)).toEqual([done.transfer.eventId]);
    expect(unwrap(await t.call('accounts.search', { query: '新户主' }, session)).total).toBe(0);
    // Rejected: the clerk may make it again.
    expect(unwrap(await t.call('accounts.transfer', transfer(), session)).transfer.state).toBe('pending');
  });

  it('applied: the new owner stays (no longer pending) until and after master’s copy names them', async () => {
    const done = unwrap(await t.call('accounts.transfer', transfer(), session));
    await centralAnswers(done.transfer.eventId, 'applied');
    const early = unwrap(await t.call('accounts.get', { accountNo: account.accountNo }, session));
    expect(early.account.ownerName).toBe('新户主');
    expect(early.pendingTransfer).toBeNull();
    await centralAnswers(done.transfer.eventId, 'applied', { name: '新户主', idNumber: '340104199003070013', phone: '13955123456' });
    const later = unwrap(await t.call('accounts.get', { accountNo: account.accountNo }, session));
    expect(later.account.ownerName).toBe('新户主');
    expect(later.rejectedTransfers).toEqual([]);
    expect(unwrap(await t.call('accounts.search', { query: '新户主' }, session)).results[0]?.accountNo).toBe(account.accountNo);
  });
});

describe('what central refused besides transfers', () => {
  it('lists this station’s refused openings and card issues for the clerk, and nothing of other stations’', async () => {
    expect(unwrap(await t.call('sync.rejections', {}, session)).rejections).toEqual([]);
    await t.station.close();
    const dbs = openStationDatabases(t.dataDir);
    const outcome = (station: string, eventDocId: string, eventKind: 'account-opening' | 'card-issue', reason: string): EventOutcomeDoc => ({
      _id: docId.eventOutcome(eventDocId),
      type: 'event-outcome',
      schemaVersion: CURRENT_SCHEMA_VERSION['event-outcome'],
      stationId: station,
      eventDocId,
      eventKind,
      accountNo: account.accountNo,
      outcome: 'rejected',
      reason,
      detail: 'refused by central',
      at: '2026-11-21T05:00:00.000Z',
    });
    await dbs.master.bulkDocs([
      outcome('HF-SS-01', `account-opening:${account.accountNo}`, 'account-opening', 'account-exists'),
      outcome('VAN-01', 'ledger:VAN-01:0mhx2k3a0-00000001', 'card-issue', 'card-superseded'),
    ]);
    await dbs.close();
    await t.restart();
    session = await t.login('1001');
    const listed = unwrap(await t.call('sync.rejections', {}, session)).rejections;
    expect(listed).toEqual([expect.objectContaining({ eventKind: 'account-opening', accountNo: account.accountNo, reason: 'account-exists' })]);
  });
});

describe('master changes pulled from central', () => {
  it('indexes a changed account as it arrives, whether or not this station has anything laid over it', async () => {
    const master = t.station.databases().master;
    const others = unwrap(await t.call('accounts.search', { query: '合肥' }, session)).results.filter((result) => result.accountNo !== account.accountNo);
    const plain = others[0];
    if (!plain) throw new Error('another account needed');
    // One account with a transfer made here (laid over), one with nothing: both renamed by central.
    unwrap(await t.call('accounts.transfer', transfer(), session));
    for (const [accountNo, name] of [[plain.accountNo, '中心改名甲'], [account.accountNo, '中心改名乙']] as const) {
      const stored = await master.get(docId.account(accountNo));
      await master.put({ ...stored, ownerName: name });
    }
    await vi.waitFor(async () => {
      expect(unwrap(await t.call('accounts.search', { query: '中心改名甲' }, session)).results.map((r) => r.accountNo)).toEqual([plain.accountNo]);
    });
    // The pending transfer still wins over master's owner until central answers it.
    await vi.waitFor(async () => {
      expect(unwrap(await t.call('accounts.search', { query: '新户主' }, session)).results.map((r) => r.accountNo)).toContain(account.accountNo);
    });
    expect(unwrap(await t.call('accounts.search', { query: '中心改名乙' }, session)).results).toEqual([]);
  });
});
