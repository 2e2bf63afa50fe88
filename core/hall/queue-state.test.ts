import { describe, expect, it } from 'vitest';
import type { StationError } from '../contract/result.js';
import { DEFAULT_HALL_SETTINGS, type HallEvent, type HallSettings, type Priority, type ServiceCode } from './model.js';
import {
  applyHallEvent,
  boardSnapshot,
  counterView,
  decideHallCommand,
  emptyHallQueueState,
  foldHallEvents,
  kioskServices,
  waitingAhead,
  type HallActor,
  type HallQueueCommand,
  type HallQueueState,
} from './queue-state.js';

const HALL = 'HALL-1';
const DAY = '2026-03-02';
const kiosk: HallActor = { deviceId: 'kiosk1', counterNo: null };
const counter = (counterNo: number): HallActor => ({ deviceId: `counter${counterNo}`, counterNo });

const settings: HallSettings = {
  ...DEFAULT_HALL_SETTINGS,
  counters: [
    { counterNo: 1, services: ['A', 'B'] },
    { counterNo: 2, services: ['A'] },
    { counterNo: 3, services: ['C'] },
  ],
  recallsBeforeNoShow: 2,
};

/** A tiny in-memory hub: decide, then apply, and keep every event for a fold later. */
function hall() {
  const state = emptyHallQueueState(HALL, DAY);
  const events: HallEvent[] = [];
  let clockMs = Date.parse('2026-03-02T01:00:00.000Z');
  let requests = 0;
  const run = (actor: HallActor, command: HallQueueCommand, config: HallSettings = settings) => {
    clockMs += 1000;
    requests += 1;
    const decided = decideHallCommand(state, config, actor, `req-${String(requests).padStart(6, '0')}`, command, new Date(clockMs));
    if (decided.ok) {
      for (const event of decided.value) {
        applyHallEvent(state, event);
        events.push(event);
      }
    }
    return decided;
  };
  const issue = (service: ServiceCode, priority: Priority = 'none'): string => {
    const made = run(kiosk, { kind: 'issue', service, priority });
    if (!made.ok) throw new Error(made.error.message);
    const first = made.value[0];
    if (!first) throw new Error('no event');
    return first.ticketId;
  };
  const call = (counterNo: number): string | StationError => {
    const made = run(counter(counterNo), { kind: 'call-next' });
    return made.ok ? (made.value[0]?.ticketId ?? 'none') : made.error;
  };
  const numberOf = (ticketId: string) => state.tickets.get(ticketId)?.number;
  return { state, events, run, issue, call, numberOf };
}

function errorOf(result: { ok: boolean; error?: StationError }): StationError | undefined {
  return result.ok ? undefined : result.error;
}

