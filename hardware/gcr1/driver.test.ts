import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialPortMock } from 'serialport';
import type { ReaderEvent } from '../../core/reader/port.js';
import {
  BAUD_RATES,
  CARD_EVENT,
  COMMAND,
  EVENT_CODE,
  FrameParser,
  STATUS,
  baudFromCode,
  commandName,
  encodeFrame,
  type BaudRate,
  type Frame,
} from './frame.js';
import { Gcr1Reader, differingRuns, writeBridge, type SerialLike } from './driver.js';

const PATH = '/dev/ttyGCR';
const PSC = new Uint8Array([0x12, 0x34, 0x56]);
const OTHER_PSC = new Uint8Array([0x65, 0x43, 0x21]);

// @serialport/binding-mock's types do not resolve under "Bundler" resolution (its
// package.json exports point at an untyped .mjs), so the parts used here are typed here.
type MockPortBinding = {
  isOpen: boolean;
  port: { openOpt?: { baudRate?: number } };
  write(buffer: Buffer): Promise<void>;
  emitData(data: Buffer): void;
};
type MockBindingApi = {
  reset(): void;
  createPort(path: string, options?: { echo?: boolean; record?: boolean }): void;
};

type Card = {
  memory: Uint8Array;
  psc: Uint8Array;
  counter: number;
  /** bit i%8 of byte i/8 is 0 when byte i is protected */
  protection: Uint8Array;
};

function makeCard(serialByte: number): Card {
  const memory = new Uint8Array(256);
  memory.set([0x47, 0x43, 0x01, 0x01, 0, 0, 0, 7], 0);
  for (let i = 0; i < 8; i++) memory[8 + i] = serialByte + i;
  return { memory, psc: PSC.slice(), counter: 0x07, protection: new Uint8Array([0xff, 0xff, 0xff, 0xff]) };
}

/** What the fake does with one request. */
type Plan = {
  /** Carry the request out (default true). */
  execute?: boolean;
  /** Send the response (default true). */
  respond?: boolean;
  /** Frames sent before the response (events, stale answers). */
  before?: Uint8Array[];
  /** Execute only the first n data bytes of a WRITE_MAIN (a card pulled mid-write). */
  partialWrite?: number;
};

/**
 * A scriptable GCR-1 on a MockBinding port: it parses the driver's frames, keeps a card
 * and answers per the protocol, unless `plan` says otherwise.
 */
class FakeReader {
  binding: MockPortBinding | undefined;
  readonly parser = new FrameParser();
  readonly log: Frame[] = [];
  baud: BaudRate = 9600;
  card: Card | undefined = makeCard(0xa0);
  powered = false;
  verified = false;
  /** A SET_BAUD is acknowledged but the reader switches to this rate instead (a broken reader). */
  switchTo: BaudRate | undefined;
  plan: (req: Frame, n: number) => Plan = () => ({});
  private count = 0;

  attach(port: SerialPortMock): void {
    port.on('open', () => {
      const binding = port.port as unknown as MockPortBinding | undefined;
      if (!binding) return;
      this.binding = binding;
      const write = binding.write.bind(binding);
      binding.write = async (buffer: Buffer): Promise<void> => {
        await write(buffer);
        // Bytes at the wrong rate are noise to the reader.
        if (this.lineBaud() !== this.baud) return;
        for (const f of this.parser.push(buffer, performance.now())) this.onRequest(f);
      };
    });
  }

  lineBaud(): number {
    return this.binding?.port.openOpt?.baudRate ?? 0;
  }

  send(bytes: Uint8Array): void {
    if (this.binding?.isOpen && this.lineBaud() === this.baud) this.binding.emitData(Buffer.from(bytes));
  }

  event(inserted: boolean): void {
    this.send(encodeFrame({ seq: 0, code: EVENT_CODE, data: new Uint8Array([inserted ? CARD_EVENT.INSERTED : CARD_EVENT.REMOVED]) }));
  }

  swapCard(card: Card | undefined): void {
    this.card = card;
    this.powered = false;
    this.verified = false;
  }

