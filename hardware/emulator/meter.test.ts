import { describe, expect, it } from 'vitest';
import { DEFAULT_DECK, DEMO_CARD_KEY_HEX, OUR_UTILITY_CODE, ledgerDigest, type DemoCardSpec } from './deck.js';
import { ControlError, Emulator } from './emulator.js';
import {
  ACCOUNT_ADDR,
  RETURN_ADDR,
  BLOCK_BYTES,
  SLOT_A_ADDR,
  decodeReturnBlock,
  encodeAccount,
  encodeHeader,
  encodeSlot,
  layoutTime,
  type PurchaseRecord,
  type ReturnState,
} from './layout.js';
import { derivePsc, parseHex } from './psc.js';
import { BLANK_PSC, type Sle4442Card } from './sle4442.js';

function world(deck: readonly DemoCardSpec[] = DEFAULT_DECK): Emulator {
  return new Emulator({ output: () => undefined, deck, timing: { pacing: false }, clock: () => Date.UTC(2026, 2, 1) });
}

function chip(emu: Emulator, name: string): Sle4442Card {
  const slot = emu.card(name).slot;
  if (slot.chip !== 'sle4442') throw new Error(`${name} is not an SLE4442`);
  return slot.card;
}

function returnBlock(emu: Emulator, name: string): ReturnState {
  return decodeReturnBlock(chip(emu, name).peek(RETURN_ADDR, BLOCK_BYTES));
}

const record = (seq: number, volume: number, amount: number, ledgerId: string) => ({
  seq,
  volume,
  amount,
  yearToDate: 5000,
  tariffYear: 2026,
  time: '2026-02-01T10:00:00+08:00',
  ledgerId,
});

describe('prepaid meter', () => {
  it('loads a newer record: block first (as it stands after loading), then the gas; nothing new the second time', () => {
    const emu = world();
    emu.insert('unloaded');
    const first = emu.useInMeter('unloaded');
    expect(emu.reader.slot).toBeNull();
    expect(first.outcome).toEqual({ kind: 'serviced', adoptedGeneration: null, current: 'record', loaded: { seq: 2, volume: 3000, cancel: false }, returnBlock: 'written' });
    expect(first.meter.remaining).toBe(3800);
    const block = returnBlock(emu, 'unloaded');
    if (block.kind !== 'valid') throw new Error('block not valid');
    expect(block.block.lastSeq).toBe(2);
    expect(block.block.remaining).toBe(3800);
    expect(block.block.generation).toBe(0);
    expect(Buffer.from(block.block.lastDigest).toString('hex')).toBe(first.meter.lastDigestHex);
    const second = emu.useInMeter('unloaded', true);
    expect(second.outcome).toMatchObject({ kind: 'serviced', loaded: null, returnBlock: 'written' });
    expect(second.meter.remaining).toBe(3800);
    expect(second.location).toBe('reader');
  });

  it('a cancel record is remembered but adds no gas', () => {
    const emu = world([
      {
        kind: 'issued',
        name: 'cancelled',
        accountNo: '1100100009',
        meterNo: '240000000009',
        serialHex: '5444000000000009',
        generation: 0,
        slotA: record(1, 2000, 5960, 'ledger:a:1'),
        slotB: record(2, 0, 0, 'ledger:a:2-reversal'),
        returnBlock: 'meter',
        meter: { remaining: 700, measured: 1300, lastSeq: 1, lastLedgerId: 'ledger:a:1' },
      },
    ]);
    const result = emu.useInMeter('cancelled');
    expect(result.outcome).toMatchObject({ kind: 'serviced', loaded: { seq: 2, volume: 0, cancel: true } });
    expect(result.meter.remaining).toBe(700);
    expect(result.meter.lastSeq).toBe(2);
  });

  it('an older generation gets only the return block (naming the accepted generation) and loads nothing', () => {
    const emu = world();
    const before = chip(emu, 'stale').peek(0, 0x80);
    const result = emu.useInMeter('stale');
    expect(result.outcome).toEqual({ kind: 'stale-card', cardGeneration: 0, acceptedGeneration: 1, returnBlock: 'written' });
    expect(result.meter.remaining).toBe(2500);
    expect([...chip(emu, 'stale').peek(0, 0x80)]).toEqual([...before]);
    const block = returnBlock(emu, 'stale');
    expect(block.kind === 'valid' && block.block.generation).toBe(1);
  });

  it('adopts a higher generation and loads a carried record it never loaded', () => {
    const emu = world([
      {
        kind: 'issued',
        name: 'new-card',
        accountNo: '1100100010',
        meterNo: '240000000010',
        serialHex: '5444000000000010',
        generation: 2,
        slotA: record(4, 1500, 4470, 'ledger:b:4'),
        meter: { acceptedGeneration: 1, remaining: 10, measured: 9990, lastSeq: 3, lastLedgerId: 'ledger:b:3' },
      },
    ]);
    const result = emu.useInMeter('new-card');
    expect(result.outcome).toMatchObject({ kind: 'serviced', adoptedGeneration: 2, loaded: { seq: 4, volume: 1500 } });
    expect(result.meter.acceptedGeneration).toBe(2);
    expect(result.meter.remaining).toBe(1510);
  });

  it('a card pulled during the return-block write leaves it torn and adds no gas; the next insertion loads', async () => {
    const emu = world();
    await emu.handle({ cmd: 'pull-after', card: 'unloaded', bytes: 10 });
    const torn = emu.useInMeter('unloaded');
    expect(torn.outcome).toMatchObject({ kind: 'serviced', loaded: null, returnBlock: 'torn' });
    expect(torn.meter.remaining).toBe(800);
    expect(torn.meter.lastSeq).toBe(1);
    expect(returnBlock(emu, 'unloaded').kind).toBe('torn');
    const again = emu.useInMeter('unloaded');
    expect(again.outcome).toMatchObject({ loaded: { seq: 2, volume: 3000 }, returnBlock: 'written' });
    expect(again.meter.remaining).toBe(3800);
  });

  it('leaves untouched a blank card, another meter\'s card and a locked card; never spends the last attempt', () => {
    const emu = world();
    const meter = emu.card('loaded').meter;
    if (!meter) throw new Error('no meter');
    const issued = chip(emu, 'issued');
    const before = issued.peek(0, 256);
    expect(meter.insert(issued)).toEqual({ kind: 'untouched', reason: 'other-meter' });
    expect([...issued.peek(0, 256)]).toEqual([...before]);
    expect(meter.insert(chip(emu, 'blank'))).toEqual({ kind: 'untouched', reason: 'bad-header' });
    expect(emu.useInMeter('locked').outcome).toEqual({ kind: 'untouched', reason: 'card-locked' });
    expect(emu.useInMeter('one-attempt').outcome).toEqual({ kind: 'untouched', reason: 'too-few-attempts' });
    expect(chip(emu, 'one-attempt').securityCounter).toBe(0x01);
    expect(emu.useInMeter('damaged').outcome).toMatchObject({ kind: 'serviced', current: 'damaged', loaded: null, returnBlock: 'written' });
  });

  it('derives the spec test-vector PSC', async () => {
    const { derivePsc, parseHex } = await import('./psc.js');
    expect(derivePsc(parseHex('00112233445566778899aabbccddeeff'), parseHex('0102030405060708'))).toEqual([0x77, 0xe3, 0x13]);
  });
});