describe('hall queue state', () => {
  it('numbers tickets per service with three digits and a day-unique id', () => {
    const h = hall();
    const a1 = h.issue('A');
    const a2 = h.issue('A');
    const b1 = h.issue('B');
    expect([h.numberOf(a1), h.numberOf(a2), h.numberOf(b1)]).toEqual(['A001', 'A002', 'B001']);
    expect(a1).toBe(`${HALL}/${DAY}/A001`);
    expect(h.state.sequenceByService.get('A')).toBe(2);
  });

  it('refuses a ticket for an unknown or disabled service', () => {
    const h = hall();
    const disabled: HallSettings = { ...settings, services: settings.services.map((s) => (s.code === 'D' ? { ...s, enabled: false } : s)) };
    expect(errorOf(h.run(kiosk, { kind: 'issue', service: 'D', priority: 'none' }, disabled))?.code).toBe('HALL_UNKNOWN_TARGET');
    expect(errorOf(h.run(kiosk, { kind: 'issue', service: 'Z', priority: 'none' }))?.code).toBe('HALL_UNKNOWN_TARGET');
    expect(h.state.tickets.size).toBe(0);
  });

  it('calls tickets sent to the counter first, then priority, then the oldest, of its own services only', () => {
    const h = hall();
    const a1 = h.issue('A');
    const c1 = h.issue('C');
    const b1 = h.issue('B');
    const a2vip = h.issue('A', 'vip');
    // Counter 2 serves A only: the VIP first, then the oldest A.
    expect(h.call(2)).toBe(a2vip);
    // Transfer the VIP from counter 2 to counter 1: counter 1 calls it before the older A001.
    expect(h.run(counter(2), { kind: 'transfer', ticketId: a2vip, to: { kind: 'counter', counterNo: 1 } }).ok).toBe(true);
    expect(h.call(1)).toBe(a2vip);
    h.run(counter(1), { kind: 'finish', ticketId: a2vip });
    expect(h.call(1)).toBe(a1);
    h.run(counter(1), { kind: 'finish', ticketId: a1 });
    expect(h.call(1)).toBe(b1);
    expect(h.call(3)).toBe(c1);
    expect((h.call(2) as StationError).code).toBe('HALL_QUEUE_EMPTY');
  });

  it('keeps a ticket sent to one counter away from the others', () => {
    const h = hall();
    const a1 = h.issue('A');
    h.call(1);
    h.run(counter(1), { kind: 'transfer', ticketId: a1, to: { kind: 'counter', counterNo: 3 } });
    // Counter 3 serves only C, but the ticket was sent to it; counter 2 (A) may not call it.
    expect((h.call(2) as StationError).code).toBe('HALL_QUEUE_EMPTY');
    expect(h.call(3)).toBe(a1);
  });

  it('a busy counter cannot call again; a double click gets BUSY', () => {
    const h = hall();
    h.issue('A');
    h.issue('A');
    const first = h.call(1);
    expect(typeof first).toBe('string');
    const second = h.call(1) as StationError;
    expect(second.code).toBe('HALL_COUNTER_BUSY');
    expect(second.details?.['ticketId']).toBe(first);
  });

  it('recall, start, finish and no-show act only on the counter’s own ticket in the right state', () => {
    const h = hall();
    const a1 = h.issue('A');
    const a2 = h.issue('A');
    expect(errorOf(h.run(counter(1), { kind: 'recall', ticketId: 'HALL-1/2026-03-02/A999' }))?.details?.['reason']).toBe('unknown-ticket');
    expect(errorOf(h.run(counter(1), { kind: 'start', ticketId: a1 }))?.details?.['reason']).toBe('wrong-state');
    h.call(1);
    expect(errorOf(h.run(counter(2), { kind: 'finish', ticketId: a1 }))?.details?.['reason']).toBe('not-this-counter');
    // No-show needs two recalls first.
    const early = errorOf(h.run(counter(1), { kind: 'no-show', ticketId: a1 }));
    expect(early?.details).toEqual({ reason: 'recalls-needed', recallsLeft: 2 });
    h.run(counter(1), { kind: 'recall', ticketId: a1 });
    expect(errorOf(h.run(counter(1), { kind: 'no-show', ticketId: a1 }))?.details).toEqual({ reason: 'recalls-needed', recallsLeft: 1 });
    const view = counterView(h.state, settings, 1);
    expect(view.ok && view.value.recallsBeforeNoShow).toBe(1);
    h.run(counter(1), { kind: 'recall', ticketId: a1 });
    expect(h.run(counter(1), { kind: 'no-show', ticketId: a1 }).ok).toBe(true);
    expect(h.state.tickets.get(a1)?.state).toBe('no-show');
    // Start then recall is refused: the customer is here.
    expect(h.call(1)).toBe(a2);
    expect(h.run(counter(1), { kind: 'start', ticketId: a2 }).ok).toBe(true);
    expect(errorOf(h.run(counter(1), { kind: 'recall', ticketId: a2 }))?.details?.['reason']).toBe('wrong-state');
    expect(errorOf(h.run(counter(1), { kind: 'no-show', ticketId: a2 }))?.details?.['reason']).toBe('wrong-state');
    expect(h.run(counter(1), { kind: 'finish', ticketId: a2 }).ok).toBe(true);
    expect(errorOf(h.run(counter(1), { kind: 'finish', ticketId: a2 }))?.details?.['reason']).toBe('wrong-state');
  });

  it('a transferred ticket keeps its place: queued since it was issued, recalls reset', () => {
    const h = hall();
    const a1 = h.issue('A');
    h.issue('B');
    h.issue('B');
    expect(h.call(2)).toBe(a1);
    h.run(counter(2), { kind: 'recall', ticketId: a1 });
    expect(h.run(counter(2), { kind: 'transfer', ticketId: a1, to: { kind: 'service', service: 'B' } }).ok).toBe(true);
    const moved = h.state.tickets.get(a1);
    expect(moved).toMatchObject({ state: 'waiting', service: 'B', issuedService: 'A', recalls: 0, transfers: 1, forCounter: null });
    expect(moved?.queuedAt).toBe(moved?.issuedAt);
    // Counter 1 (A, B): A001 was issued before both B tickets, so it comes first.
    expect(h.call(1)).toBe(a1);
  });

  it('refuses transfers to unknown targets, to its own counter and to a service no counter serves', () => {
    const h = hall();
    const a1 = h.issue('A');
    h.call(1);
    const codeOf = (to: HallQueueCommand) => errorOf(h.run(counter(1), to))?.code;
    expect(codeOf({ kind: 'transfer', ticketId: a1, to: { kind: 'counter', counterNo: 9 } })).toBe('HALL_UNKNOWN_TARGET');
    expect(codeOf({ kind: 'transfer', ticketId: a1, to: { kind: 'counter', counterNo: 1 } })).toBe('HALL_UNKNOWN_TARGET');
    expect(codeOf({ kind: 'transfer', ticketId: a1, to: { kind: 'service', service: 'D' } })).toBe('HALL_UNKNOWN_TARGET');
    expect(codeOf({ kind: 'transfer', ticketId: a1, to: { kind: 'service', service: 'Q' } })).toBe('HALL_UNKNOWN_TARGET');
  });

  it('a counter that is not configured, or a device that is no counter, is refused', () => {
    const h = hall();
    h.issue('A');
    expect((h.call(7) as StationError).code).toBe('HALL_NOT_CONFIGURED');
    expect(errorOf(h.run(kiosk, { kind: 'call-next' }))?.code).toBe('HALL_DEVICE_REFUSED');
    expect(counterView(h.state, settings, 7).ok).toBe(false);
  });

  it('counts how many a counter of the service would call first', () => {
    const h = hall();
    h.issue('A');
    h.issue('B');
    h.issue('A');
    const vip = h.issue('B', 'elderly');
    const c1 = h.issue('C');
    const a3 = h.issue('A');
    // A003: counter 2 (A only) calls A001, A002 first; counter 1 (A, B) four. The nearer counts.
    expect(waitingAhead(h.state, settings, a3)).toBe(2);
    // The elderly B ticket: only counter 1 serves B, and priority goes first.
    expect(waitingAhead(h.state, settings, vip)).toBe(0);
    expect(waitingAhead(h.state, settings, c1)).toBe(0);
  });

  it('shows the board: current calls per counter, recent calls newest first with recalls, waiting per service', () => {
    const h = hall();
    for (let i = 0; i < 12; i += 1) h.issue('A');
    h.issue('C');
    const first = h.call(1) as string;
    h.run(counter(1), { kind: 'recall', ticketId: first });
    h.call(2);
    const board = boardSnapshot(h.state, settings);
    expect(board.counters.map((c) => [c.counterNo, c.current?.number ?? null])).toEqual([
      [1, 'A001'],
      [2, 'A002'],
      [3, null],
    ]);
    expect(board.recent.map((call) => [call.number, call.counterNo, call.recall])).toEqual([
      ['A002', 2, false],
      ['A001', 1, true],
      ['A001', 1, false],
    ]);
    expect(board.waiting.map((w) => [w.service, w.count])).toEqual([
      ['A', 10],
      ['B', 0],
      ['C', 1],
      ['D', 0],
    ]);
    expect(kioskServices(h.state, settings).map((s) => s.waiting)).toEqual([10, 0, 1, 0]);
    // Recent calls are capped at ten.
    for (let i = 0; i < 10; i += 1) h.run(counter(1), { kind: 'recall', ticketId: first });
    expect(boardSnapshot(h.state, settings).recent).toHaveLength(10);
  });

  it('folding the recorded events rebuilds the same state', () => {
    const h = hall();
    const a1 = h.issue('A');
    h.issue('B', 'disabled');
    h.issue('C');
    h.call(1);
    h.call(2);
    h.run(counter(2), { kind: 'transfer', ticketId: a1, to: { kind: 'counter', counterNo: 3 } });
    h.call(3);
    const rebuilt = foldHallEvents(HALL, DAY, [...h.events].reverse());
    const summary = (state: HallQueueState) => ({
      tickets: [...state.tickets.values()],
      sequences: [...state.sequenceByService],
      current: [...state.currentByCounter].sort(),
      waiting: [...state.waiting].sort(),
      recent: state.recent,
      requests: [...state.requests.keys()].sort(),
      lastSeq: state.lastSeq,
    });
    expect(summary(rebuilt)).toEqual(summary(h.state));
  });

  it('an event that does not fit the record throws instead of folding a wrong state', () => {
    const state = emptyHallQueueState(HALL, DAY);
    const stray: HallEvent = { kind: 'called', day: DAY, seq: 1, at: '2026-03-02T01:00:00.000Z', requestId: null, deviceId: 'c', ticketId: `${HALL}/${DAY}/A001`, counterNo: 1 };
    expect(() => applyHallEvent(state, stray)).toThrow(/unknown ticket/);
  });
});