  count_(code: number): number {
    return this.log.filter((f) => f.code === code).length;
  }

  names(): string[] {
    return this.log.map((f) => commandName(f.code) ?? '?');
  }

  private onRequest(req: Frame): void {
    if (req.seq === 0) return;
    this.log.push(req);
    const plan = this.plan(req, this.count++);
    const execute = plan.execute ?? true;
    const result = execute ? this.execute(req, plan.partialWrite) : { status: STATUS.OK, data: new Uint8Array() };
    setTimeout(() => {
      for (const b of plan.before ?? []) this.send(b);
      if (plan.respond ?? true) this.send(encodeFrame({ seq: req.seq, code: result.status, data: result.data }));
      if (execute && req.code === COMMAND.SET_BAUD && result.status === STATUS.OK) {
        this.baud = this.switchTo ?? baudFromCode(req.data[0] ?? 0) ?? this.baud;
      }
    }, 2);
  }

  private execute(req: Frame, partialWrite: number | undefined): { status: number; data: Uint8Array } {
    const none = new Uint8Array();
    const r = (status: number, data: Uint8Array = none): { status: number; data: Uint8Array } => ({ status, data });
    const d = req.data;
    switch (req.code) {
      case COMMAND.GET_INFO:
        return r(STATUS.OK, new TextEncoder().encode('GCR-1 fw1.3 SN:00012345'));
      case COMMAND.SET_BAUD:
        return baudFromCode(d[0] ?? 0) ? r(STATUS.OK) : r(STATUS.BAD_PARAMS);
      case COMMAND.BEEP:
        return r(STATUS.OK);
      case COMMAND.CARD_STATUS:
        return r(STATUS.OK, new Uint8Array(this.card ? [1, this.powered ? 1 : 0, 0x42] : [0, 0, 0]));
      default:
        break;
    }
    const card = this.card;
    if (!card) return r(STATUS.NO_CARD);
    if (req.code === COMMAND.POWER_ON) {
      this.powered = true;
      this.verified = false;
      return r(STATUS.OK, new Uint8Array([0xa2, 0x13, 0x10, 0x91]));
    }
    if (req.code === COMMAND.POWER_OFF) {
      this.powered = false;
      this.verified = false;
      return r(STATUS.OK);
    }
    if (!this.powered) return r(STATUS.NOT_POWERED);
    switch (req.code) {
      case COMMAND.READ_MAIN: {
        const addr = d[0] ?? 0;
        const len = d[1] ?? 0;
        return r(STATUS.OK, card.memory.slice(addr, addr + len));
      }
      case COMMAND.READ_PROTECTION:
        return r(STATUS.OK, card.protection.slice());
      case COMMAND.READ_SECURITY:
        return r(STATUS.OK, new Uint8Array([card.counter]));
      case COMMAND.VERIFY_PSC:
        if (card.counter === 0) return r(STATUS.CARD_LOCKED);
        if (d.every((b, i) => b === card.psc[i])) {
          card.counter = 0x07;
          this.verified = true;
          return r(STATUS.OK);
        }
        card.counter >>= 1;
        return r(STATUS.WRONG_PSC, new Uint8Array([card.counter]));
      case COMMAND.WRITE_MAIN: {
        if (card.counter === 0) return r(STATUS.CARD_LOCKED);
        if (!this.verified) return r(STATUS.NOT_VERIFIED);
        const addr = d[0] ?? 0;
        const bytes = d.subarray(1, partialWrite === undefined ? undefined : 1 + partialWrite);
        card.memory.set(bytes, addr);
        if (partialWrite !== undefined) {
          this.powered = false;
          this.verified = false;
          return r(STATUS.WRITE_FAILED);
        }
        return r(STATUS.OK);
      }
      case COMMAND.WRITE_PROTECT: {
        if (!this.verified) return r(STATUS.NOT_VERIFIED);
        const addr = d[0] ?? 0;
        for (let i = 1; i < d.length; i++) {
          if (card.memory[addr + i - 1] !== d[i]) return r(STATUS.BAD_PARAMS);
        }
        for (let i = 1; i < d.length; i++) {
          const at = addr + i - 1;
          card.protection[at >> 3] = (card.protection[at >> 3] ?? 0) & ~(1 << (at & 7));
        }
        return r(STATUS.OK);
      }
      case COMMAND.CHANGE_PSC:
        if (!this.verified) return r(STATUS.NOT_VERIFIED);
        card.psc = d.slice();
        return r(STATUS.OK);
      default:
        return r(STATUS.UNKNOWN_COMMAND);
    }
  }
}

