import { describe, expect, it } from 'vitest';
import { COMMAND, FrameParser, STATUS, encodeFrame, type Frame } from '../gcr1/frame.js';
import { derivePsc, parseHex } from './psc.js';
import { DEMO_CARD_KEY_HEX } from './deck.js';
import { Emulator } from './emulator.js';
import type { ReaderTiming, Scheduler } from './reader.js';

/** Timers driven by hand: `advance` runs what falls due, in time order. */
class ManualScheduler implements Scheduler {
  private t = 0;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

interface Seen {
  readonly at: number;
  readonly frame: Frame;
}

function rig(timing: Partial<ReaderTiming> = { pacing: false }) {
  const scheduler = new ManualScheduler();
  const hostParser = new FrameParser();
  const seen: Seen[] = [];
  const wire: number[] = [];
  const order: string[] = [];
  const emu = new Emulator({
    log: (line) => order.push(line),
    output: (bytes) => {
      wire.push(...bytes);
      order.push('output');
      for (const frame of hostParser.push(bytes, scheduler.now())) seen.push({ at: scheduler.now(), frame });
    },
    scheduler,
    timing,
  });
  const send = (seq: number, code: number, data: readonly number[] = []): void => emu.receive(encodeFrame({ seq, code, data }));
  /** Frames the host has received since the last call. */
  const take = (): Frame[] => seen.splice(0).map((s) => s.frame);
  const last = (): { seq: number; code: number; data: number[] } => {
    const frames = take();
    expect(frames.length).toBe(1);
    const f = frames[0];
    if (!f) throw new Error('no frame');
    return { seq: f.seq, code: f.code, data: [...f.data] };
  };
  return { emu, scheduler, send, take, last, seen, wire, order };
}

const psc = (serialHex: string): number[] => derivePsc(parseHex(DEMO_CARD_KEY_HEX), parseHex(serialHex));
const LOADED_PSC = psc('5444000000000002');

describe('GCR-1 reader: frames and exchanges', () => {
  it('answers GET_INFO and CARD_STATUS with no card, echoing the SEQ', () => {
    const r = rig();
    r.send(0x17, COMMAND.GET_INFO);
    const info = r.last();
    expect(info.seq).toBe(0x17);
    expect(info.code).toBe(STATUS.OK);
    expect(Buffer.from(info.data).toString('ascii')).toBe('GCR-1 fw1.3 SN:00012345');
    r.send(0x18, COMMAND.CARD_STATUS);
    expect(r.last()).toEqual({ seq: 0x18, code: STATUS.OK, data: [0, 0, 0] });
  });

  it('discards SEQ 0x00, never de-duplicates, answers nothing to an unparseable request', () => {
    const r = rig();
    r.send(0x00, COMMAND.GET_INFO);
    expect(r.take()).toEqual([]);
    r.send(5, COMMAND.CARD_STATUS);
    r.send(5, COMMAND.CARD_STATUS);
    expect(r.take().map((f) => f.seq)).toEqual([5, 5]);
    const bad = encodeFrame({ seq: 6, code: COMMAND.CARD_STATUS });
    bad[5] = (bad[5] ?? 0) ^ 0xff; // BCC
    r.emu.receive(bad);
    expect(r.take()).toEqual([]);
    // Garbage in front of a good frame: resync on the next STX.
    r.emu.receive(Uint8Array.of(0x02, 0x00, 0x01, 0x99, ...encodeFrame({ seq: 7, code: COMMAND.CARD_STATUS })));
    expect(r.last().seq).toBe(7);
    expect(r.emu.reader.stats.discardedSeq0).toBe(1);
  });

  it('sends insert and removal events; removal powers the card off', () => {
    const r = rig();
    r.emu.insert('loaded');
    expect(r.last()).toEqual({ seq: 0, code: 0xe0, data: [0x01] });
    r.send(1, COMMAND.POWER_ON);
    expect(r.last().data).toEqual([0xa2, 0x13, 0x10, 0x91]);
    r.send(2, COMMAND.CARD_STATUS);
    expect(r.last().data).toEqual([1, 1, 0x42]);
    r.emu.remove();
    expect(r.last()).toEqual({ seq: 0, code: 0xe0, data: [0x00] });
    r.emu.insert('loaded');
    r.take();
    r.send(3, COMMAND.CARD_STATUS);
    expect(r.last().data).toEqual([1, 0, 0x42]);
  });

  it('reads main memory, protection and security', () => {
    const r = rig();
    r.emu.insert('loaded');
    r.send(1, COMMAND.POWER_ON);
    r.send(2, COMMAND.READ_MAIN, [0x00, 0x20]);
    r.send(3, COMMAND.READ_PROTECTION);
    r.send(4, COMMAND.READ_SECURITY);
    const [, , header, protection, security] = r.take();
    expect(Buffer.from(header?.data ?? []).subarray(0, 2).toString('ascii')).toBe('GC');
    expect(Buffer.from(header?.data ?? []).subarray(8, 16).toString('hex')).toBe('5444000000000002');
    expect([...(protection?.data ?? [])]).toEqual([0, 0, 0, 0]);
    expect([...(security?.data ?? [])]).toEqual([0x07]);
  });

  it('verifies, writes, reads back, changes the PSC; WRONG_PSC carries the counter', () => {
    const r = rig();
    r.emu.insert('issued');
    r.send(1, COMMAND.POWER_ON);
    r.take();
    r.send(2, COMMAND.VERIFY_PSC, [1, 2, 3]);
    expect(r.last()).toEqual({ seq: 2, code: STATUS.WRONG_PSC, data: [0x03] });
    r.send(3, COMMAND.VERIFY_PSC, psc('5444000000000001'));
    expect(r.last().code).toBe(STATUS.OK);
    r.send(4, COMMAND.WRITE_MAIN, [0x40, 9, 8, 7]);
    expect(r.last()).toEqual({ seq: 4, code: STATUS.OK, data: [] });
    r.send(5, COMMAND.READ_MAIN, [0x40, 3]);
    expect(r.last().data).toEqual([9, 8, 7]);
    r.send(6, COMMAND.CHANGE_PSC, [4, 5, 6]);
    expect(r.last().code).toBe(STATUS.OK);
    r.send(7, COMMAND.POWER_OFF);
    r.send(8, COMMAND.POWER_ON);
    r.send(9, COMMAND.VERIFY_PSC, [4, 5, 6]);
    expect(r.take().map((f) => f.code)).toEqual([STATUS.OK, STATUS.OK, STATUS.OK]);
  });

  it('locks a card on the third wrong PSC in a row', () => {
    const r = rig();
    r.emu.insert('issued');
    r.send(1, COMMAND.POWER_ON);
    for (const seq of [2, 3, 4]) r.send(seq, COMMAND.VERIFY_PSC, [0, 0, 0]);
    r.send(5, COMMAND.VERIFY_PSC, psc('5444000000000001'));
    expect(r.take().filter((f) => f.seq !== 0).map((f) => [f.code, ...f.data])).toEqual([[0, 0xa2, 0x13, 0x10, 0x91], [0x63, 0x03], [0x63, 0x01], [0x63, 0x00], [STATUS.CARD_LOCKED]]);
  });
});

describe('GCR-1 reader: status precedence (the first row of the table wins)', () => {
  it('UNKNOWN_COMMAND before BAD_PARAMS before NO_CARD', () => {
    const r = rig();
    r.send(1, 0x7f, [1, 2, 3]);
    r.send(2, COMMAND.READ_MAIN, [0xf0, 0x20]); // addr + len > 256, no card
    r.send(3, COMMAND.READ_MAIN, [0x00, 0]); // len 0
    r.send(4, COMMAND.WRITE_MAIN, [0x00, ...new Array<number>(65).fill(0)]); // 65 bytes
    r.send(5, COMMAND.WRITE_PROTECT, [0x1f, 1, 2]); // beyond byte 31
    r.send(6, COMMAND.SET_BAUD, [0x05]);
    r.send(7, COMMAND.GET_INFO, [1]);
    r.send(8, COMMAND.READ_MAIN, [0x00, 0x10]);
    r.send(9, COMMAND.POWER_ON);
    r.send(10, COMMAND.BEEP, [0, 100]);
    expect(r.take().map((f) => f.code)).toEqual([0x03, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x01, 0x01, 0x00]);
  });

  it('UNSUPPORTED_CARD before NOT_POWERED; CARD_STATUS reports type 0xFF', () => {
    const r = rig();
    r.emu.insert('unsupported');
    r.take();
    r.send(1, COMMAND.READ_MAIN, [0, 1]);
    r.send(2, COMMAND.POWER_ON);
    r.send(3, COMMAND.CARD_STATUS);
    expect(r.take().map((f) => [f.code, ...f.data])).toEqual([[0x02], [0x02], [0x00, 1, 0, 0xff]]);
  });

  it('NOT_POWERED before CARD_LOCKED before NOT_VERIFIED', () => {
    const r = rig();
    r.emu.insert('locked');
    r.take();
    r.send(1, COMMAND.WRITE_MAIN, [0x40, 1]);
    r.send(2, COMMAND.POWER_ON);
    r.send(3, COMMAND.WRITE_MAIN, [0x40, 1]);
    r.send(4, COMMAND.VERIFY_PSC, [0, 0, 0]);
    r.send(5, COMMAND.CHANGE_PSC, [0, 0, 0]);
    r.send(6, COMMAND.READ_MAIN, [0x40, 2]); // locked cards stay readable
    expect(r.take().map((f) => f.code)).toEqual([0x05, 0x00, 0x69, 0x69, 0x69, 0x00]);
  });

  it('NOT_VERIFIED before the WRITE_PROTECT mismatch and PROTECTED; mismatch protects nothing; PROTECTED writes nothing', () => {
    const r = rig();
    r.emu.insert('blank');
    r.send(1, COMMAND.POWER_ON);
    r.send(2, COMMAND.WRITE_PROTECT, [0x00, 0x55]);
    r.send(3, COMMAND.VERIFY_PSC, [0xff, 0xff, 0xff]);
    r.send(4, COMMAND.WRITE_MAIN, [0x00, 0x47, 0x43]);
    r.send(5, COMMAND.WRITE_PROTECT, [0x00, 0x47, 0x44]); // second byte differs
    r.send(6, COMMAND.READ_PROTECTION);
    r.send(7, COMMAND.WRITE_PROTECT, [0x00, 0x47, 0x43]);
    r.send(8, COMMAND.WRITE_MAIN, [0x01, 0x43, 0x99]); // same byte at 1, then free byte 2
    r.send(9, COMMAND.WRITE_MAIN, [0x00, 0x00, 0x11, 0x22]); // would change byte 0
    r.send(10, COMMAND.READ_MAIN, [0x00, 4]);
    r.send(11, COMMAND.READ_PROTECTION);
    const frames = r.take().filter((f) => f.seq !== 0);
    expect(frames.map((f) => f.code)).toEqual([0x00, 0x66, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x67, 0x00, 0x00]);
    expect([...(frames[5]?.data ?? [])]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect([...(frames[9]?.data ?? [])]).toEqual([0x47, 0x43, 0x99, 0x00]);
    expect([...(frames[10]?.data ?? [])]).toEqual([0xfc, 0xff, 0xff, 0xff]);
  });
});

describe('GCR-1 reader: faults', () => {
  it('a pull after N bytes tears the write: first N bytes stay, WRITE_FAILED, then the removal event', () => {
    const r = rig();
    r.emu.insert('loaded');
    r.send(1, COMMAND.POWER_ON);
    r.send(2, COMMAND.VERIFY_PSC, LOADED_PSC);
    r.take();
    r.emu.pullAfter({ cmd: 'pull-after', bytes: 3 });
    r.send(3, COMMAND.WRITE_MAIN, [0x60, 1, 2, 3, 4, 5]);
    expect(r.take().map((f) => [f.seq, f.code, ...f.data])).toEqual([
      [3, STATUS.WRITE_FAILED],
      [0, 0xe0, 0x00],
    ]);
    expect(r.emu.reader.slot).toBeNull();
    expect(r.emu.card('loaded').location).toBe('out');
    const chip = r.emu.card('loaded').slot;
    if (chip.chip !== 'sle4442') throw new Error('chip');
    expect([...chip.card.peek(0x60, 6)]).toEqual([1, 2, 3, 0, 0, 0]);
  });

  it('a power glitch during a write: WRITE_FAILED, no event, card unpowered and unverified', () => {
    const r = rig();
    r.emu.insert('loaded');
    r.send(1, COMMAND.POWER_ON);
    r.send(2, COMMAND.VERIFY_PSC, LOADED_PSC);
    r.take();
    r.emu.pullAfter({ cmd: 'pull-after', bytes: 0, mode: 'power-glitch' });
    r.send(3, COMMAND.WRITE_MAIN, [0x60, 1]);
    r.send(4, COMMAND.CARD_STATUS);
    expect(r.take().map((f) => [f.code, ...f.data])).toEqual([[STATUS.WRITE_FAILED], [0, 1, 0, 0x42]]);
  });

  it('garbled responses fail the host BCC; dropped responses are not sent but the command ran', async () => {
    const r = rig();
    await r.emu.handle({ cmd: 'garble' });
    r.send(1, COMMAND.CARD_STATUS);
    expect(r.take()).toEqual([]);
    r.emu.insert('blank');
    r.take();
    await r.emu.handle({ cmd: 'drop', responses: 1 });
    r.send(2, COMMAND.POWER_ON);
    expect(r.take()).toEqual([]);
    r.send(3, COMMAND.CARD_STATUS);
    expect(r.last().data).toEqual([1, 1, 0x42]);
    await r.emu.handle({ cmd: 'drop', bytes: 2, offset: 3 });
    r.send(4, COMMAND.GET_INFO);
    expect(r.take()).toEqual([]);
  });
});

describe('GCR-1 reader: timing (paced, manual clock)', () => {
  it('answers turnaround ms after the ETX, paced at 9600; a request while busy is discarded', () => {
    const r = rig({ pacing: true, turnaroundMs: 15 });
    // Two requests back to back: the second arrives while the first is being handled.
    r.emu.receive(Uint8Array.of(...encodeFrame({ seq: 1, code: COMMAND.GET_INFO }), ...encodeFrame({ seq: 2, code: COMMAND.CARD_STATUS })));
    r.scheduler.advance(14);
    expect(r.wire).toEqual([]);
    r.scheduler.advance(1);
    expect(r.wire[0]).toBe(0x02);
    // 30 bytes at 9600 baud (1.04 ms each) take about 31 ms.
    r.scheduler.advance(25);
    expect(r.seen).toEqual([]);
    r.scheduler.advance(10);
    expect(r.take().map((f) => f.seq)).toEqual([1]);
    expect(r.emu.reader.stats.discardedBusy).toBe(1);
  });

  it('adds the card time: 5 ms per byte written, 50 ms for VERIFY_PSC', () => {
    const r = rig({ pacing: true, turnaroundMs: 10 });
    r.emu.insert('loaded');
    r.scheduler.advance(20);
    r.send(1, COMMAND.POWER_ON);
    r.scheduler.advance(40);
    r.take();
    const start = r.scheduler.now();
    r.send(2, COMMAND.VERIFY_PSC, LOADED_PSC);
    r.scheduler.advance(100);
    expect((r.seen[0]?.at ?? 0) - start).toBeGreaterThanOrEqual(60);
    r.take();
    r.wire.length = 0;
    const writeStart = r.scheduler.now();
    r.send(3, COMMAND.WRITE_MAIN, [0x60, 1, 2, 3, 4]);
    r.scheduler.advance(29);
    expect(r.wire).toEqual([]);
    r.scheduler.advance(1);
    expect(r.wire[0]).toBe(0x02);
    expect(r.scheduler.now() - writeStart).toBe(30);
  });

  it('a card removed in the middle of a paced write tears it', () => {
    const r = rig({ pacing: true, turnaroundMs: 10 });
    r.emu.insert('loaded');
    r.send(1, COMMAND.POWER_ON);
    r.scheduler.advance(50);
    r.send(2, COMMAND.VERIFY_PSC, LOADED_PSC);
    r.scheduler.advance(100);
    r.take();
    r.send(3, COMMAND.WRITE_MAIN, [0x60, 1, 2, 3, 4, 5, 6, 7, 8]);
    r.scheduler.advance(12); // bytes at 0, 5, 10 ms written
    r.emu.remove();
    r.scheduler.advance(100);
    expect(r.take().map((f) => [f.seq, f.code, ...f.data])).toEqual([
      [0, 0xe0, 0],
      [3, STATUS.WRITE_FAILED],
    ]);
    const chip = r.emu.card('loaded').slot;
    if (chip.chip !== 'sle4442') throw new Error('chip');
    expect([...chip.card.peek(0x60, 4)]).toEqual([1, 2, 3, 0]);
  });

  it('drops a partial frame after more than 100 ms between two of its bytes', () => {
    const r = rig({ pacing: true, turnaroundMs: 10 });
    const frame = encodeFrame({ seq: 1, code: COMMAND.CARD_STATUS });
    r.emu.receive(frame.subarray(0, 3));
    r.scheduler.advance(101);
    r.emu.receive(frame.subarray(3));
    r.scheduler.advance(100);
    expect(r.take()).toEqual([]);
    r.emu.receive(frame.subarray(0, 3));
    r.scheduler.advance(100);
    r.emu.receive(frame.subarray(3));
    r.scheduler.advance(100);
    expect(r.take().map((f) => f.seq)).toEqual([1]);
  });

  it('SET_BAUD answers at the old rate and switches after; a power loss loses the answer and goes back to 9600', () => {
    const r = rig({ pacing: true, turnaroundMs: 10 });
    r.send(1, COMMAND.SET_BAUD, [0x04]);
    r.scheduler.advance(5);
    expect(r.emu.reader.baud).toBe(9600);
    r.scheduler.advance(30);
    expect(r.take().map((f) => f.code)).toEqual([0]);
    expect(r.emu.reader.baud).toBe(115200);
    r.send(2, COMMAND.GET_INFO);
    r.scheduler.advance(5);
    r.emu.reader.powerLoss(50);
    expect(r.emu.reader.baud).toBe(9600);
    r.scheduler.advance(20);
    r.send(3, COMMAND.GET_INFO); // while off: lost
    r.scheduler.advance(100);
    expect(r.take()).toEqual([]);
    r.send(4, COMMAND.GET_INFO);
    r.scheduler.advance(100);
    expect(r.take().map((f) => f.seq)).toEqual([4]);
  });

  it('counts bytes each way, card time, turnaround and requests by command', () => {
    const r = rig({ pacing: true, turnaroundMs: 10 });
    r.emu.insert('loaded'); // an 8-byte event
    r.send(1, COMMAND.POWER_ON); // 7 bytes in, 11 out
    r.scheduler.advance(50);
    r.send(2, COMMAND.READ_MAIN, [0, 32]); // 9 in, 39 out
    r.scheduler.advance(100);
    r.send(3, COMMAND.VERIFY_PSC, LOADED_PSC); // 10 in, 7 out, 50 ms of card time
    r.scheduler.advance(100);
    r.send(4, COMMAND.WRITE_MAIN, [0x60, 1, 2, 3, 4]); // 12 in, 7 out, 4 x 5 ms of card time
    r.scheduler.advance(100);
    expect(r.take().map((f) => f.seq)).toEqual([0, 1, 2, 3, 4]);
    const stats = r.emu.state().stats;
    expect(stats).toMatchObject({ requests: 4, responses: 4, events: 1, bytesReceived: 38, responseBytes: 64, eventBytes: 8, cardMs: 70, turnaroundMs: 40 });
    // Busy: turnaround and card time, plus each response's pacing at 9600 until its last byte is
    // handed to the line (n - 1 byte times for an n-byte frame: 60 of the 64 bytes).
    expect(stats.busyMs).toBeCloseTo(40 + 70 + 60 * (10_000 / 9600), 6);
    expect(stats.commands).toEqual({ POWER_ON: 1, READ_MAIN: 1, VERIFY_PSC: 1, WRITE_MAIN: 1 });
    expect(r.wire.length).toBe(stats.responseBytes + stats.eventBytes);
    // state() hands out a copy: later requests do not change a snapshot taken before them.
    r.send(5, COMMAND.READ_SECURITY);
    r.scheduler.advance(50);
    expect(stats.commands).toEqual({ POWER_ON: 1, READ_MAIN: 1, VERIFY_PSC: 1, WRITE_MAIN: 1 });
    expect(r.emu.state().stats.commands['READ_SECURITY']).toBe(1);
  });

  it('charges no card time or turnaround with pacing off, and only the bytes written of a torn write', () => {
    const off = rig();
    off.emu.insert('loaded');
    off.send(1, COMMAND.POWER_ON);
    off.send(2, COMMAND.VERIFY_PSC, LOADED_PSC);
    off.send(3, COMMAND.WRITE_MAIN, [0x60, 1, 2]);
    off.send(4, 0x7f); // unknown command: answered UNKNOWN_COMMAND
    expect(off.emu.reader.stats).toMatchObject({ requests: 4, bytesReceived: 7 + 10 + 10 + 7, cardMs: 0, turnaroundMs: 0 });
    expect(off.emu.reader.stats.commands['UNKNOWN']).toBe(1);

    const torn = rig({ pacing: true, turnaroundMs: 10 });
    torn.emu.insert('loaded');
    torn.send(1, COMMAND.POWER_ON);
    torn.scheduler.advance(50);
    torn.send(2, COMMAND.VERIFY_PSC, LOADED_PSC);
    torn.scheduler.advance(100);
    torn.send(3, COMMAND.WRITE_MAIN, [0x60, 1, 2, 3, 4, 5, 6, 7, 8]);
    torn.scheduler.advance(12); // bytes at 0, 5, 10 ms written
    torn.emu.remove();
    torn.scheduler.advance(100);
    expect(torn.emu.reader.stats).toMatchObject({ cardMs: 50 + 3 * 5, turnaroundMs: 30 });
  });

  it('with request pacing, takes the host\'s bytes at the baud before it starts its turnaround', async () => {
    const r = rig({ pacing: true, turnaroundMs: 15 });
    await r.emu.handle({ cmd: 'set-pacing', on: true, requests: true });
    expect(r.emu.reader.timing.requestPacing).toBe(true);
    // 7 bytes at 9600 arrive over 7.3 ms: the STX leaves 15 ms after that.
    r.send(1, COMMAND.GET_INFO);
    r.scheduler.advance(22);
    expect(r.wire).toEqual([]);
    expect(r.emu.reader.stats.bytesReceived).toBe(7);
    r.scheduler.advance(1);
    expect(r.wire[0]).toBe(0x02);
    r.scheduler.advance(100);
    r.take();
    // Two chunks back to back queue on the line: the second request's ETX is at 2 x 7.3 ms.
    r.wire.length = 0;
    const frame = encodeFrame({ seq: 2, code: COMMAND.CARD_STATUS });
    r.emu.receive(frame.subarray(0, 3));
    r.emu.receive(frame.subarray(3));
    r.scheduler.advance(22);
    expect(r.wire).toEqual([]);
    r.scheduler.advance(1);
    expect(r.wire[0]).toBe(0x02);
    r.scheduler.advance(50);
    expect(r.last().seq).toBe(2);
    // Off again: answered at once after the turnaround.
    await r.emu.handle({ cmd: 'set-pacing', on: true, requests: false });
    r.wire.length = 0;
    r.send(3, COMMAND.CARD_STATUS);
    r.scheduler.advance(15);
    expect(r.wire[0]).toBe(0x02);
  });

  it('keeps to its schedule when timers fire late: the lateness of one timer, not of every step', () => {
    const scheduler = new ManualScheduler();
    // Every timer fires 1 ms late, as Node's do give or take.
    const late: Scheduler = { now: () => scheduler.now(), setTimeout: (fn, ms) => scheduler.setTimeout(fn, ms + 1) };
    const wire: { at: number; byte: number }[] = [];
    const emu = new Emulator({ output: (bytes) => wire.push(...[...bytes].map((byte) => ({ at: scheduler.now(), byte }))), scheduler: late, timing: { pacing: true, turnaroundMs: 15 } });
    emu.insert('loaded');
    emu.receive(encodeFrame({ seq: 1, code: COMMAND.POWER_ON }));
    scheduler.advance(100);
    emu.receive(encodeFrame({ seq: 2, code: COMMAND.VERIFY_PSC, data: LOADED_PSC }));
    scheduler.advance(200);
    wire.length = 0;
    const start = scheduler.now();
    emu.receive(encodeFrame({ seq: 3, code: COMMAND.WRITE_MAIN, data: [0x60, 1, 2, 3, 4, 5, 6, 7, 8] }));
    scheduler.advance(200);
    // 8 bytes x 5 ms, then 15 ms: due at 55 ms; nine late timers would have made it 64.
    expect((wire[0]?.at ?? 0) - start).toBe(56);
    // The 7-byte response still spans its 6 byte times at 9600 from when it was due.
    expect((wire[6]?.at ?? 0) - start).toBeLessThanOrEqual(55 + 6 * (10_000 / 9600) + 1);
    expect(emu.reader.stats.cardMs).toBe(50 + 40);
  });

  it('BEEP answers before it sounds', () => {
    const r = rig({ pacing: true, turnaroundMs: 10 });
    r.send(1, COMMAND.BEEP, [0x01, 0xf4]);
    r.scheduler.advance(50);
    expect(r.last().code).toBe(0);
    const beep = r.order.indexOf('beep 500 ms');
    expect(beep).toBeGreaterThan(r.order.indexOf('output'));
    // Not busy while it sounds: the next request is answered.
    r.send(2, COMMAND.CARD_STATUS);
    r.scheduler.advance(50);
    expect(r.last().seq).toBe(2);
  });
});
