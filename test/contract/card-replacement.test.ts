/**
 * Rule 7 of gas-card-layout.md (补卡), end to end through the station's contract with the GCR-1
 * emulator on a real pty: a replacement card carries the account's last record byte for byte in
 * slot A; in the meter (found by the meter number on the card, as a real card finds it) it
 * adopts the new generation and loads the carried purchase only if the meter never loaded it
 * (掉气补气, capped at the last purchase); then the card is loaded and buys again, and the lost
 * card is stale.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gas } from '../../core/money/money.js';
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

const approver = { staffNo: '2001', password: '123456' };
const bytesAt = (memoryHex: string, offset: number, length: number) => memoryHex.slice(offset * 2, (offset + length) * 2);

async function demo(input: { action: 'insert'; card: string } | { action: 'remove' } | { action: 'use-in-meter' }) {
  unwrap(await t.call('demo.card', input));
}

async function inspect() {
  return unwrap(await t.call('card.inspect', {}));
}

/** The emulated card's memory and the meter it goes to, from the emulator's control channel. */
async function emulated(card: string) {
  const detail = await t.control().send({ cmd: 'card', card });
  if (!detail.chipState) throw new Error(`${card} has no chip state`);
  return { memoryHex: detail.chipState.memoryHex, meter: detail.meter };
}

async function meterOf(card: string) {
  const { meter } = await emulated(card);
  if (!meter) throw new Error(`${card} has no meter`);
  return meter;
}

/** Insert the demo 'loaded' card and buy 10 m³ on it: the purchase is on the card, not in the meter. */
async function buyOnLoadedCard() {
  await demo({ action: 'insert', card: 'loaded' });
  const old = await inspect();
  if (!old.account || !old.card) throw new Error('no account on the loaded card');
  expect(old.refusal).toBeNull();
  const accountNo = old.account.accountNo;
  const quote = unwrap(await t.call('topup.prepare', { accountNo, serial: old.card.serial, by: { kind: 'volume', volume: gas(1000) } }));
  const topup = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
  expect(topup.card).toBe('on-card');
  expect(topup.entry.card).toMatchObject({ slot: 'B', sequence: 2, volume: 1000 });
  return { accountNo, oldSerial: old.card.serial, entry: topup.entry };
}

/** The card is lost: out of the reader, the blank card in, 补卡 approved by a supervisor. */
async function replaceLostCard(accountNo: string) {
  await demo({ action: 'remove' });
  await demo({ action: 'insert', card: 'blank' });
  const replaced = unwrap(await t.call('card.replace', { accountNo, reason: '卡丢失', approver }));
  expect(replaced).toMatchObject({ accountNo, generation: 1, replacement: true, carriedSequence: 2 });
  return replaced;
}

/** The top-up's record as the ledger keeps it (accounts.get history), the bytes rule 7 carries. */
async function ledgerRecordHex(accountNo: string, entryId: string): Promise<string> {
  const history = unwrap(await t.call('accounts.get', { accountNo })).history;
  const entry = history.find((e) => e.entryId === entryId);
  const recordHex = entry?.card?.recordHex;
  if (recordHex === undefined) throw new Error(`no card record for ${entryId} in the history`);
  return recordHex;
}

