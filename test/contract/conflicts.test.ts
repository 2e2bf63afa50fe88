/**
 * CouchDB conflicts are listed for a manager, never dropped: a master document with two first
 * revisions (as two replications can leave it) is resolved by keeping the one the manager picks;
 * a ledger document with a conflict is listed for central and refused at the counter.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { docId } from '../../core/schema/documents.js';
import { openStationDatabases } from '../../electron/station/database.js';
import { openTestStation, unwrap, type TestStation } from '../support/station-fixture.js';

let t: TestStation;
beforeEach(async () => {
  t = await openTestStation(20);
});
afterEach(async () => {
  await t.dispose();
});

const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code);

describe('conflicts list', () => {
  it('lists conflicted documents; a manager keeps one revision of master data; ledger documents are for central', async () => {
    await t.station.close();
    const dbs = openStationDatabases(t.dataDir);
    const page = await dbs.master.allDocs({ startkey: 'account:', endkey: 'account:\uffff', include_docs: true, limit: 1 });
    const account = page.rows[0]?.doc as (Record<string, unknown> & { _id: string; accountNo: string }) | undefined;
    if (!account) throw new Error('no account');
    const { _rev: _r, ...body } = account;
    const id = account._id;
    // Two more first revisions beside the seeded one: three leaves, one winner.
    await dbs.master.bulkDocs(
      [
        { ...body, ownerName: '冲突甲', _rev: '1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
        { ...body, ownerName: '冲突乙', _rev: '1-ffffffffffffffffffffffffffffffff' },
      ],
      { new_edits: false },
    );
    const ledgerId = docId.ledger('HF-SS-01:0000000aa-deadbeef');
    const entry = { _id: ledgerId, type: 'ledger-entry', note: 'one' };
    await dbs.station.bulkDocs([{ ...entry, _rev: '1-11111111111111111111111111111111' }, { ...entry, note: 'two', _rev: '1-22222222222222222222222222222222' }], { new_edits: false });
    await dbs.close();
    await t.restart();

    const clerk = await t.login('1001');
    expect(codeOf(await t.call('sync.conflicts', {}, clerk))).toBe('FORBIDDEN');
    const manager = await t.login('3001');
    const list = unwrap(await t.call('sync.conflicts', {}, manager));
    const onAccount = list.conflicts.find((c) => c.id === id);
    const onLedger = list.conflicts.find((c) => c.id === ledgerId);
    expect(onAccount?.db).toBe('master');
    expect(onAccount?.resolvable).toBe(true);
    expect(onAccount?.winningRev).toBe('1-ffffffffffffffffffffffffffffffff');
    expect(onAccount?.revisions).toHaveLength(3);
    const loser = onAccount?.revisions.find((r) => !r.winner && r.rev.startsWith('1-aaaa'));
    expect(loser?.differences).toEqual([{ field: 'ownerName', value: '"冲突甲"', winnerValue: '"冲突乙"' }]);
    expect(onLedger?.db).toBe('station');
    expect(onLedger?.resolvable).toBe(false);

    expect(codeOf(await t.call('sync.resolveConflict', { db: 'station', id: ledgerId, keepRev: '1-11111111111111111111111111111111' }, manager))).toBe('CONFLICT_NOT_RESOLVABLE');
    expect(codeOf(await t.call('sync.resolveConflict', { db: 'master', id, keepRev: '1-0000' }, manager))).toBe('CONFLICT_NOT_FOUND');
    unwrap(await t.call('sync.resolveConflict', { db: 'master', id, keepRev: '1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, manager));
    const after = unwrap(await t.call('sync.conflicts', {}, manager));
    expect(after.conflicts.map((c) => c.id)).toEqual([ledgerId]);
    expect(unwrap(await t.call('accounts.get', { accountNo: account.accountNo }, manager)).account.ownerName).toBe('冲突甲');
    expect(unwrap(await t.call('audit.check', {}, manager)).ok).toBe(true);
  });
});
