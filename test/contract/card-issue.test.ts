/**
 * Opening an account 开户, issuing its card 发卡 and a replacement card 补卡, through the contract,
 * with the GCR-1 emulator on a real pty: the issued card reads as the account and tops up; a card
 * that is not blank is refused; the station's range of account numbers runs out cleanly and
 * survives a stop between the station and master databases; a replacement carries the last
 * record byte for byte and makes the old card stale.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandInput } from '../../core/contract/commands.js';
import { pscFor } from '../../core/card/psc.js';
import { gas } from '../../core/money/money.js';
import { DEMO_CARD_KEY_HEX } from '../../electron/station/config.js';
import { openStationDatabases } from '../../electron/station/database.js';
import { openCardStation, type CardStation } from '../support/card-station.js';
import { unwrap } from '../support/station-fixture.js';

let t: CardStation;

beforeEach(async () => {
  t = await openCardStation();
  await t.login('1001');
});
afterEach(async () => {
  await t.dispose();
});

function newCustomer(meterNo: string, ownerName = '欧阳开户'): CommandInput<'accounts.open'> {
  return {
    ownerName,
    idNumber: '340104199003070013',
    phone: '13955123456',
    address: '合肥市蜀山区黄山路56号3栋1单元502室',
    districtCode: 'SHUSHAN',
    districtName: '蜀山区',
    meterNo,
    meterKind: 'prepaid-card',
    tariffCode: 'RES-GAS',
    customerType: 'residential',
  };
}

/** The emulated card's memory, hex, and its raw protection bits and PSC. */
async function chip(card: string) {
  const detail = await t.control().send({ cmd: 'card', card });
  if (!detail.chipState) throw new Error(`${card} has no chip state`);
  return detail.chipState;
}
const bytesAt = (memoryHex: string, offset: number, length: number) => memoryHex.slice(offset * 2, (offset + length) * 2);

function errorOf(result: { ok: boolean; error?: { code: string; details?: Readonly<Record<string, unknown>> } }) {
  return result.ok ? { code: 'ok', reason: undefined } : { code: result.error?.code, reason: result.error?.details?.['reason'] };
}

async function searchFinds(query: string, accountNo: string) {
  await vi.waitFor(
    async () => {
      const found = unwrap(await t.call('accounts.search', { query }));
      expect(found.results.map((r) => r.accountNo)).toContain(accountNo);
    },
    { timeout: 3000, interval: 20 },
  );
}

