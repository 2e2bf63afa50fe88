/**
 * Whatever happens during a top-up, the customer is never charged twice and never loses paid
 * gas: the card pulled after each of the 33 byte boundaries of the 32-byte slot write, and the
 * station dying at every step of the sequence, then recovery by reading the card. After each,
 * the ledger and the card agree: one top-up entry per payment, its card-write record, and the
 * card's current record carrying that entry's digest.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { CardInspection } from '../../core/contract/cards.js';
import { gas } from '../../core/money/money.js';
import type { TopupFaults, TopupStep } from '../../electron/station/card-service.js';
import { openCardStation, type CardStation } from '../support/card-station.js';
import { unwrap } from '../support/station-fixture.js';

class SimulatedCrash extends Error {}

function crashOnce(): TopupFaults & { crashAt: TopupStep | null } {
  return {
    crashAt: null,
    at(step) {
      if (step === this.crashAt) {
        this.crashAt = null;
        throw new SimulatedCrash(`station died at ${step}`);
      }
    },
  };
}

const digestOf = (entryId: string) => createHash('sha256').update(`ledger:${entryId}`, 'utf8').digest('hex').slice(0, 8);

let t: CardStation | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

async function inspect(s: CardStation): Promise<CardInspection> {
  return unwrap(await s.call('card.inspect', {}));
}

/** Every top-up of the account is on the card's history exactly once and confirmed; the card holds the last. */
async function expectLedgerAndCardAgree(s: CardStation, accountNo: string, topups: number) {
  const detail = unwrap(await s.call('accounts.get', { accountNo }));
  const entries = detail.history.filter((e) => e.kind === 'top-up');
  expect(entries).toHaveLength(topups);
  const newest = entries[0];
  if (!newest?.card) throw new Error('no top-up');
  const card = await inspect(s);
  expect(card.unfinished).toEqual([]);
  if (card.card?.purchase.state !== 'current') throw new Error('no purchase on the card');
  expect(card.card.purchase.record.sequence).toBe(newest.card.sequence);
  expect(card.card.purchase.record.digestHex).toBe(digestOf(newest.entryId));
  expect(card.refusal).toBe('unloaded-purchase');
}

describe('a card pulled during the slot write', () => {
  it('recovers at each of the 33 byte boundaries with one sale per payment', async () => {
    t = await openCardStation({ accounts: 800 });
    await t.login('1001');
    unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
    const first = await inspect(t);
    const accountNo = first.account?.accountNo;
    const serial = first.card?.serial;
    if (!accountNo || !serial) throw new Error('no demo account');
    let topups = 0;
    const outcomes: string[] = [];
    for (let bytes = 0; bytes <= 32; bytes += 1) {
      t.clock.advance(60_000);
      const quote = unwrap(await t.call('topup.prepare', { accountNo, serial, by: { kind: 'volume', volume: gas(1000 + bytes) } }));
      await t.control().pullAfter(bytes);
      const result = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
      topups += 1;
      // The money is recorded whatever the card did; the card write is pending until the card is read.
      expect(result.entry.kind, `at ${bytes} bytes`).toBe('top-up');
      outcomes.push(result.card);
      // The card comes back: reading it finishes the top-up (the same bytes again, or found on the card).
      unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
      await expectLedgerAndCardAgree(t, accountNo, topups);
      // A second confirm of the same payment sells nothing more.
      const again = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
      expect(again.replayed).toBe(true);
      unwrap(await t.call('demo.card', { action: 'use-in-meter' }));
    }
    const detail = unwrap(await t.call('accounts.get', { accountNo }));
    expect(detail.history.filter((e) => e.kind === 'top-up')).toHaveLength(33);
    // The pulls really tore the writes: no top-up was confirmed before the card came back.
    expect(outcomes.every((outcome) => outcome === 'pending')).toBe(true);
  });
});

describe('a first purchase torn on a new card', () => {
  it('recovers at byte boundaries 0, 4, 8 … 32 of the first write (slot A torn beside an empty B)', async () => {
    for (let bytes = 0; bytes <= 32; bytes += 4) {
      t = await openCardStation({ accounts: 800 });
      await t.login('1001');
      unwrap(await t.call('demo.card', { action: 'insert', card: 'new' }));
      const first = await inspect(t);
      const accountNo = first.account?.accountNo;
      const serial = first.card?.serial;
      if (!accountNo || !serial) throw new Error('no demo account');
      const quote = unwrap(await t.call('topup.prepare', { accountNo, serial, by: { kind: 'volume', volume: gas(2500) } }));
      await t.control().pullAfter(bytes);
      expect(unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount })).card).toBe('pending');
      unwrap(await t.call('demo.card', { action: 'insert', card: 'new' }));
      await expectLedgerAndCardAgree(t, accountNo, 1);
      await t.dispose();
      t = undefined;
    }
  });
});

describe('the station dying during a top-up', () => {
  it.each(['entry-committed', 'card-written', 'read-back'] as const)('recovers after dying at %s', async (step) => {
    const faults = crashOnce();
    t = await openCardStation({ accounts: 800, faults });
    await t.login('1001');
    unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
    const first = await inspect(t);
    const accountNo = first.account?.accountNo;
    const serial = first.card?.serial;
    if (!accountNo || !serial) throw new Error('no demo account');
    const quote = unwrap(await t.call('topup.prepare', { accountNo, serial, by: { kind: 'volume', volume: gas(1200) } }));
    faults.crashAt = step;
    const died = await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount });
    expect(died.ok ? 'ok' : died.error.code).toBe('INTERNAL');

    await t.restart();
    await t.login('1001');
    // The card is still in the reader; reading it settles the unfinished top-up.
    await expectLedgerAndCardAgree(t, accountNo, 1);
    // The customer's repeated confirm finds the same entry; nothing is sold twice.
    const again = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
    expect(again.replayed).toBe(true);
    expect(again.card).toBe('on-card');
  });
});

describe('the reader unplugged during a top-up', () => {
  it('records the payment, and finishes the card when the reader is back', async () => {
    const unplug: TopupFaults & { armed: boolean } = {
      armed: false,
      async at(step) {
        if (this.armed && step === 'entry-committed') {
          this.armed = false;
          await t?.control().send({ cmd: 'unplug' });
        }
      },
    };
    t = await openCardStation({ accounts: 800, faults: unplug });
    await t.login('1001');
    unwrap(await t.call('demo.card', { action: 'insert', card: 'loaded' }));
    const first = await inspect(t);
    const accountNo = first.account?.accountNo;
    const serial = first.card?.serial;
    if (!accountNo || !serial) throw new Error('no demo account');
    const quote = unwrap(await t.call('topup.prepare', { accountNo, serial, by: { kind: 'volume', volume: gas(800) } }));
    unplug.armed = true;
    const result = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
    expect(result.card).toBe('pending');
    expect(unwrap(await t.call('reader.state', {})).connected).toBe(false);

    await t.control().send({ cmd: 'replug' });
    await expect.poll(async () => unwrap(await t?.call('reader.state', {}) ?? { ok: false, error: { code: 'INTERNAL', message: '' } }).connected, { timeout: 15_000 }).toBe(true);
    await expectLedgerAndCardAgree(t, accountNo, 1);
  });
});
