/**
 * Rule 4's last cases: a top-up recorded but never written, and the card meanwhile took another
 * record under that sequence (another terminal sold on it). A supervisor refunds it by a
 * reversal, and only after reading the card shows it does not hold the purchase; while the card
 * can still take it, the refund is refused (finish it instead).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { encodeSlot } from '../../core/card/layout.js';
import { fen, gas } from '../../core/money/money.js';
import { openCardStation, type CardStation } from '../support/card-station.js';
import { unwrap } from '../support/station-fixture.js';

let t: CardStation;
beforeEach(async () => {
  t = await openCardStation({ accounts: 600 });
  await t.login('1001');
});
afterEach(async () => {
  await t.dispose();
});

const approver = { staffNo: '2001', password: '123456' };

it('refuses a refund while the card can take the top-up, and refunds once another record took its place', async () => {
  unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
  const card = unwrap(await t.call('card.inspect', {}));
  if (!card.account || !card.card) throw new Error('no card');
  const quote = unwrap(await t.call('topup.prepare', { accountNo: card.account.accountNo, serial: card.card.serial, by: { kind: 'volume', volume: gas(1500) } }));
  await t.control().pullAfter(0);
  const pending = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
  expect(pending.card).toBe('pending');

  // Back in the reader, still able to take it: no refund (finish it instead).
  unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
  const early = await t.call('topup.settle', { entryId: pending.entry.entryId, reason: '客户要求退款', approver });
  expect(early.ok ? 'ok' : early.error.details?.['reason']).toBe('rewrite');

  // The card leaves; another terminal writes its own purchase 2 into slot B.
  unwrap(await t.call('demo.card', { action: 'remove' }));
  const foreign = encodeSlot({
    sequence: 2,
    volume: gas(999),
    amount: fen(2797),
    yearToDate: gas(5999),
    tariffYear: 2026,
    terminalId: 0x999,
    purchaseTime: new Date('2026-11-21T03:00:00Z'),
    digest: Uint8Array.from([1, 2, 3, 4]),
  });
  await t.control().send({ cmd: 'poke', card: 'loaded', address: 0x60, hex: Buffer.from(foreign).toString('hex') });
  unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
  const seen = unwrap(await t.call('card.inspect', {}));
  expect(seen.unfinished.map((u) => u.outcome)).toEqual(['other-digest']);

  const byMaker = await t.call('topup.settle', { entryId: pending.entry.entryId, reason: '客户要求退款', approver: { staffNo: '1001', password: '123456' } });
  expect(byMaker.ok ? 'ok' : byMaker.error.code).toBe('APPROVER_IS_MAKER');
  const refunded = unwrap(await t.call('topup.settle', { entryId: pending.entry.entryId, reason: '卡上同序号已有他站购气，退款', approver }));
  expect(refunded.entry.amount).toBe(0 - pending.entry.amount);
  expect(refunded.entry.reversal?.reversesEntryId).toBe(pending.entry.entryId);

  const after = unwrap(await t.call('card.inspect', {}));
  expect(after.unfinished).toEqual([]);
  const history = unwrap(await t.call('accounts.get', { accountNo: card.account.accountNo })).history;
  expect(history.find((e) => e.entryId === pending.entry.entryId)?.reversedByEntryId).toBe(refunded.entry.entryId);
  const again = unwrap(await t.call('topup.settle', { entryId: pending.entry.entryId, reason: '重复', approver }));
  expect(again.replayed).toBe(true);
});