let fake: FakeReader;
let reader: Gcr1Reader;
let events: ReaderEvent[];
let listed: boolean;

function makeReader(baudRate: BaudRate = 9600): Gcr1Reader {
  const r = new Gcr1Reader({
    path: PATH,
    baudRate,
    createPort: (path, baud): SerialLike => {
      const port = new SerialPortMock({ path, baudRate: baud, autoOpen: false });
      fake.attach(port);
      return port;
    },
    listPorts: () => Promise.resolve(listed ? [{ path: PATH }] : []),
    reconnectInitialMs: 20,
    reconnectMaxMs: 80,
  });
  r.onEvent((e) => events.push(e));
  return r;
}

beforeEach(() => {
  // serialport's own (CommonJS) MockBinding: the ESM build of @serialport/binding-mock is
  // a separate instance with its own registry of ports.
  const MockBinding = SerialPortMock.binding as unknown as MockBindingApi;
  MockBinding.reset();
  MockBinding.createPort(PATH, { echo: false, record: true });
  fake = new FakeReader();
  events = [];
  listed = true;
});

afterEach(async () => {
  await reader.close();
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

async function openReader(baudRate: BaudRate = 9600): Promise<void> {
  reader = makeReader(baudRate);
  const r = await reader.open();
  expect(r.ok, JSON.stringify(r)).toBe(true);
}

async function openVerifiedSession(): Promise<NonNullable<Gcr1Reader['session']>> {
  const s = await reader.openCard();
  if (!s.ok) throw new Error(s.error.message);
  const v = await s.value.verifyPsc(PSC);
  expect(v.ok).toBe(true);
  return s.value;
}

describe('Gcr1Reader: opening', () => {
  it('probes at 9600, asks CARD_STATUS and reports a card already in the slot', async () => {
    await openReader();
    expect(fake.names()).toEqual(['GET_INFO', 'CARD_STATUS']);
    expect(events.map((e) => e.type)).toEqual(['card-inserted', 'reader-connected']);
    const info = await reader.info();
    expect(info.ok && info.value.model).toBe('GCR-1');
  });
});

describe('Gcr1Reader: exchanges', () => {
  it('numbers requests 0x01..0xFF and wraps to 0x01, never 0x00', async () => {
    await openReader();
    for (let i = 0; i < 260; i++) expect((await reader.cardStatus()).ok).toBe(true);
    const seqs = fake.log.map((f) => f.seq);
    expect(seqs).not.toContain(0);
    const at = seqs.indexOf(0xff);
    expect(at).toBeGreaterThan(0);
    expect(seqs[at + 1]).toBe(0x01);
    seqs.forEach((s, i) => {
      if (i > 0) expect(s).toBe(((seqs[i - 1] ?? 0) % 255) + 1);
    });
  });

  it('discards a stale response and takes the one with its own SEQ', async () => {
    await openReader();
    const session = await reader.openCard();
    expect(session.ok).toBe(true);
    fake.plan = (req) =>
      req.code === COMMAND.READ_MAIN && req.data[0] === 0x40
        ? { before: [encodeFrame({ seq: req.seq === 1 ? 255 : req.seq - 1, code: STATUS.OK, data: new Uint8Array(4).fill(0xee) })] }
        : {};
    fake.card?.memory.set([1, 2, 3, 4], 0x40);
    const r = session.ok ? await session.value.readMain(0x40, 4) : undefined;
    expect(r?.ok && [...r.value]).toEqual([1, 2, 3, 4]);
  });

  it('drops a late answer to a timed-out read and retries with a new SEQ', async () => {
    await openReader();
    const s = await reader.openCard();
    if (!s.ok) throw new Error('no session');
    fake.card?.memory.set([9, 8, 7], 0x50);
    let late: Uint8Array | undefined;
    fake.plan = (req, n) => {
      if (req.code !== COMMAND.READ_MAIN || req.data[0] !== 0x50) return {};
      if (late === undefined) {
        // Answer the first READ far too late, with wrong data: it must be ignored.
        late = encodeFrame({ seq: req.seq, code: STATUS.OK, data: new Uint8Array([0xde, 0xad, 0xbe]) });
        return { respond: false };
      }
      expect(n).toBeGreaterThan(0);
      return { before: [late] };
    };
    const r = await s.value.readMain(0x50, 3);
    expect(r.ok && [...r.value]).toEqual([9, 8, 7]);
    const reads = fake.log.filter((f) => f.code === COMMAND.READ_MAIN && f.data[0] === 0x50);
    expect(reads).toHaveLength(2);
    expect(reads[1]?.seq).not.toBe(reads[0]?.seq);
    // After the timeout the host asked CARD_STATUS, then re-identified the card before the retry's result counted.
    const names = fake.names();
    const firstRead = fake.log.indexOf(reads[0] ?? { seq: -1, code: -1, data: new Uint8Array() });
    expect(names[firstRead + 1]).toBe('CARD_STATUS');
  });

  it('gives up after three attempts with TIMEOUT', async () => {
    await openReader();
    fake.plan = (req) => (req.code === COMMAND.BEEP ? { respond: false } : {});
    const r = await reader.beep(100);
    expect(r.ok ? 'ok' : r.error.code).toBe('TIMEOUT');
    expect(fake.count_(COMMAND.BEEP)).toBe(3);
    const beeps = fake.log.filter((f) => f.code === COMMAND.BEEP).map((f) => f.seq);
    expect(new Set(beeps).size).toBe(3);
  });

  it('delivers an event that arrives between a request and its response, and answers nothing', async () => {
    await openReader();
    events.length = 0;
    fake.plan = (req) => (req.code === COMMAND.GET_INFO ? { before: [encodeFrame({ seq: 0, code: EVENT_CODE, data: new Uint8Array([0]) })] } : {});
    const before = fake.log.length;
    const r = await reader.info();
    expect(r.ok).toBe(true);
    expect(events).toEqual([{ type: 'card-removed' }]);
    expect(fake.log.length).toBe(before + 1); // the event was not answered
  });
});

describe('Gcr1Reader: PSC', () => {
  it('refuses to present a PSC with one attempt left', async () => {
    await openReader();
    if (fake.card) fake.card.counter = 0x01;
    const s = await reader.openCard();
    if (!s.ok) throw new Error('no session');
    const v = await s.value.verifyPsc(PSC);
    expect(v.ok ? 'ok' : v.error.code).toBe('PSC_ATTEMPTS_LOW');
    expect(v.ok ? 0 : v.error.attemptsLeft).toBe(1);
    expect(fake.count_(COMMAND.VERIFY_PSC)).toBe(0);
  });

  it('never presents a PSC again to a card that rejected one', async () => {
    await openReader();
    const s = await reader.openCard();
    if (!s.ok) throw new Error('no session');
    const v = await s.value.verifyPsc(OTHER_PSC);
    expect(v.ok ? 'ok' : [v.error.code, v.error.attemptsLeft]).toEqual(['WRONG_PSC', 2]);
    const again = await s.value.verifyPsc(PSC);
    expect(again.ok ? 'ok' : again.error.code).toBe('PSC_ALREADY_REJECTED');
    expect(fake.count_(COMMAND.VERIFY_PSC)).toBe(1);
  });

  it('does not resend VERIFY_PSC after a timeout: power cycle, same serial, counter unchanged, then once more', async () => {
    await openReader();
    const s = await reader.openCard();
    if (!s.ok) throw new Error('no session');
    let verifies = 0;
    fake.plan = (req) => (req.code === COMMAND.VERIFY_PSC && verifies++ === 0 ? { respond: false } : {});
    fake.log.length = 0;
    const v = await s.value.verifyPsc(PSC);
    expect(v.ok).toBe(true);
    expect(fake.names()).toEqual([
      'READ_SECURITY',
      'VERIFY_PSC',
      'CARD_STATUS',
      'POWER_OFF',
      'POWER_ON',
      'READ_MAIN',
      'READ_SECURITY',
      'VERIFY_PSC',
    ]);
    expect(s.value.verified).toBe(true);
  });

  it('counts an unclear presentation as wrong when the counter dropped', async () => {
    await openReader();
    const s = await reader.openCard();
    if (!s.ok) throw new Error('no session');
    fake.plan = (req) => (req.code === COMMAND.VERIFY_PSC ? { respond: false } : {});
    const v = await s.value.verifyPsc(OTHER_PSC);
    expect(v.ok ? 'ok' : [v.error.code, v.error.attemptsLeft]).toEqual(['WRONG_PSC', 2]);
    expect(fake.count_(COMMAND.VERIFY_PSC)).toBe(1);
  });

  it('changes the PSC: CHANGE_PSC, power cycle, verify the new code', async () => {
    await openReader();
    const s = await openVerifiedSession();
    fake.log.length = 0;
    const r = await s.changePsc(OTHER_PSC);
    expect(r.ok).toBe(true);
    expect(fake.names()).toEqual(['CHANGE_PSC', 'POWER_OFF', 'POWER_ON', 'READ_MAIN', 'READ_SECURITY', 'VERIFY_PSC']);
    expect([...(fake.card?.psc ?? [])]).toEqual([...OTHER_PSC]);
  });

  it('falls back to the old PSC once when the new one is refused', async () => {
    await openReader();
    const s = await openVerifiedSession();
    // The reader acknowledges CHANGE_PSC but the card kept its code.
    fake.plan = (req) => (req.code === COMMAND.CHANGE_PSC ? { execute: false } : {});
    const r = await s.changePsc(OTHER_PSC);
    expect(r.ok ? 'ok' : r.error.code).toBe('PSC_NOT_CHANGED');
    expect(fake.log.filter((f) => f.code === COMMAND.VERIFY_PSC).map((f) => [...f.data])).toEqual([[...PSC], [...OTHER_PSC], [...PSC]]);
  });
});

describe('Gcr1Reader: writing', () => {
  it('reads first, writes only what differs, and reads back', async () => {
    await openReader();
    const s = await openVerifiedSession();
    const data = new Uint8Array(32).fill(0);
    data[5] = 1;
    data[6] = 2;
    data[20] = 3;
    fake.log.length = 0;
    const r = await s.write(0x40, data);
    expect(r.ok && r.value).toEqual({ bytesWritten: 3, writeCommands: 2 });
    expect(fake.names()).toEqual(['READ_MAIN', 'WRITE_MAIN', 'WRITE_MAIN', 'READ_MAIN']);
    expect([...(fake.card?.memory.subarray(0x40, 0x60) ?? [])]).toEqual([...data]);
  });

  it('does not resend a write whose answer was lost: it reads back and finds it done', async () => {
    await openReader();
    const s = await openVerifiedSession();
    const data = new Uint8Array(16).fill(0x5a);
    fake.plan = (req) => (req.code === COMMAND.WRITE_MAIN ? { respond: false } : {});
    const r = await s.write(0x60, data);
    expect(r.ok).toBe(true);
    expect(fake.count_(COMMAND.WRITE_MAIN)).toBe(1);
  });

  it('after a lost partial write, writes again only the bytes that still differ', async () => {
    await openReader();
    const s = await openVerifiedSession();
    const data = new Uint8Array(20).map((_, i) => i + 1);
    let first = true;
    fake.plan = (req) => {
      if (req.code !== COMMAND.WRITE_MAIN || !first) return {};
      first = false;
      return { partialWrite: 8, respond: false };
    };
    const r = await s.write(0x40, data);
    expect(r.ok).toBe(true);
    const writes = fake.log.filter((f) => f.code === COMMAND.WRITE_MAIN);
    expect(writes).toHaveLength(2);
    expect(writes[1]?.data[0]).toBe(0x40 + 8);
    expect(writes[1]?.data.length).toBe(1 + 12);
    // The card lost power: the driver re-identified it and re-presented the PSC first.
    const names = fake.names();
    const second = fake.log.indexOf(writes[1] ?? writes[0] ?? { seq: 0, code: 0, data: new Uint8Array() });
    expect(names.slice(0, second)).toContain('POWER_ON');
    expect(fake.count_(COMMAND.VERIFY_PSC)).toBe(2);
    expect([...(fake.card?.memory.subarray(0x40, 0x54) ?? [])]).toEqual([...data]);
  });

  it('reports WRITE_FAILED when the card left during the write, and finishes when it is back', async () => {
    await openReader();
    const s = await openVerifiedSession();
    const card = fake.card;
    const data = new Uint8Array(10).fill(7);
    fake.plan = (req) => {
      if (req.code === COMMAND.WRITE_MAIN) {
        fake.plan = () => ({});
        setTimeout(() => fake.swapCard(undefined), 0);
        return { partialWrite: 4 };
      }
      return {};
    };
    const r = await s.write(0x40, data);
    expect(r.ok ? 'ok' : r.error.code).toBe('WRITE_FAILED');
    fake.swapCard(card);
    fake.event(true);
    const again = await s.write(0x40, data);
    expect(again.ok && again.value.bytesWritten).toBe(6);
  });

  it('needs a verified PSC', async () => {
    await openReader();
    const s = await reader.openCard();
    if (!s.ok) throw new Error('no session');
    const r = await s.value.write(0x40, new Uint8Array([1]));
    expect(r.ok ? 'ok' : r.error.code).toBe('PSC_REQUIRED');
  });

  it('write-protects only what is not protected yet', async () => {
    await openReader();
    const s = await openVerifiedSession();
    const header = fake.card?.memory.slice(0, 32) ?? new Uint8Array();
    fake.plan = (req) => (req.code === COMMAND.WRITE_PROTECT ? { respond: false } : {});
    const r = await s.writeProtect(0, header);
    expect(r.ok).toBe(true);
    expect(fake.count_(COMMAND.WRITE_PROTECT)).toBe(1);
    expect([...(fake.card?.protection ?? [])]).toEqual([0, 0, 0, 0]);
  });
});

describe('Gcr1Reader: which card', () => {
  it('answers CARD_CHANGED after an event brought another card', async () => {
    await openReader();
    const s = await openVerifiedSession();
    fake.swapCard(undefined);
    fake.event(false);
    fake.swapCard(makeCard(0x10));
    events.length = 0;
    fake.event(true);
    await waitFor(() => events.some((e) => e.type === 'card-inserted'));
    fake.log.length = 0;
    const r = await s.readMain(0x40, 8);
    expect(r.ok ? 'ok' : r.error.code).toBe('CARD_CHANGED');
    expect(fake.names()).toEqual(['POWER_ON', 'READ_MAIN']);
    const w = await s.write(0x40, new Uint8Array([1]));
    expect(w.ok ? 'ok' : w.error.code).toBe('CARD_CHANGED');
    expect(fake.count_(COMMAND.WRITE_MAIN)).toBe(0);
  });

  it('answers CARD_REMOVED when the slot is empty', async () => {
    await openReader();
    const s = await reader.openCard();
    if (!s.ok) throw new Error('no session');
    fake.swapCard(undefined);
    fake.event(false);
    await waitFor(() => events.some((e) => e.type === 'card-removed'));
    const r = await s.value.readSecurity();
    expect(r.ok ? 'ok' : r.error.code).toBe('CARD_REMOVED');
  });
});

describe('Gcr1Reader: baud', () => {
  it('switches to the configured rate after opening', async () => {
    await openReader(38400);
    expect(reader.baudRate).toBe(38400);
    expect(fake.baud).toBe(38400);
    expect(fake.names()).toEqual(['GET_INFO', 'SET_BAUD', 'GET_INFO', 'CARD_STATUS']);
    expect((await reader.cardStatus()).ok).toBe(true);
  });

  it('finds a reader left at another rate, 9600 first', async () => {
    fake.baud = 19200;
    await openReader(19200);
    expect(reader.baudRate).toBe(19200);
    // The GET_INFO at 9600 was noise to the reader; at 19200 it answered.
    expect(fake.names()).toEqual(['GET_INFO', 'CARD_STATUS']);
  });

  it('probes every rate when nothing answers at the new one', async () => {
    await openReader();
    fake.switchTo = 115200;
    const r = await reader.setBaud(38400);
    expect(r.ok).toBe(true);
    expect(reader.baudRate).toBe(115200);
    expect(BAUD_RATES).toContain(reader.baudRate);
  });
});

describe('Gcr1Reader: unplug', () => {
  it('reports DISCONNECTED, reconnects when the path is back, and asks CARD_STATUS', async () => {
    await openReader();
    const s = await reader.openCard();
    if (!s.ok) throw new Error('no session');
    listed = false;
    events.length = 0;
    fake.plan = (req) => (req.code === COMMAND.READ_MAIN ? { respond: false } : {});
    const pendingRead = s.value.readMain(0, 4);
    await new Promise((r) => setTimeout(r, 20));
    const port = fake.binding;
    expect(port).toBeDefined();
    // What serialport does when the device vanishes.
    const stream = (reader as unknown as { port: SerialPortMock | undefined }).port;
    stream?._disconnected(new Error('device unplugged'));
    const r = await pendingRead;
    expect(r.ok ? 'ok' : r.error.code).toBe('DISCONNECTED');
    expect(events.map((e) => e.type)).toEqual(['reader-disconnected']);
    expect(reader.isOpen).toBe(false);
    fake.plan = () => ({});
    await new Promise((r) => setTimeout(r, 150));
    expect(reader.isOpen).toBe(false);
    fake.log.length = 0;
    listed = true;
    const connected = (): boolean => events.some((e) => e.type === 'reader-connected');
    for (let i = 0; i < 100 && !connected(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(reader.isOpen).toBe(true);
    expect(fake.names()).toEqual(['GET_INFO', 'CARD_STATUS']);
    expect(events.map((e) => e.type)).toEqual(['reader-disconnected', 'card-inserted', 'reader-connected']);
    // The old session must re-identify before use.
    const again = await s.value.readMain(8, 8);
    expect(again.ok).toBe(true);
  });
});

describe('differingRuns', () => {
  it('bridges short gaps of unchanged bytes, never past the longest run', () => {
    const have = new Uint8Array(12);
    const want = Uint8Array.from([1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0]);
    expect(differingRuns(have, want, 64)).toEqual([{ start: 0, length: 1 }, { start: 3, length: 1 }, { start: 10, length: 1 }]);
    expect(differingRuns(have, want, 64, 2)).toEqual([{ start: 0, length: 4 }, { start: 10, length: 1 }]);
    expect(differingRuns(have, want, 64, 6)).toEqual([{ start: 0, length: 11 }]);
    expect(differingRuns(have, want, 3, 6)).toEqual([{ start: 0, length: 1 }, { start: 3, length: 1 }, { start: 10, length: 1 }]);
  });

  it('bridges more at low baud, where a separate command costs more wire time', () => {
    expect(writeBridge(9600)).toBe(4);
    expect(writeBridge(115200)).toBe(3);
  });

  it('splits runs at 64 bytes', () => {
    const want = new Uint8Array(130).fill(1);
    expect(differingRuns(new Uint8Array(130), want, 64)).toEqual([
      { start: 0, length: 64 },
      { start: 64, length: 64 },
      { start: 128, length: 2 },
    ]);
  });
});
