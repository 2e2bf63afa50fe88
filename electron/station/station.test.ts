import PouchDB from 'pouchdb';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountDetail } from '../../core/contract/views.js';
import { fen } from '../../core/money/money.js';
import { openTestStation, unwrap, type TestStation } from '../../test/support/station-fixture.js';
import { observeDurableWrites, TongdaSyncedLeveldown, type DurableWriteEvent } from './durable-leveldown.js';

let t: TestStation;

beforeEach(async () => {
  t = await openTestStation();
});
afterEach(async () => {
  await t.dispose();
});

async function stationDocCount(): Promise<number> {
  // Opened read-only in spirit: a second handle on the same LevelDB is not possible, so count through allDocs of a fresh station view.
  const check = unwrap(await t.call('audit.check', {}, await t.login('3001')));
  return check.records;
}

/** A post-paid account with at least two unpaid bills, found through the contract. */
async function accountWithUnpaidBills(session: string): Promise<AccountDetail> {
  for (const query of ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周']) {
    const found = unwrap(await t.call('accounts.search', { query, limit: 50 }, session));
    for (const summary of found.results) {
      if (summary.meterKind !== 'post-paid' || summary.status === 'closed') continue;
      const detail = unwrap(await t.call('accounts.get', { accountNo: summary.accountNo }, session));
      if (detail.bills.filter((b) => b.status === 'unpaid').length >= 2) return detail;
    }
  }
  throw new Error('no account with two unpaid bills in the demo set');
}

function unpaidIds(detail: AccountDetail): string[] {
  return detail.bills.filter((b) => b.status === 'unpaid').map((b) => b.billId);
}

describe('login and sessions', () => {
  it('refuses a wrong password and accepts the right one', async () => {
    const wrong = await t.call('session.login', { staffNo: '1001', password: 'nope' });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.code).toBe('LOGIN_FAILED');
    const right = unwrap(await t.call('session.login', { staffNo: '1001', password: '123456' }));
    expect(right.operator).toEqual({ staffNo: '1001', name: '李娜', role: 'clerk' });
  });

  it('throttles a staff number after five failures', async () => {
    for (let i = 0; i < 5; i += 1) await t.call('session.login', { staffNo: '1002', password: 'wrong' });
    const sixth = await t.call('session.login', { staffNo: '1002', password: '123456' });
    expect(sixth.ok ? 'ok' : sixth.error.code).toBe('LOGIN_THROTTLED');
  });

  it('locks an idle session and unlocks it with the password', async () => {
    const session = await t.login('1001');
    t.clock.advance(301_000);
    const locked = await t.call('accounts.search', { query: '王' }, session);
    expect(locked.ok ? 'ok' : locked.error.code).toBe('SESSION_LOCKED');
    const badUnlock = await t.call('session.unlock', { password: 'x' }, session);
    expect(badUnlock.ok ? 'ok' : badUnlock.error.code).toBe('LOGIN_FAILED');
    unwrap(await t.call('session.unlock', { password: '123456' }, session));
    expect((await t.call('accounts.search', { query: '王' }, session)).ok).toBe(true);
  });

  it('refuses commands outside a role', async () => {
    const admin = await t.login('9001');
    const result = await t.call('accounts.search', { query: '王' }, admin);
    expect(result.ok ? 'ok' : result.error.code).toBe('FORBIDDEN');
  });
});

describe('bad input changes nothing', () => {
  it('answers malformed envelopes and inputs with clear errors and writes nothing', async () => {
    const session = await t.login('1001');
    const before = await stationDocCount();
    const cases: [unknown, string][] = [
      ['not an object', 'BAD_REQUEST'],
      [{ type: 'request', id: 1 }, 'BAD_REQUEST'],
      [{ type: 'request', id: 2, command: 'ledger.drop', input: {}, session }, 'BAD_REQUEST'],
      [{ type: 'request', id: 3, command: 'accounts.get', input: { accountNo: 'abc' }, session }, 'INVALID_INPUT'],
      [{ type: 'request', id: 4, command: 'payments.confirm', input: { txnId: 'x', method: 'cash', tendered: 1.5 }, session }, 'INVALID_INPUT'],
      [{ type: 'request', id: 5, command: 'payments.prepare', input: { accountNo: '1234567890', billIds: [], extra: 1 }, session }, 'INVALID_INPUT'],
      [{ type: 'request', id: 6, command: 'payments.confirm', input: { txnId: 'HF-SS-01:abcdef', method: 'cash', tendered: 100 } }, 'UNAUTHENTICATED'],
      [{ type: 'request', id: 7, command: 'payments.confirm', input: { txnId: 'HF-SS-01:abcdef', method: 'cash', tendered: 100 }, session: 'forged' }, 'UNAUTHENTICATED'],
    ];
    for (const [message, code] of cases) {
      const result = await t.raw(message);
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(message)).toBe(code);
    }
    const invalid = await t.raw(cases[3]?.[0]);
    expect(!invalid.ok && Array.isArray(invalid.error.details?.['issues'])).toBe(true);
    // The audit chain grew only by the manager's own logins for the two counts.
    expect(await stationDocCount()).toBe(before + 1);
  });
});

