import { describe, expect, it } from 'vitest';
import { DEFAULT_DECK, type DemoCardSpec } from './deck.js';
import { Emulator } from './emulator.js';
import { RETURN_ADDR, BLOCK_BYTES, decodeReturnBlock, type ReturnState } from './layout.js';
import type { Sle4442Card } from './sle4442.js';

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