/** What a station does to the blank card at 发卡/补卡 (reduced: no protection, no read-back). */
function issueOnto(card: Sle4442Card, issue: { accountNo: string; meterNo: string; serialHex: string; generation: number; slotA?: PurchaseRecord }): void {
  const serial = parseHex(issue.serialHex, 'serial');
  const bytes = new Uint8Array(0x60);
  bytes.set(encodeHeader({ utilityCode: OUR_UTILITY_CODE, serial }), 0);
  bytes.set(encodeAccount({ accountNo: issue.accountNo, meterNo: issue.meterNo, tariffCode: 1, issueTime: layoutTime(Date.UTC(2026, 1, 1)), generation: issue.generation }), ACCOUNT_ADDR);
  if (issue.slotA) bytes.set(encodeSlot(issue.slotA), SLOT_A_ADDR);
  card.powerOn();
  expect(card.verify(BLANK_PSC).ok).toBe(true);
  bytes.forEach((b, i) => card.writeByte(i, b));
  derivePsc(parseHex(DEMO_CARD_KEY_HEX, 'key'), serial).forEach((b, i) => card.writePscByte(i, b));
  card.powerOff();
}

const carried = (seq: number, volume: number, ledgerId: string): PurchaseRecord => ({
  seq,
  volume,
  amount: Math.round((volume * 298) / 100),
  yearToDate: 9000,
  tariffYear: 2026,
  terminalId: 1,
  time: layoutTime(Date.UTC(2026, 1, 1)),
  digest: ledgerDigest(ledgerId),
});

