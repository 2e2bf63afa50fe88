/**
 * The hub's queue service on a real PouchDB on LevelDB (synced writes, as the hub opens it), in a
 * temporary folder: many counters calling at once never share a ticket, retries change nothing,
 * and a restart folds the same state back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '../../core/contract/result.js';
import { DEFAULT_HALL_SETTINGS, type CallView, type CounterView, type HallSettings, type Priority, type ServiceCode } from '../../core/hall/model.js';
import { manualClock, type Clock } from '../../core/time/local-date.js';
import type { Database } from '../station/database.js';
import { TongdaSyncedLeveldown } from '../station/durable-leveldown.js';
import { HALL_EVENT_PREFIX, openHallQueue } from './queue-service.js';
import type { HallDevice, HallQueue } from './types.js';

const HALL = 'HF-SS-01';
const ZONE = 'Asia/Shanghai';

const folders: string[] = [];
const open: { db: Database; queue: HallQueue }[] = [];

afterEach(async () => {
  for (const { db, queue } of open.splice(0)) {
    await queue.close();
    await db.close();
  }
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function newFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'tongda-hall-queue-'));
  folders.push(folder);
  return folder;
}

async function openHub(folder: string, clock: Clock): Promise<{ db: Database; queue: HallQueue }> {
  const db = new PouchDB(join(folder, 'hall'), { adapter: 'leveldb', db: TongdaSyncedLeveldown, auto_compaction: false });
  const queue = await openHallQueue({ db, hallId: HALL, timeZone: ZONE, clock });
  const hub = { db, queue };
  open.push(hub);
  return hub;
}

async function closeHub(hub: { db: Database; queue: HallQueue }): Promise<void> {
  open.splice(open.indexOf(hub), 1);
  await hub.queue.close();
  await hub.db.close();
}

/** A clock that moves one millisecond per reading: every event has its own instant. */
function tickingClock(startIso: string): Clock {
  let ms = Date.parse(startIso);
  return { now: () => new Date(ms++) };
}

const kiosk: HallDevice = { deviceId: 'kiosk0001', kind: 'kiosk', name: '取号机', counterNo: null, printer: null };
const counter = (counterNo: number): HallDevice => ({ deviceId: `counter000${counterNo}`, kind: 'counter', name: `${counterNo}号窗口`, counterNo, printer: null });

let requests = 0;
const rid = (prefix = 'req') => `${prefix}-${String((requests += 1)).padStart(8, '0')}`;

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const codeOf = (result: Result<unknown>) => (result.ok ? 'ok' : result.error.code);

async function issue(queue: HallQueue, service: ServiceCode, priority: Priority = 'none') {
  return unwrap(await queue.issueTicket(kiosk, { requestId: rid('issue'), service, priority }));
}

async function eventDocCount(db: Database): Promise<number> {
  const page = await db.allDocs({ startkey: HALL_EVENT_PREFIX, endkey: `${HALL_EVENT_PREFIX}\uffff` });
  return page.rows.length;
}

function currentOf(view: CounterView): string {
  if (!view.current) throw new Error(`counter ${view.counterNo} has no ticket`);
  return view.current.ticketId;
}