describe('opening an account and issuing its card', () => {
  it('opens an account, issues its card, and the card reads as the account and tops up', async () => {
    const opened = unwrap(await t.call('accounts.open', newCustomer('980012345678')));
    expect(opened.accountNo).toBe('3499000001');
    expect(opened.numbersLeft).toBe(99_998);
    // The index learns of the account from master's changes feed.
    await searchFinds('欧阳开户', opened.accountNo);
    const detail = unwrap(await t.call('accounts.get', { accountNo: opened.accountNo }));
    expect(detail.account).toMatchObject({ cardSerial: null, meterNo: '980012345678', status: 'active', openedOn: detail.today });
    expect(detail.inspection.result).toBe('none');

    unwrap(await t.call('demo.card', { action: 'insert', card: 'blank' }));
    const issued = unwrap(await t.call('card.issue', { accountNo: opened.accountNo }));
    expect(issued).toMatchObject({ accountNo: opened.accountNo, generation: 0, replacement: false, carriedSequence: null });
    expect(issued.entry).toMatchObject({ kind: 'card-issue', amount: 0, cardIssue: { serial: issued.serial, generation: 0, replacement: false } });

    // As the layout says: header protected, PSC derived from the serial, nothing in the slots.
    const state = await chip('blank');
    expect(bytesAt(state.memoryHex, 0, 4)).toBe('47430101');
    expect(bytesAt(state.memoryHex, 8, 8).toUpperCase()).toBe(issued.serial);
    expect(bytesAt(state.memoryHex, 0x20, 6)).toBe('003499000001');
    expect(bytesAt(state.memoryHex, 0x26, 6)).toBe('980012345678');
    expect(state.protectionHex).toBe('00000000');
    const psc = pscFor(Buffer.from(DEMO_CARD_KEY_HEX, 'hex'), Buffer.from(issued.serial, 'hex'), (key, message) => new Uint8Array(createHmac('sha256', key).update(message).digest()));
    expect(state.pscHex).toBe(Buffer.from(psc).toString('hex'));
    expect(bytesAt(state.memoryHex, 0x40, 0xc0)).toBe('00'.repeat(0xc0));

    const inspected = unwrap(await t.call('card.inspect', {}));
    expect(inspected.account?.accountNo).toBe(opened.accountNo);
    expect(inspected.card).toMatchObject({ serial: issued.serial, generation: 0, purchase: { state: 'none' } });
    expect(inspected.refusal).toBeNull();
    expect(unwrap(await t.call('accounts.get', { accountNo: opened.accountNo })).account.cardSerial).toBe(issued.serial);
    await searchFinds(issued.serial, opened.accountNo);

    const quote = unwrap(await t.call('topup.prepare', { accountNo: opened.accountNo, serial: issued.serial, by: { kind: 'volume', volume: gas(1000) } }));
    const topup = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
    expect(topup.card).toBe('on-card');
    const after = unwrap(await t.call('card.inspect', {}));
    expect(after.card?.purchase).toMatchObject({ state: 'current', record: { sequence: 1, volume: 1000 } });

    // One card per account: a second card is a replacement.
    const twice = await t.call('card.issue', { accountNo: opened.accountNo });
    expect(errorOf(twice).code).toBe('INVALID_INPUT');
  });

  it('refuses an ID number with a wrong check character, saying so', async () => {
    const refused = await t.call('accounts.open', { ...newCustomer('980012345678'), idNumber: '340104199003070014' });
    if (refused.ok) throw new Error('accepted a wrong ID number');
    expect(refused.error.code).toBe('INVALID_INPUT');
    expect(refused.error.details?.['issues']).toEqual([{ path: 'idNumber', message: expect.stringContaining('check character') as unknown }]);
    const shortMeter = await t.call('accounts.open', newCustomer('98001234'));
    expect(errorOf(shortMeter).code).toBe('INVALID_INPUT');
  });

  it('refuses a card that is not blank and writes nothing', async () => {
    const opened = unwrap(await t.call('accounts.open', newCustomer('980012345678')));
    unwrap(await t.call('demo.card', { action: 'insert', card: 'new' }));
    const before = (await chip('new')).memoryHex;
    const refused = await t.call('card.issue', { accountNo: opened.accountNo });
    expect(errorOf(refused)).toEqual({ code: 'CARD_REFUSED', reason: 'not-blank' });
    expect((await chip('new')).memoryHex).toBe(before);
    const detail = unwrap(await t.call('accounts.get', { accountNo: opened.accountNo }));
    expect(detail.history).toEqual([]);
    expect(detail.account.cardSerial).toBeNull();
  });

  it('refuses to open an account when the range is used up, with nothing written', async () => {
    const configPath = join(t.dataDir, 'station.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(configPath, JSON.stringify({ ...config, accountNumberRange: { from: 3_499_000_001, to: 3_499_000_002 } }));
    await t.restart();
    await t.login('2001');

    expect(unwrap(await t.call('accounts.open', newCustomer('980012345671', '第一户'))).numbersLeft).toBe(1);
    expect(unwrap(await t.call('accounts.open', newCustomer('980012345672', '第二户')))).toEqual({ accountNo: '3499000002', numbersLeft: 0 });
    const auditBefore = unwrap(await t.call('audit.check', {}));
    const refused = await t.call('accounts.open', newCustomer('980012345673', '第三户'));
    expect(errorOf(refused).code).toBe('RANGE_EXHAUSTED');
    if (!refused.ok) expect(refused.error.details?.['left']).toBe(0);
    const auditAfter = unwrap(await t.call('audit.check', {}));
    expect(auditAfter.headSeq).toBe(auditBefore.headSeq);
    expect(unwrap(await t.call('accounts.search', { query: '第三户' })).total).toBe(0);
    expect(errorOf(await t.call('accounts.get', { accountNo: '3499000003' })).code).toBe('ACCOUNT_NOT_FOUND');
  });

  it('shows an opening from the station’s own record, across a restart, with master left to central: one account, no gap', async () => {
    const first = unwrap(await t.call('accounts.open', newCustomer('980012345678', '断电开户')));
    await t.station.close();
    // Master is a pure copy of central: the station never put the account there.
    const dbs = openStationDatabases(t.dataDir);
    expect((await dbs.master.allDocs({ keys: [`account:${first.accountNo}`] })).rows[0]?.error).toBe('not_found');
    await dbs.close();
    await t.restart();
    await t.login('1001');

    const detail = unwrap(await t.call('accounts.get', { accountNo: first.accountNo }));
    expect(detail.account.ownerName).toBe('断电开户');
    await searchFinds('断电开户', first.accountNo);
    expect(unwrap(await t.call('accounts.search', { query: '断电开户' })).total).toBe(1);
    const second = unwrap(await t.call('accounts.open', newCustomer('980012345679', '下一户')));
    expect(Number(second.accountNo)).toBe(Number(first.accountNo) + 1);
  });
  it('shows an issued card over master’s copy until central’s names it', async () => {
    const opened = unwrap(await t.call('accounts.open', newCustomer('980012345678')));
    unwrap(await t.call('demo.card', { action: 'insert', card: 'blank' }));
    const issued = unwrap(await t.call('card.issue', { accountNo: opened.accountNo }));
    await t.station.close();
    // Central applied the opening (without the card yet): master's copy has no card.
    const dbs = openStationDatabases(t.dataDir);
    const opening = (await dbs.station.get(`account-opening:${opened.accountNo}`)) as unknown as { account: { _id: string } };
    await dbs.master.put({ ...opening.account, cardSerial: null, cardGeneration: 0 });
    await dbs.close();
    await t.restart();
    await t.login('1001');
    expect(unwrap(await t.call('accounts.get', { accountNo: opened.accountNo })).account.cardSerial).toBe(issued.serial);
    await searchFinds(issued.serial, opened.accountNo);
  });
});

describe('replacement card 补卡', () => {
  it('carries the last record byte for byte, one generation up, and the old card goes stale', async () => {
    unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
    const old = unwrap(await t.call('card.inspect', {}));
    if (!old.account || !old.card) throw new Error('no account on the loaded card');
    const accountNo = old.account.accountNo;
    const quote = unwrap(await t.call('topup.prepare', { accountNo, serial: old.card.serial, by: { kind: 'volume', volume: gas(1000) } }));
    const topup = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
    expect(topup.card).toBe('on-card');
    const recordHex = topup.entry.card?.recordHex ?? '';
    expect(topup.entry.card?.slot).toBe('B');
    expect(bytesAt((await chip('loaded')).memoryHex, 0x60, 32)).toBe(recordHex);

    unwrap(await t.call('demo.card', { action: 'insert', card: 'blank' }));
    const self = await t.call('card.replace', { accountNo, reason: '卡丢失', approver: { staffNo: '1001', password: '123456' } });
    expect(errorOf(self).code).toBe('APPROVER_IS_MAKER');
    const replaced = unwrap(await t.call('card.replace', { accountNo, reason: '卡丢失', approver: { staffNo: '2001', password: '123456' } }));
    expect(replaced).toMatchObject({ accountNo, generation: 1, replacement: true, carriedSequence: 2 });
    expect(replaced.entry.cardIssue).toMatchObject({ replacement: true, previousSerial: old.card.serial, reason: '卡丢失', approvedBy: { staffNo: '2001' } });

    const state = await chip('blank');
    expect(bytesAt(state.memoryHex, 0x40, 32)).toBe(recordHex);
    expect(bytesAt(state.memoryHex, 0x60, 32)).toBe('00'.repeat(32));
    expect(bytesAt(state.memoryHex, 0x32, 1)).toBe('01');
    expect(state.protectionHex).toBe('00000000');

    const fresh = unwrap(await t.call('card.inspect', {}));
    expect(fresh.card).toMatchObject({ serial: replaced.serial, generation: 1, purchase: { state: 'current', record: { slot: 'A', sequence: 2 } } });
    // The carried purchase goes to the meter first (it loads it only if it never did).
    expect(fresh.refusal).toBe('unloaded-purchase');
    expect(unwrap(await t.call('accounts.get', { accountNo })).account.cardSerial).toBe(replaced.serial);

    unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
    const stale = unwrap(await t.call('card.inspect', {}));
    expect(stale.account?.accountNo).toBe(accountNo);
    expect(stale.refusal).toBe('stale-generation');
    const refused = await t.call('topup.prepare', { accountNo, serial: old.card.serial, by: { kind: 'volume', volume: gas(1000) } });
    expect(errorOf(refused)).toEqual({ code: 'TOPUP_REFUSED', reason: 'stale-generation' });
  });
});
