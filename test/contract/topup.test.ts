/**
 * Prepaid top-up through the contract, with the GCR-1 emulator on a real pty: insert a card,
 * top up, the card shows the purchase, use in meter, top up again; the refusal when the meter
 * has not loaded the last purchase; a cancel before loading; the refusals for other cards.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fen, gas } from '../../core/money/money.js';
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

async function insert(name: string) {
  unwrap(await t.call('demo.card', { action: 'insert', card: name }));
  return unwrap(await t.call('card.inspect', {}));
}

describe('top-up at the counter', () => {
  it('tops up a card, the meter loads it, and it tops up again', async () => {
    const first = await insert('new');
    expect(first.card?.purchase).toEqual({ state: 'none' });
    expect(first.refusal).toBeNull();
    const account = first.account;
    if (!account || !first.card) throw new Error('no account for the new card');

    const quote = unwrap(await t.call('topup.prepare', { accountNo: account.accountNo, serial: first.card.serial, by: { kind: 'amount', amount: fen(10000) } }));
    // 100 yuan at tier 1 (2.80 yuan/m³): 35.71 m³ costs 99.99; 35.72 would cost 100.02.
    expect(quote.volume).toBe(3571);
    expect(quote.amount).toBe(9999);
    const done = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: fen(10000) }));
    expect(done.card).toBe('on-card');
    expect(done.entry.change).toBe(1);

    const after = unwrap(await t.call('card.inspect', {}));
    expect(after.card?.purchase.state).toBe('current');
    if (after.card?.purchase.state !== 'current') throw new Error('no purchase on the card');
    expect(after.card.purchase.record.sequence).toBe(1);
    expect(after.card.purchase.record.volume).toBe(3571);
    expect(after.refusal).toBe('unloaded-purchase');
    const refused = await t.call('topup.prepare', { accountNo: account.accountNo, serial: first.card.serial, by: { kind: 'volume', volume: gas(1000) } });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('TOPUP_REFUSED');

    unwrap(await t.call('demo.card', { action: 'use-in-meter' }));
    const loaded = unwrap(await t.call('card.inspect', {}));
    expect(loaded.card?.loaded).toBe('loaded');
    expect(loaded.card?.meter?.remaining).toBeGreaterThanOrEqual(3571);
    expect(loaded.refusal).toBeNull();
    expect(loaded.yearToDateBefore).toBe(3571);

    const again = unwrap(await t.call('topup.prepare', { accountNo: account.accountNo, serial: first.card.serial, by: { kind: 'volume', volume: gas(2000) } }));
    const second = unwrap(await t.call('topup.confirm', { txnId: again.txnId, method: 'qr', reference: 'WX000111' }));
    expect(second.card).toBe('on-card');
    const final = unwrap(await t.call('card.inspect', {}));
    if (final.card?.purchase.state !== 'current') throw new Error('no purchase');
    expect(final.card.purchase.record).toMatchObject({ sequence: 2, slot: 'B', yearToDate: 5571 });

    const history = unwrap(await t.call('accounts.get', { accountNo: account.accountNo })).history;
    expect(history.filter((e) => e.kind === 'top-up')).toHaveLength(2);

    // Each top-up's receipt came out of the (virtual) printer once its card held the gas.
    const receipts = await vi.waitFor(async () => {
      const previews = unwrap(await t.call('printer.previews', {})).previews;
      expect(previews).toHaveLength(2);
      return previews;
    });
    for (const [index, preview] of receipts.entries()) {
      expect(preview.text).toContain('购气收据');
      expect(preview.text.some((line) => line.startsWith('购气量') && line.includes('m³'))).toBe(true);
      expect(preview.text.some((line) => line.startsWith('购气序号') && line.endsWith(String(index + 1)))).toBe(true);
      expect(preview.png.length).toBeGreaterThan(1000);
    }
    // The printer has the bytes before the station has asked it, after the job, whether the
    // paper came out; "printed" is recorded only after that answer.
    await vi.waitFor(async () => {
      const listed = unwrap(await t.call('receipts.list', { accountNo: account.accountNo })).receipts;
      expect(listed.map((receipt) => [receipt.kind, receipt.print])).toEqual([
        ['top-up', 'printed'],
        ['top-up', 'printed'],
      ]);
    });
  });

  it('confirms the same top-up twice at once and writes the card once', async () => {
    const card = await insert('loaded');
    if (!card.account || !card.card) throw new Error('no account');
    const quote = unwrap(await t.call('topup.prepare', { accountNo: card.account.accountNo, serial: card.card.serial, by: { kind: 'volume', volume: gas(1000) } }));
    const confirm = { txnId: quote.txnId, method: 'cash' as const, tendered: quote.amount };
    const [a, b] = await Promise.all([t.call('topup.confirm', confirm), t.call('topup.confirm', confirm)]);
    expect(unwrap(a).entry.entryId).toBe(unwrap(b).entry.entryId);
    expect([unwrap(a).replayed, unwrap(b).replayed].sort()).toEqual([false, true]);
    const history = unwrap(await t.call('accounts.get', { accountNo: card.account.accountNo })).history;
    expect(history.filter((e) => e.kind === 'top-up')).toHaveLength(1);
    const after = unwrap(await t.call('card.inspect', {}));
    if (after.card?.purchase.state !== 'current') throw new Error('no purchase');
    expect(after.card.purchase.record.sequence).toBe(2);
  });

  it('cancels a top-up the meter has not loaded, and refuses once it has', async () => {
    const card = await insert('loaded');
    if (!card.account || !card.card) throw new Error('no account');
    const quote = unwrap(await t.call('topup.prepare', { accountNo: card.account.accountNo, serial: card.card.serial, by: { kind: 'volume', volume: gas(1500) } }));
    const topup = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount })).entry;
    const plain = await t.call('ledger.reverse', { entryId: topup.entryId, reason: '客户不要了', approver: { staffNo: '2001', password: '123456' } });
    expect(plain.ok ? 'ok' : plain.error.code).toBe('CARD_REQUIRED');
    const cancelled = unwrap(await t.call('topup.cancel', { entryId: topup.entryId, reason: '客户不要了', approver: { staffNo: '2001', password: '123456' } }));
    expect(cancelled.entry.amount).toBe(0 - topup.amount);
    const after = unwrap(await t.call('card.inspect', {}));
    if (after.card?.purchase.state !== 'current') throw new Error('no record');
    expect(after.card.purchase.record.cancel).toBe(true);
    // After a cancel record, the card may buy again at once (rule 1).
    expect(after.refusal).toBeNull();

    const next = unwrap(await t.call('topup.prepare', { accountNo: card.account.accountNo, serial: card.card.serial, by: { kind: 'volume', volume: gas(1000) } }));
    const second = unwrap(await t.call('topup.confirm', { txnId: next.txnId, method: 'cash', tendered: next.amount })).entry;
    unwrap(await t.call('demo.card', { action: 'use-in-meter' }));
    const late = await t.call('topup.cancel', { entryId: second.entryId, reason: '太晚了', approver: { staffNo: '2001', password: '123456' } });
    expect(late.ok ? 'ok' : late.error.details?.['reason']).toBe('loaded');
  });

  it('refuses the cards it must refuse, in words the UI can show', async () => {
    expect((await insert('unloaded')).refusal).toBe('unloaded-purchase');
    expect((await insert('foreign')).refusal).toBe('foreign-utility');
    expect((await insert('locked')).refusal).toBe('card-locked');
    expect((await insert('one-attempt')).refusal).toBe('card-one-attempt');
    expect((await insert('damaged')).refusal).toBe('damaged');
    expect((await insert('blank')).refusal).toBe('not-user-card');
    const inspection = await insert('inspection');
    expect(inspection.refusal).toBe('inspection-failed');
  });
});