describe('hall queue service', () => {
  it('1,000 tickets and three counters calling at once: every ticket called exactly once, bursts give one call and BUSY', async () => {
    const { db, queue } = await openHub(await newFolder(), tickingClock('2026-03-02T01:00:00.000Z'));
    const services: ServiceCode[] = ['A', 'B', 'C', 'D'];
    const issued = await Promise.all(Array.from({ length: 1000 }, (_, i) => issue(queue, services[i % 4] ?? 'A')));
    expect(new Set(issued.map((t) => t.ticket.number)).size).toBe(1000);
    expect(issued.at(-1)?.ticket.number).toBe('D250');

    const announced: CallView[] = [];
    queue.onChange((change) => {
      if (change.called) announced.push(change.called);
    });
    const calledBy = new Map<string, number[]>();
    let bursts = 0;
    const serve = async (counterNo: number) => {
      const device = counter(counterNo);
      for (let round = 0; ; round += 1) {
        let view: CounterView;
        if (round % 25 === 0) {
          // A burst of clicks: exactly one is a call, the rest find the counter busy.
          const answers = await Promise.all(Array.from({ length: 5 }, () => queue.callNext(device, rid(`c${counterNo}`))));
          const calls = answers.filter((answer) => answer.ok);
          if (calls.length === 0) {
            expect(answers.map(codeOf)).toEqual(Array(5).fill('HALL_QUEUE_EMPTY'));
            return;
          }
          expect(calls).toHaveLength(1);
          expect(answers.map(codeOf).sort()).toEqual(['HALL_COUNTER_BUSY', 'HALL_COUNTER_BUSY', 'HALL_COUNTER_BUSY', 'HALL_COUNTER_BUSY', 'ok']);
          view = unwrap(calls[0] ?? answers[0] ?? queue.counterView(counterNo));
          bursts += 1;
        } else {
          const answer = await queue.callNext(device, rid(`c${counterNo}`));
          if (!answer.ok && answer.error.code === 'HALL_QUEUE_EMPTY') return;
          view = unwrap(answer);
        }
        const ticketId = currentOf(view);
        calledBy.set(ticketId, [...(calledBy.get(ticketId) ?? []), counterNo]);
        unwrap(await queue.finish(device, rid(`f${counterNo}`), ticketId));
      }
    };
    const started = Date.now();
    await Promise.all([serve(1), serve(2), serve(3)]);
    const elapsed = Date.now() - started;

    expect(calledBy.size).toBe(1000);
    expect([...calledBy.values()].every((counters) => counters.length === 1)).toBe(true);
    expect(announced).toHaveLength(1000);
    expect(new Set(announced.map((call) => call.ticketId)).size).toBe(1000);
    // Counter 2 serves only A and B; counter 3 A, B, C: D tickets went to counter 1 alone.
    for (const [ticketId, [counterNo]] of calledBy) {
      if (ticketId.split('/')[2]?.startsWith('D')) expect(counterNo).toBe(1);
    }
    expect(queue.tickets().every((ticket) => ticket.state === 'done')).toBe(true);
    expect(bursts).toBeGreaterThan(3);
    // 1,000 issues, 1,000 calls, 1,000 finishes: one durable document each, nothing else.
    expect(await eventDocCount(db)).toBe(3000);
    expect(elapsed).toBeLessThan(20_000);
  });

  it('calls priority tickets first, then the oldest, and only of the counter’s services', async () => {
    const clock = manualClock('2026-03-02T01:00:00.000Z');
    const { queue } = await openHub(await newFolder(), clock);
    const step = () => clock.advance(1000);
    const a1 = await issue(queue, 'A');
    step();
    await issue(queue, 'D');
    step();
    const b1 = await issue(queue, 'B');
    step();
    const elderly = await issue(queue, 'A', 'elderly');
    expect(a1.waitingAhead).toBe(0);
    expect(b1.waitingAhead).toBe(1);
    // Counter 2 serves A and B: the elderly A002 first, then A001 (older than B001).
    expect(unwrap(await queue.callNext(counter(2), rid())).current?.number).toBe(elderly.ticket.number);
    unwrap(await queue.finish(counter(2), rid(), elderly.ticket.ticketId));
    expect(unwrap(await queue.callNext(counter(2), rid())).current?.number).toBe('A001');
    unwrap(await queue.finish(counter(2), rid(), a1.ticket.ticketId));
    expect(unwrap(await queue.callNext(counter(2), rid())).current?.number).toBe('B001');
    unwrap(await queue.finish(counter(2), rid(), b1.ticket.ticketId));
    expect(codeOf(await queue.callNext(counter(2), rid()))).toBe('HALL_QUEUE_EMPTY');
    expect(unwrap(queue.counterView(4)).waitingForMe).toBe(1);
  });

  it('transfers to a service (keeping the place) and to one counter (only it may call)', async () => {
    const clock = manualClock('2026-03-02T01:00:00.000Z');
    const { queue } = await openHub(await newFolder(), clock);
    const a1 = await issue(queue, 'A');
    clock.advance(1000);
    await issue(queue, 'C');
    clock.advance(1000);
    await issue(queue, 'C');
    unwrap(await queue.callNext(counter(2), rid()));
    unwrap(await queue.start(counter(2), rid(), a1.ticket.ticketId));
    // To service C: counter 4 (C, D) calls it before the C tickets issued after it.
    const afterTransfer = unwrap(await queue.transfer(counter(2), rid(), a1.ticket.ticketId, { kind: 'service', service: 'C' }));
    expect(afterTransfer.current).toBeNull();
    const moved = unwrap(queue.ticket({ number: 'A001' }));
    expect(moved.ticket).toMatchObject({ state: 'waiting', service: 'C', issuedService: 'A', transfers: 1, queuedAt: a1.ticket.issuedAt });
    expect(moved.events.map((event) => event.kind)).toEqual(['issued', 'called', 'started', 'transferred']);
    expect(unwrap(await queue.callNext(counter(4), rid())).current?.number).toBe('A001');
    // To counter 2: counter 1 (which serves C) may not call it, counter 2 (no C) may.
    unwrap(await queue.transfer(counter(4), rid(), a1.ticket.ticketId, { kind: 'counter', counterNo: 2 }));
    expect(unwrap(queue.counterView(2)).waitingForMe).toBe(1);
    expect(unwrap(await queue.callNext(counter(1), rid())).current?.number).toBe('C001');
    expect(unwrap(await queue.callNext(counter(2), rid())).current?.number).toBe('A001');
    expect(codeOf(await queue.transfer(counter(2), rid(), a1.ticket.ticketId, { kind: 'counter', counterNo: 9 }))).toBe('HALL_UNKNOWN_TARGET');
    expect(codeOf(await queue.finish(counter(3), rid(), a1.ticket.ticketId))).toBe('HALL_TICKET_STATE');
  });

  it('refuses no-show before enough recalls, then allows it', async () => {
    const { queue } = await openHub(await newFolder(), manualClock('2026-03-02T01:00:00.000Z'));
    const announced: CallView[] = [];
    queue.onChange((change) => {
      if (change.called) announced.push(change.called);
    });
    const { ticket } = await issue(queue, 'A');
    const device = counter(1);
    unwrap(await queue.callNext(device, rid()));
    const early = await queue.noShow(device, rid(), ticket.ticketId);
    expect(early.ok ? null : early.error.details).toEqual({ reason: 'recalls-needed', recallsLeft: 2 });
    expect(unwrap(await queue.recall(device, rid(), ticket.ticketId)).recallsBeforeNoShow).toBe(1);
    const still = await queue.noShow(device, rid(), ticket.ticketId);
    expect(still.ok ? null : still.error.details).toEqual({ reason: 'recalls-needed', recallsLeft: 1 });
    unwrap(await queue.recall(device, rid(), ticket.ticketId));
    const after = unwrap(await queue.noShow(device, rid(), ticket.ticketId));
    expect(after.current).toBeNull();
    expect(unwrap(queue.ticket({ ticketId: ticket.ticketId })).ticket.state).toBe('no-show');
    expect(announced.map((call) => [call.number, call.counterNo, call.recall])).toEqual([
      ['A001', 1, false],
      ['A001', 1, true],
      ['A001', 1, true],
    ]);
  });

  it('a repeated request id gets the first answer and records nothing more', async () => {
    const { db, queue } = await openHub(await newFolder(), tickingClock('2026-03-02T01:00:00.000Z'));
    const first = await queue.issueTicket(kiosk, { requestId: 'kiosk-req-0001', service: 'B', priority: 'vip' });
    const again = await queue.issueTicket(kiosk, { requestId: 'kiosk-req-0001', service: 'B', priority: 'vip' });
    expect(unwrap(again)).toEqual(unwrap(first));
    await issue(queue, 'B');
    expect(await eventDocCount(db)).toBe(2);

    const device = counter(1);
    const call = unwrap(await queue.callNext(device, 'call-req-0001'));
    const repeat = unwrap(await queue.callNext(device, 'call-req-0001'));
    expect(repeat).toEqual(call);
    expect(call.current?.number).toBe('B001');
    expect(await eventDocCount(db)).toBe(3);
    // A retry that arrives after the counter moved on answers the counter as it is now, and still calls nothing.
    unwrap(await queue.finish(device, 'finish-req-0001', currentOf(call)));
    const late = unwrap(await queue.callNext(device, 'call-req-0001'));
    expect(late.current).toBeNull();
    expect(late.waitingForMe).toBe(1);
    expect(await eventDocCount(db)).toBe(4);
    // The same id for another command is refused rather than answered as if it were the first.
    expect(codeOf(await queue.recall(device, 'call-req-0001', currentOf(call)))).toBe('INVALID_INPUT');
    // An id the event schema refuses is refused before anything is written (the record must read back).
    expect(codeOf(await queue.callNext(device, 'short'))).toBe('INVALID_INPUT');
    expect(await eventDocCount(db)).toBe(4);
  });

  it('a restart on the same folder rebuilds the tickets, the counters and the numbering', async () => {
    const folder = await newFolder();
    const clock = tickingClock('2026-03-02T01:00:00.000Z');
    const hub = await openHub(folder, clock);
    for (const service of ['A', 'A', 'B', 'C', 'A'] as const) await issue(hub.queue, service);
    unwrap(await hub.queue.callNext(counter(1), rid()));
    const second = unwrap(await hub.queue.callNext(counter(2), rid()));
    unwrap(await hub.queue.start(counter(2), rid(), currentOf(second)));
    const third = unwrap(await hub.queue.callNext(counter(3), rid()));
    unwrap(await hub.queue.transfer(counter(3), rid(), currentOf(third), { kind: 'counter', counterNo: 4 }));
    unwrap(await hub.queue.recall(counter(1), rid(), currentOf(unwrap(hub.queue.counterView(1)))));
    const before = { tickets: hub.queue.tickets(), counters: hub.queue.allCounterViews(), board: hub.queue.board() };
    await closeHub(hub);

    const reopened = await openHub(folder, clock);
    expect(reopened.queue.tickets()).toEqual(before.tickets);
    expect(reopened.queue.allCounterViews()).toEqual(before.counters);
    expect(reopened.queue.board()).toEqual(before.board);
    expect((await issue(reopened.queue, 'A')).ticket.number).toBe('A004');
    expect((await issue(reopened.queue, 'C')).ticket.number).toBe('C002');
    // A counter busy before the restart is still busy after it.
    expect(codeOf(await reopened.queue.callNext(counter(2), rid()))).toBe('HALL_COUNTER_BUSY');
  });

  it('starts a fresh day at local midnight, and a restart reads only today’s events', async () => {
    const folder = await newFolder();
    // 23:59:50 in Shanghai.
    const clock = manualClock('2026-03-02T15:59:50.000Z');
    const hub = await openHub(folder, clock);
    expect(hub.queue.day()).toBe('2026-03-02');
    await issue(hub.queue, 'A');
    await issue(hub.queue, 'A');
    unwrap(await hub.queue.callNext(counter(1), rid()));
    clock.advance(20_000);
    expect(hub.queue.day()).toBe('2026-03-03');
    expect(hub.queue.board().counters.every((c) => c.current === null)).toBe(true);
    expect(hub.queue.board().day).toBe('2026-03-03');
    const first = await issue(hub.queue, 'A');
    expect(first.ticket.number).toBe('A001');
    expect(first.ticket.ticketId).toBe(`${HALL}/2026-03-03/A001`);
    expect(first.waitingAhead).toBe(0);
    // Counter 1's ticket of yesterday is gone with yesterday: it is free today.
    expect(unwrap(await hub.queue.callNext(counter(1), rid())).current?.number).toBe('A001');
    await closeHub(hub);
    const reopened = await openHub(folder, clock);
    expect(reopened.queue.tickets().map((t) => t.ticketId)).toEqual([`${HALL}/2026-03-03/A001`]);
  });

  it('figures on a known scenario with a manual clock', async () => {
    const clock = manualClock('2026-03-02T01:00:00.000Z');
    const { queue } = await openHub(await newFolder(), clock);
    const at = (seconds: number) => clock.set(new Date(Date.parse('2026-03-02T01:00:00.000Z') + seconds * 1000).toISOString());
    await issue(queue, 'A');
    at(30);
    await issue(queue, 'B');
    at(60);
    await issue(queue, 'A');
    at(90);
    const a1 = currentOf(unwrap(await queue.callNext(counter(1), rid()))); // waited 90
    at(100);
    unwrap(await queue.start(counter(1), rid(), a1));
    at(160);
    unwrap(await queue.finish(counter(1), rid(), a1)); // served 60
    // B001 (issued at 30 s) is older than A002 (60 s): waited 130
    const b1 = currentOf(unwrap(await queue.callNext(counter(2), rid())));
    at(200);
    unwrap(await queue.finish(counter(2), rid(), b1)); // served 40 from the call (no Start)
    at(300);
    const figures = queue.figures(new Set([2]));
    expect(figures.nowWaiting).toBe(1);
    expect(figures.nowLongestWaitSeconds).toBe(240);
    expect(figures.total).toEqual({
      tickets: 3,
      served: 2,
      noShows: 0,
      transfersOut: 0,
      averageWaitSeconds: 110,
      longestWaitSeconds: 130,
      averageServiceSeconds: 50,
      longestServiceSeconds: 60,
    });
    expect(figures.byCounter.map((c) => [c.counterNo, c.online, c.stats.served, c.stats.averageWaitSeconds, c.stats.averageServiceSeconds])).toEqual([
      [1, false, 1, 90, 60],
      [2, true, 1, 130, 40],
      [3, false, 0, null, null],
      [4, false, 0, null, null],
    ]);
  });

  it('saves settings durably and refuses invalid ones', async () => {
    const folder = await newFolder();
    const clock = manualClock('2026-03-02T01:00:00.000Z');
    const hub = await openHub(folder, clock);
    expect(hub.queue.settings()).toEqual(DEFAULT_HALL_SETTINGS);
    const bad = { ...DEFAULT_HALL_SETTINGS, counters: [{ counterNo: 1, services: ['Z'] }] };
    expect(codeOf(await hub.queue.saveSettings(bad))).toBe('INVALID_INPUT');
    const next: HallSettings = { ...DEFAULT_HALL_SETTINGS, hallName: '包河营业厅', recallsBeforeNoShow: 0, counters: [{ counterNo: 5, services: ['A'] }] };
    unwrap(await hub.queue.saveSettings(next));
    unwrap(await hub.queue.saveSettings({ ...next, hallName: '包河营业厅二' }));
    expect(codeOf(await hub.queue.callNext(counter(1), rid()))).toBe('HALL_NOT_CONFIGURED');
    await closeHub(hub);
    const reopened = await openHub(folder, clock);
    expect(reopened.queue.settings().hallName).toBe('包河营业厅二');
    expect(reopened.queue.board().counters.map((c) => c.counterNo)).toEqual([5]);
  });

  it('answers HALL_UNREACHABLE once closed, after the queue drained', async () => {
    const hub = await openHub(await newFolder(), tickingClock('2026-03-02T01:00:00.000Z'));
    const pending = Promise.all(Array.from({ length: 20 }, () => issue(hub.queue, 'A')));
    await closeHub(hub);
    expect((await pending).at(-1)?.ticket.number).toBe('A020');
    expect(codeOf(await hub.queue.issueTicket(kiosk, { requestId: rid(), service: 'A', priority: 'none' }))).toBe('HALL_UNREACHABLE');
  });
});