describe('a card with no meter of its own goes to the meter its account block names', () => {
  it('still refuses the blank card while it is blank', () => {
    const emu = world();
    expect(() => emu.useInMeter('blank')).toThrow(ControlError);
    expect(emu.detail('blank').meter).toBeNull();
  });

  it('a replacement card on the blank card finds the deck meter by number: adopts the generation, loads the carried record once', async () => {
    const emu = world();
    // The 'unloaded' account's meter: last loaded seq 1, 800 left; the lost card held seq 2 unloaded.
    const shared = emu.card('unloaded').meter;
    if (!shared) throw new Error('no meter');
    issueOnto(chip(emu, 'blank'), { accountNo: '1100100003', meterNo: '240000000003', serialHex: '5444000000000103', generation: 1, slotA: carried(2, 3000, 'ledger:demo:1100100003:2') });
    expect(emu.detail('blank')).toMatchObject({ meterNo: '240000000003', meter: { remaining: 800, acceptedGeneration: 0 } });

    emu.insert('blank');
    const first = emu.useInMeter('blank', true);
    expect(first.outcome).toEqual({ kind: 'serviced', adoptedGeneration: 1, current: 'record', loaded: { seq: 2, volume: 3000, cancel: false }, returnBlock: 'written' });
    expect(first.meter).toMatchObject({ meterNo: '240000000003', acceptedGeneration: 1, remaining: 3800, lastSeq: 2 });
    expect(first.location).toBe('reader');
    // The same meter object as the deck's card for that number: the old card is now stale.
    expect(shared.snapshot().remaining).toBe(3800);
    expect(emu.useInMeter('unloaded').outcome).toMatchObject({ kind: 'stale-card', cardGeneration: 0, acceptedGeneration: 1 });
    const block = returnBlock(emu, 'blank');
    expect(block.kind === 'valid' && block.block).toMatchObject({ generation: 1, lastSeq: 2, remaining: 3800 });

    const again = emu.useInMeter('blank');
    expect(again.outcome).toMatchObject({ kind: 'serviced', adoptedGeneration: null, loaded: null });
    expect(again.meter.remaining).toBe(3800);
    const consumed = (await emu.handle({ cmd: 'consume', card: 'blank', volume: 100 })) as { meter: { remaining: number } };
    expect(consumed.meter.remaining).toBe(3700);
    expect(emu.card('unloaded').meter?.snapshot().remaining).toBe(3700);
  });

  it('掉气补气 capped: a carried record the meter already loaded adds nothing', () => {
    const emu = world();
    // The 'loaded' account: the meter loaded seq 1 already.
    issueOnto(chip(emu, 'blank'), { accountNo: '1100100002', meterNo: '240000000002', serialHex: '5444000000000102', generation: 1, slotA: carried(1, 5000, 'ledger:demo:1100100002:1') });
    const result = emu.useInMeter('blank');
    expect(result.outcome).toEqual({ kind: 'serviced', adoptedGeneration: 1, current: 'record', loaded: null, returnBlock: 'written' });
    expect(result.meter).toMatchObject({ acceptedGeneration: 1, remaining: 1234, lastSeq: 1 });
  });

  it('a number the deck has no meter for gets a fresh empty meter (generation 0, nothing loaded), kept for later', () => {
    const emu = world();
    expect(emu.deck.findMeter('980012345678')).toBeNull();
    issueOnto(chip(emu, 'blank'), { accountNo: '3499000001', meterNo: '980012345678', serialHex: '5444000000000201', generation: 0 });
    expect(emu.detail('blank').meter).toBeNull();
    const empty = emu.useInMeter('blank');
    expect(empty.outcome).toEqual({ kind: 'serviced', adoptedGeneration: null, current: 'none', loaded: null, returnBlock: 'written' });
    expect(empty.meter).toMatchObject({ meterNo: '980012345678', utilityCode: OUR_UTILITY_CODE, acceptedGeneration: 0, remaining: 0, measured: 0, lastSeq: 0, lastDigestHex: '00000000', status: 0 });
    expect(emu.deck.findMeter('980012345678')).not.toBeNull();
    expect(emu.deck.meters.get('980012345678')?.snapshot().remaining).toBe(0);
    expect(emu.state().cards.find((c) => c.name === 'blank')?.meterNo).toBe('980012345678');

    // A purchase written later loads into that same meter.
    const memory = chip(emu, 'blank');
    memory.powerOn();
    memory.verify(derivePsc(parseHex(DEMO_CARD_KEY_HEX, 'key'), parseHex('5444000000000201', 'serial')));
    encodeSlot(carried(1, 1000, 'ledger:new:1')).forEach((b, i) => memory.writeByte(SLOT_A_ADDR + i, b));
    memory.powerOff();
    const loaded = emu.useInMeter('blank');
    expect(loaded.outcome).toMatchObject({ kind: 'serviced', loaded: { seq: 1, volume: 1000 } });
    expect(loaded.meter.remaining).toBe(1000);
  });
});
