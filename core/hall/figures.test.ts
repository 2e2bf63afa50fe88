import { describe, expect, it } from 'vitest';
import { computeHallFigures } from './figures.js';
import { DEFAULT_HALL_SETTINGS, type HallSettings } from './model.js';
import { applyHallEvent, decideHallCommand, emptyHallQueueState, type HallActor, type HallQueueCommand } from './queue-state.js';

const settings: HallSettings = {
  ...DEFAULT_HALL_SETTINGS,
  counters: [
    { counterNo: 1, services: ['A', 'B'] },
    { counterNo: 2, services: ['A'] },
  ],
  recallsBeforeNoShow: 1,
};

const T0 = Date.parse('2026-03-02T01:00:00.000Z');
const kiosk: HallActor = { deviceId: 'kiosk1', counterNo: null };
const counter = (counterNo: number): HallActor => ({ deviceId: `counter${counterNo}`, counterNo });
const id = (number: string) => `HALL-1/2026-03-02/${number}`;

describe('hall figures', () => {
  it('are right on a known day: 6 tickets, 2 counters, a no-show, a transfer', () => {
    const state = emptyHallQueueState('HALL-1', '2026-03-02');
    let requests = 0;
    const at = (second: number, actor: HallActor, command: HallQueueCommand) => {
      requests += 1;
      const made = decideHallCommand(state, settings, actor, `req-${String(requests).padStart(4, '0')}`, command, new Date(T0 + second * 1000));
      if (!made.ok) throw new Error(`${second}s: ${made.error.message}`);
      for (const event of made.value) applyHallEvent(state, event);
      return made.value[0]?.ticketId;
    };
    at(0, kiosk, { kind: 'issue', service: 'A', priority: 'none' });
    at(10, kiosk, { kind: 'issue', service: 'A', priority: 'none' });
    at(20, kiosk, { kind: 'issue', service: 'B', priority: 'none' });
    at(30, kiosk, { kind: 'issue', service: 'A', priority: 'none' });
    at(40, kiosk, { kind: 'issue', service: 'B', priority: 'none' });
    at(50, kiosk, { kind: 'issue', service: 'A', priority: 'none' });
    // A001 at counter 1: waited 60 s, served 70 → 190 (120 s).
    expect(at(60, counter(1), { kind: 'call-next' })).toBe(id('A001'));
    at(70, counter(1), { kind: 'start', ticketId: id('A001') });
    // A002 at counter 2: waited 55 s, Start skipped, finished 60 s after the call.
    expect(at(65, counter(2), { kind: 'call-next' })).toBe(id('A002'));
    at(125, counter(2), { kind: 'finish', ticketId: id('A002') });
    // A003 at counter 2: waited 100 s, recalled once, no-show.
    expect(at(130, counter(2), { kind: 'call-next' })).toBe(id('A003'));
    at(160, counter(2), { kind: 'recall', ticketId: id('A003') });
    at(190, counter(1), { kind: 'finish', ticketId: id('A001') });
    at(200, counter(2), { kind: 'no-show', ticketId: id('A003') });
    // B001 at counter 1: waited 180 s, started, sent on to counter 2, which finishes it 40 s after its own call.
    expect(at(200, counter(1), { kind: 'call-next' })).toBe(id('B001'));
    at(210, counter(1), { kind: 'start', ticketId: id('B001') });
    at(250, counter(1), { kind: 'transfer', ticketId: id('B001'), to: { kind: 'counter', counterNo: 2 } });
    expect(at(260, counter(2), { kind: 'call-next' })).toBe(id('B001'));
    at(300, counter(2), { kind: 'finish', ticketId: id('B001') });
    // B002 at counter 1: waited 270 s, served 320 → 380 (60 s).
    expect(at(310, counter(1), { kind: 'call-next' })).toBe(id('B002'));
    at(320, counter(1), { kind: 'start', ticketId: id('B002') });
    at(380, counter(1), { kind: 'finish', ticketId: id('B002') });
    // A004 still waits at 400 s: 350 s so far.

    const figures = computeHallFigures(state, settings, new Date(T0 + 400_000), new Set([1]));
    expect(figures.day).toBe('2026-03-02');
    expect(figures.nowWaiting).toBe(1);
    expect(figures.nowLongestWaitSeconds).toBe(350);
    // Waits 60, 55, 100, 180, 270 → 665 / 5 = 133; services 120, 60, 40, 60 → 280 / 4 = 70.
    expect(figures.total).toEqual({
      tickets: 6,
      served: 4,
      noShows: 1,
      transfersOut: 1,
      averageWaitSeconds: 133,
      longestWaitSeconds: 270,
      averageServiceSeconds: 70,
      longestServiceSeconds: 120,
    });
    const service = (code: string) => figures.byService.find((s) => s.service === code);
    // A by issue: waits 60, 55, 100 → 71.67 → 72; services 120, 60 → 90.
    expect(service('A')).toEqual({
      service: 'A',
      nowWaiting: 1,
      nowLongestWaitSeconds: 350,
      stats: { tickets: 4, served: 2, noShows: 1, transfersOut: 0, averageWaitSeconds: 72, longestWaitSeconds: 100, averageServiceSeconds: 90, longestServiceSeconds: 120 },
    });
    // B: waits 180, 270 → 225; services 40 (at counter 2), 60 → 50.
    expect(service('B')).toEqual({
      service: 'B',
      nowWaiting: 0,
      nowLongestWaitSeconds: null,
      stats: { tickets: 2, served: 2, noShows: 0, transfersOut: 1, averageWaitSeconds: 225, longestWaitSeconds: 270, averageServiceSeconds: 50, longestServiceSeconds: 60 },
    });
    expect(service('C')?.stats).toEqual({ tickets: 0, served: 0, noShows: 0, transfersOut: 0, averageWaitSeconds: null, longestWaitSeconds: null, averageServiceSeconds: null, longestServiceSeconds: null });
    expect(figures.byService.map((s) => s.service)).toEqual(['A', 'B', 'C', 'D']);

    const [one, two] = figures.byCounter;
    // Counter 1 called A001, B001, B002; first-called waits 60, 180, 270 → 170; finished A001 (120), B002 (60) → 90.
    expect(one).toMatchObject({
      counterNo: 1,
      online: true,
      current: null,
      waitingForMe: 1,
      stats: { tickets: 3, served: 2, noShows: 0, transfersOut: 1, averageWaitSeconds: 170, longestWaitSeconds: 270, averageServiceSeconds: 90, longestServiceSeconds: 120 },
    });
    // Counter 2 called A002, A003, B001 (not first); waits 55, 100 → 77.5 → 78; finished A002 (60), B001 (40) → 50.
    expect(two).toMatchObject({
      counterNo: 2,
      online: false,
      current: null,
      waitingForMe: 1,
      stats: { tickets: 3, served: 2, noShows: 1, transfersOut: 0, averageWaitSeconds: 78, longestWaitSeconds: 100, averageServiceSeconds: 50, longestServiceSeconds: 60 },
    });
    expect(figures.tickets.map((t) => [t.number, t.state])).toEqual([
      ['A001', 'done'],
      ['A002', 'done'],
      ['B001', 'done'],
      ['A003', 'no-show'],
      ['B002', 'done'],
      ['A004', 'waiting'],
    ]);
  });

  it('has nulls, not zeros, for averages of an empty day', () => {
    const figures = computeHallFigures(emptyHallQueueState('HALL-1', '2026-03-02'), settings, new Date(T0), new Set());
    expect(figures.nowWaiting).toBe(0);
    expect(figures.nowLongestWaitSeconds).toBeNull();
    expect(figures.total.averageWaitSeconds).toBeNull();
    expect(figures.byCounter.map((c) => c.stats.tickets)).toEqual([0, 0]);
  });
});