describe('payments are exactly once and durable', () => {
  it('confirms the same txnId twice at once from two connections and makes one entry', async () => {
    const session = await t.login('1001');
    const detail = await accountWithUnpaidBills(session);
    const billIds = unpaidIds(detail);
    const quote = unwrap(await t.call('payments.prepare', { accountNo: detail.account.accountNo, billIds }, session));
    expect(quote.lines.map((l) => l.billId)).toEqual(billIds);
    expect(quote.due).toBe(quote.billsTotal + quote.lateFeesTotal - quote.creditApplied);

    const confirm = { txnId: quote.txnId, method: 'cash' as const, tendered: fen(quote.due + 1000) };
    const [a, b] = await Promise.all([t.call('payments.confirm', confirm, session, 'socket-a'), t.call('payments.confirm', confirm, session, 'socket-b')]);
    const first = unwrap(a);
    const second = unwrap(b);
    expect(first.entry.entryId).toBe(quote.txnId);
    expect(second.entry.entryId).toBe(quote.txnId);
    expect([first.replayed, second.replayed].sort()).toEqual([false, true]);
    expect(first.entry.change).toBe(1000);

    const after = unwrap(await t.call('accounts.get', { accountNo: detail.account.accountNo }, session));
    expect(after.history.filter((e) => e.entryId === quote.txnId)).toHaveLength(1);
    expect(unpaidIds(after)).toEqual([]);
    expect(after.arrears).toBe(0);
  });

  it('returns the same entry when the confirm is repeated after a restart', async () => {
    let session = await t.login('1001');
    const detail = await accountWithUnpaidBills(session);
    const quote = unwrap(await t.call('payments.prepare', { accountNo: detail.account.accountNo, billIds: unpaidIds(detail) }, session));
    const confirm = { txnId: quote.txnId, method: 'qr' as const, reference: 'WX20261121000123' };
    const committed = unwrap(await t.call('payments.confirm', confirm, session));
    await t.restart();
    session = await t.login('1001');
    const again = unwrap(await t.call('payments.confirm', confirm, session));
    expect(again.replayed).toBe(true);
    expect(again.entry).toEqual(committed.entry);
    const history = unwrap(await t.call('accounts.get', { accountNo: detail.account.accountNo }, session)).history;
    expect(history.filter((e) => e.kind === 'bill-payment')).toHaveLength(1);
  });

  it('issues every write of a confirm with sync and completes it before replying', async () => {
    const session = await t.login('1001');
    const detail = await accountWithUnpaidBills(session);
    const quote = unwrap(await t.call('payments.prepare', { accountNo: detail.account.accountNo, billIds: unpaidIds(detail) }, session));
    const events: (DurableWriteEvent | 'replied')[] = [];
    const stop = observeDurableWrites((event) => events.push(event));
    const result = await t.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.due }, session);
    events.push('replied');
    stop();
    unwrap(result);
    const writes = events.filter((e): e is DurableWriteEvent => e !== 'replied');
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((w) => w.sync)).toBe(true);
    // The entry and its audit record travel in one batch that completes before the reply.
    const batchDone = events.findIndex((e) => e !== 'replied' && e.kind === 'batch' && e.phase === 'completed');
    expect(batchDone).toBeGreaterThanOrEqual(0);
    expect(batchDone).toBeLessThan(events.indexOf('replied'));
  });

  it('refuses short cash, a missing reference, out-of-order bills and an unknown txn', async () => {
    const session = await t.login('1001');
    const detail = await accountWithUnpaidBills(session);
    const ids = unpaidIds(detail);
    const skipOldest = await t.call('payments.prepare', { accountNo: detail.account.accountNo, billIds: ids.slice(1) }, session);
    expect(skipOldest.ok ? 'ok' : skipOldest.error.code).toBe('BILLS_OUT_OF_ORDER');
    const quote = unwrap(await t.call('payments.prepare', { accountNo: detail.account.accountNo, billIds: ids }, session));
    const short = await t.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: fen(quote.due - 1) }, session);
    expect(short.ok ? 'ok' : short.error.code).toBe('TENDERED_TOO_LOW');
    const noRef = await t.call('payments.confirm', { txnId: quote.txnId, method: 'bank-card' }, session);
    expect(noRef.ok ? 'ok' : noRef.error.code).toBe('REFERENCE_REQUIRED');
    const unknown = await t.call('payments.confirm', { txnId: 'HF-SS-01:zzzzzzzzz-00000000', method: 'cash', tendered: fen(100) }, session);
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe('TXN_UNKNOWN');
    const other = await t.login('1002');
    const stolen = await t.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.due }, other);
    expect(stolen.ok ? 'ok' : stolen.error.code).toBe('TXN_MISMATCH');
    const after = unwrap(await t.call('accounts.get', { accountNo: detail.account.accountNo }, session));
    expect(after.history).toHaveLength(0);
  });
});