describe('replacement card 补卡 in the meter (rule 7)', () => {
  it('carries an unloaded purchase, which the meter loads exactly once; the card buys again and the lost card is stale', async () => {
    const { accountNo, oldSerial, entry } = await buyOnLoadedCard();
    const before = await meterOf('loaded');
    expect(before).toMatchObject({ acceptedGeneration: 0, lastSeq: 1 });

    const replaced = await replaceLostCard(accountNo);
    const recordHex = await ledgerRecordHex(accountNo, entry.entryId);
    expect(recordHex).toBe(entry.card?.recordHex);
    const issued = await emulated('blank');
    expect(bytesAt(issued.memoryHex, 0x40, 32)).toBe(recordHex);
    expect(bytesAt(issued.memoryHex, 0x60, 32)).toBe('00'.repeat(32));
    expect(bytesAt(issued.memoryHex, 0x80, 32)).toBe('00'.repeat(32));
    // Found by the meter number in its account block: the lost card's meter, nothing loaded yet.
    expect(issued.meter).toMatchObject({ meterNo: before.meterNo, acceptedGeneration: 0, remaining: before.remaining, lastSeq: 1 });

    const fresh = await inspect();
    expect(fresh.card).toMatchObject({ serial: replaced.serial, generation: 1, loaded: 'not-loaded', returnBlock: 'never-in-meter', purchase: { state: 'current', record: { slot: 'A', sequence: 2, volume: 1000 } } });
    expect(fresh.refusal).toBe('unloaded-purchase');
    // Rule 6: a carried record cannot be cancelled on a card that has no valid return block yet.
    expect((await t.call('topup.cancel', { entryId: entry.entryId, reason: '客户不要了', approver })).ok).toBe(false);
    expect(bytesAt((await emulated('blank')).memoryHex, 0x60, 32)).toBe('00'.repeat(32));

    // To the meter: it adopts generation 1 and loads the carried purchase.
    await demo({ action: 'use-in-meter' });
    const after = await meterOf('blank');
    expect(after).toMatchObject({ meterNo: before.meterNo, acceptedGeneration: 1, remaining: before.remaining + 1000, lastSeq: 2 });
    const loaded = await inspect();
    expect(loaded.card).toMatchObject({ serial: replaced.serial, loaded: 'loaded', returnBlock: 'valid', meter: { remaining: before.remaining + 1000, lastLoadedSequence: 2, acceptedGeneration: 1 } });
    expect(loaded.refusal).toBeNull();

    // Exactly once: the meter again adds nothing.
    await demo({ action: 'use-in-meter' });
    expect((await meterOf('blank')).remaining).toBe(before.remaining + 1000);
    expect((await inspect()).card?.meter?.remaining).toBe(before.remaining + 1000);

    // The replacement card buys again: sequence 3 into slot B.
    const quote = unwrap(await t.call('topup.prepare', { accountNo, serial: replaced.serial, by: { kind: 'volume', volume: gas(500) } }));
    const again = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
    expect(again.card).toBe('on-card');
    const bought = await inspect();
    expect(bought.card?.purchase).toMatchObject({ state: 'current', record: { slot: 'B', sequence: 3, volume: 500 } });
    expect(bought.refusal).toBe('unloaded-purchase');

    // The lost card turns up: refused at the counter, and the meter loads nothing from it.
    await demo({ action: 'insert', card: 'loaded' });
    const stale = await inspect();
    expect(stale.account?.accountNo).toBe(accountNo);
    expect(stale.card?.generation).toBe(0);
    expect(stale.refusal).toBe('stale-generation');
    const refused = await t.call('topup.prepare', { accountNo, serial: oldSerial, by: { kind: 'volume', volume: gas(1000) } });
    expect(refused.ok ? 'ok' : refused.error.details?.['reason']).toBe('stale-generation');
    await demo({ action: 'use-in-meter' });
    expect(await meterOf('loaded')).toMatchObject({ acceptedGeneration: 1, remaining: before.remaining + 1000, lastSeq: 2 });
    expect((await inspect()).refusal).toBe('stale-generation');
  });

  it('掉气补气 capped: a purchase the meter loaded before the card was lost is carried but loads nothing more', async () => {
    const { accountNo, entry } = await buyOnLoadedCard();
    const initial = await meterOf('loaded');
    // The purchase goes to the meter on the old card, before it is lost.
    await demo({ action: 'use-in-meter' });
    const before = await meterOf('loaded');
    expect(before).toMatchObject({ acceptedGeneration: 0, remaining: initial.remaining + 1000, lastSeq: 2 });
    expect((await inspect()).card?.loaded).toBe('loaded');

    const replaced = await replaceLostCard(accountNo);
    const recordHex = await ledgerRecordHex(accountNo, entry.entryId);
    expect(bytesAt((await emulated('blank')).memoryHex, 0x40, 32)).toBe(recordHex);
    expect((await inspect()).card).toMatchObject({ serial: replaced.serial, generation: 1, purchase: { state: 'current', record: { slot: 'A', sequence: 2 } } });

    await demo({ action: 'use-in-meter' });
    const after = await meterOf('blank');
    expect(after).toMatchObject({ meterNo: before.meterNo, acceptedGeneration: 1, remaining: before.remaining, lastSeq: 2, lastDigestHex: before.lastDigestHex });
    const loaded = await inspect();
    expect(loaded.card).toMatchObject({ loaded: 'loaded', returnBlock: 'valid', meter: { remaining: before.remaining, lastLoadedSequence: 2, acceptedGeneration: 1 } });
    expect(loaded.refusal).toBeNull();
  });
});

describe('a top-up never confirmed on a card that is then lost', () => {
  it('is carried onto the replacement, finished there, and loaded by the meter once', async () => {
    await demo({ action: 'insert', card: 'loaded' });
    const old = await inspect();
    if (!old.account || !old.card) throw new Error('no account on the loaded card');
    const accountNo = old.account.accountNo;
    const quote = unwrap(await t.call('topup.prepare', { accountNo, serial: old.card.serial, by: { kind: 'volume', volume: gas(1000) } }));
    // The card is pulled at the first byte and never comes back.
    await t.control().pullAfter(0);
    const pending = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
    expect(pending.card).toBe('pending');

    const meterBefore = await meterOf('loaded');
    await demo({ action: 'insert', card: 'blank' });
    const replaced = unwrap(await t.call('card.replace', { accountNo, reason: '卡丢失', approver }));
    expect(replaced.carriedSequence).toBe(2);
    // The paid purchase is on the replacement card now: nothing is left unfinished.
    const detail = unwrap(await t.call('accounts.get', { accountNo }));
    expect(detail.history.filter((e) => e.kind === 'top-up')).toHaveLength(1);
    const card = await inspect();
    expect(card.unfinished).toEqual([]);
    expect(card.refusal).toBe('unloaded-purchase');
    await demo({ action: 'use-in-meter' });
    const meterAfter = await meterOf('loaded');
    expect(meterAfter.remaining - meterBefore.remaining).toBe(1000);
    expect((await inspect()).card?.loaded).toBe('loaded');

    // The lost card turns up: stale, and the carried top-up is not written onto it again.
    await demo({ action: 'remove' });
    await demo({ action: 'insert', card: 'loaded' });
    const found = await inspect();
    expect(found.unfinished).toEqual([]);
    expect(found.refusal).toBe('stale-generation');
    if (found.card?.purchase.state !== 'current') throw new Error('no record on the old card');
    expect(found.card.purchase.record.sequence).toBe(1);
  });
});
