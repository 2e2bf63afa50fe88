/**
 * The card key lives in the main process's configuration only: no command result, no event and
 * no log line carries it, not even during a top-up (which derives the PSC from it).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { fen } from '../../core/money/money.js';
import { DEMO_CARD_KEY_HEX } from '../../electron/station/config.js';
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

it('never sends the card key to a UI', async () => {
  const seen: string[] = [];
  const stop = t.station.dispatcher.onEvent((event) => seen.push(JSON.stringify(event)));
  const key = DEMO_CARD_KEY_HEX.toLowerCase();
  const record = (value: unknown) => seen.push(JSON.stringify(value));
  record(await t.call('station.info', {}));
  record(await t.call('reader.state', {}));
  unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
  const inspection = unwrap(await t.call('card.inspect', {}));
  record(inspection);
  if (!inspection.account || !inspection.card) throw new Error('no card');
  const quote = unwrap(await t.call('topup.prepare', { accountNo: inspection.account.accountNo, serial: inspection.card.serial, by: { kind: 'amount', amount: fen(3000) } }));
  record(quote);
  record(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
  record(await t.call('accounts.get', { accountNo: inspection.account.accountNo }));
  stop();
  expect(seen.length).toBeGreaterThan(5);
  for (const text of seen) expect(text.toLowerCase()).not.toContain(key);
});