describe('reversal 冲正', () => {
  it('needs a different supervisor and a reason, frees the bills, and happens once', async () => {
    const clerk = await t.login('1001');
    const detail = await accountWithUnpaidBills(clerk);
    const quote = unwrap(await t.call('payments.prepare', { accountNo: detail.account.accountNo, billIds: unpaidIds(detail) }, clerk));
    const payment = unwrap(await t.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.due }, clerk)).entry;

    const byMaker = await t.call('ledger.reverse', { entryId: payment.entryId, reason: '金额录错', approver: { staffNo: '1001', password: '123456' } }, clerk);
    expect(byMaker.ok ? 'ok' : byMaker.error.code).toBe('APPROVER_IS_MAKER');
    const byClerk = await t.call('ledger.reverse', { entryId: payment.entryId, reason: '金额录错', approver: { staffNo: '1002', password: '123456' } }, clerk);
    expect(byClerk.ok ? 'ok' : byClerk.error.code).toBe('APPROVAL_REFUSED');
    const wrongPassword = await t.call('ledger.reverse', { entryId: payment.entryId, reason: '金额录错', approver: { staffNo: '2001', password: 'guess' } }, clerk);
    expect(wrongPassword.ok ? 'ok' : wrongPassword.error.code).toBe('APPROVAL_REFUSED');
    const noReason = await t.call('ledger.reverse', { entryId: payment.entryId, reason: ' ', approver: { staffNo: '2001', password: '123456' } }, clerk);
    expect(noReason.ok ? 'ok' : noReason.error.code).toBe('INVALID_INPUT');

    const reversal = unwrap(await t.call('ledger.reverse', { entryId: payment.entryId, reason: '金额录错', approver: { staffNo: '2001', password: '123456' } }, clerk));
    expect(reversal.entry.amount).toBe(0 - payment.amount);
    expect(reversal.entry.reversal?.approvedBy).toEqual({ staffNo: '2001', name: '王强' });

    const again = unwrap(await t.call('ledger.reverse', { entryId: payment.entryId, reason: '金额录错', approver: { staffNo: '2001', password: '123456' } }, clerk));
    expect(again.replayed).toBe(true);
    const ofReversal = await t.call('ledger.reverse', { entryId: reversal.entry.entryId, reason: '再冲', approver: { staffNo: '2001', password: '123456' } }, clerk);
    expect(ofReversal.ok ? 'ok' : ofReversal.error.code).toBe('NOT_REVERSIBLE');

    const after = unwrap(await t.call('accounts.get', { accountNo: detail.account.accountNo }, clerk));
    expect(unpaidIds(after)).toEqual(unpaidIds(detail));
    expect(after.history).toHaveLength(2);
    expect(after.history.find((e) => e.entryId === payment.entryId)?.reversedByEntryId).toBe(reversal.entry.entryId);
  });
});

describe('audit chain', () => {
  async function tamper(mutate: (db: PouchDB.Database) => Promise<void>): Promise<void> {
    await t.station.close();
    const db = new PouchDB(join(t.dataDir, 'db', 'station'), { adapter: 'leveldb', db: TongdaSyncedLeveldown });
    await mutate(db);
    await db.close();
    await t.restart();
  }

  it('verifies, and finds an edited record and a removed one', async () => {
    const clerk = await t.login('1001');
    const detail = await accountWithUnpaidBills(clerk);
    const quote = unwrap(await t.call('payments.prepare', { accountNo: detail.account.accountNo, billIds: unpaidIds(detail) }, clerk));
    unwrap(await t.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.due }, clerk));
    const manager = await t.login('3001');
    const intact = unwrap(await t.call('audit.check', {}, manager));
    expect(intact.ok).toBe(true);
    expect(intact.problems).toEqual([]);

    await tamper(async (db) => {
      const record = await db.get('audit:HF-SS-01:0000000002');
      await db.put({ ...record, actor: '9999' });
    });
    const edited = unwrap(await t.call('audit.check', {}, await t.login('3001')));
    expect(edited.ok).toBe(false);
    expect(edited.problems.some((p) => p.seq === 2)).toBe(true);

    await tamper(async (db) => {
      const record = await db.get('audit:HF-SS-01:0000000003');
      await db.bulkDocs([{ _id: record._id, _rev: record._rev, _deleted: true }]);
    });
    const removed = unwrap(await t.call('audit.check', {}, await t.login('3001')));
    expect(removed.ok).toBe(false);
    expect(removed.problems.length).toBeGreaterThan(edited.problems.length - 1);
  });

  it('finds a ledger entry edited after it was committed', async () => {
    const clerk = await t.login('1001');
    const detail = await accountWithUnpaidBills(clerk);
    const quote = unwrap(await t.call('payments.prepare', { accountNo: detail.account.accountNo, billIds: unpaidIds(detail) }, clerk));
    unwrap(await t.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.due }, clerk));
    await tamper(async (db) => {
      const entry = await db.get(`ledger:${quote.txnId}`);
      await db.put({ ...entry, amount: 1 });
    });
    const check = unwrap(await t.call('audit.check', {}, await t.login('3001')));
    expect(check.ok).toBe(false);
    expect(check.problems.some((p) => p.problem.includes(quote.txnId))).toBe(true);
  });
});
