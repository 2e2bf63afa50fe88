/**
 * The hub under a rush, through real sockets: 1,000 tickets of one service, then three counters
 * serving the same queue as fast as they can, each pressing "call next" twice at once every time.
 * The hub's parts (queue, registry, server on a synced LevelDB `hall` database) run on loopback
 * without a station; the kiosk, the board and the counters are hall clients over WebSockets.
 * Every ticket must be called exactly once, by one counter, and announced once on the board.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallView, CounterNo } from '../../core/hall/model.js';
import { manualClock } from '../../core/time/local-date.js';
import { openDeviceRegistry } from '../../electron/hall/device-registry.js';
import { connectHallClient, type HallClient } from '../../electron/hall/hall-client.js';
import { startHallServer, type HallServer } from '../../electron/hall/hall-server.js';
import { openHallQueue } from '../../electron/hall/queue-service.js';
import type { HallQueue } from '../../electron/hall/types.js';
import { openDurable, type Database } from '../../electron/station/database.js';
import { waitUntil } from '../support/hall.js';

const TICKETS = 1000;
const COUNTERS: readonly CounterNo[] = [1, 2, 3];
/** Requests the kiosk keeps in flight: a queue of presses, as at opening time. */
const KIOSK_IN_FLIGHT = 8;

let dir: string;
let db: Database;
let queue: HallQueue;
let server: HallServer;
let kiosk: HallClient;
let board: HallClient;
const counters = new Map<CounterNo, HallClient>();
const announced: CallView[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tongda-hall-load-'));
  const clock = manualClock('2026-03-02T01:00:00Z');
  db = openDurable(join(dir, 'hall'));
  queue = await openHallQueue({ db, hallId: 'HALL01', timeZone: 'Asia/Shanghai', clock });
  const registry = await openDeviceRegistry({ db, clock });
  const saved = await queue.saveSettings({ ...queue.settings(), counters: COUNTERS.map((counterNo) => ({ counterNo, services: ['A'] })) });
  if (!saved.ok) throw new Error(`settings: ${saved.error.code}`);
  server = await startHallServer({
    queue,
    registry,
    bindAddress: '127.0.0.1',
    port: 0,
    rendererDir: join(dir, 'renderer'),
    printTicket: () => Promise.resolve({ state: 'no-printer', problem: null }),
    clock,
  });
  const hubUrl = `http://127.0.0.1:${server.port}`;
  const credentialOf = async (kind: 'kiosk' | 'board' | 'counter', name: string, counterNo: CounterNo | null) =>
    (await registry.issue({ kind, name, counterNo, printer: null, issuedBy: '0001' })).credential;
  kiosk = connectHallClient({ hubUrl, credential: await credentialOf('kiosk', '取号机', null) });
  board = connectHallClient({ hubUrl, credential: await credentialOf('board', '叫号屏', null) });
  board.onCalled((call) => announced.push(call));
  for (const counterNo of COUNTERS) counters.set(counterNo, connectHallClient({ hubUrl, credential: await credentialOf('counter', `${counterNo}号窗口`, counterNo) }));
  const clients = [kiosk, board, ...counters.values()];
  await waitUntil(() => clients.every((client) => client.state().connection === 'online'));
}, 30_000);

afterAll(async () => {
  await Promise.all([kiosk, board, ...counters.values()].map((client) => client.close()));
  await server.close();
  await queue.close();
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

const codeOf = (result: { ok: boolean; error?: { code: string } }): string => (result.ok ? 'ok' : (result.error?.code ?? 'unknown'));

/** One counter serving until the queue is empty; every call is a double press. Returns the tickets it called. */
async function serve(counterNo: CounterNo, client: HallClient): Promise<string[]> {
  const called: string[] = [];
  for (let turn = 0; ; turn += 1) {
    const requestId = `c${counterNo}-call-${turn}`;
    // Half the turns press again with a new request (a double click); half resend the same one (a retry).
    const retry = turn % 2 === 1;
    const [first, second] = await Promise.all([client.call('hall.callNext', { requestId }), client.call('hall.callNext', { requestId: retry ? requestId : `c${counterNo}-again-${turn}` })]);
    const answers = [first, second];
    if (answers.every((answer) => codeOf(answer) === 'HALL_QUEUE_EMPTY')) return called;
    const tickets = answers.flatMap((answer) => (answer.ok && answer.value.current !== null ? [answer.value.current.ticketId] : []));
    if (retry) {
      expect(answers.map(codeOf)).toEqual(['ok', 'ok']);
      expect(tickets[0]).toBeDefined();
      expect(tickets[1]).toBe(tickets[0]);
    } else {
      expect(answers.map(codeOf).sort()).toEqual(['HALL_COUNTER_BUSY', 'ok']);
      expect(tickets).toHaveLength(1);
    }
    const ticketId = tickets[0];
    if (ticketId === undefined) throw new Error(`counter ${counterNo}: no ticket in ${JSON.stringify(answers)}`);
    called.push(ticketId);
    const finished = await client.call('hall.finish', { requestId: `c${counterNo}-finish-${turn}`, ticketId });
    expect(codeOf(finished)).toBe('ok');
  }
}

describe('the hall hub under a rush', () => {
  it('1,000 tickets, three counters calling at once with double presses: each ticket called once and announced once', async () => {
    const started = performance.now();
    const numbers: string[] = [];
    for (let next = 0; next < TICKETS; next += KIOSK_IN_FLIGHT) {
      const batch = Array.from({ length: Math.min(KIOSK_IN_FLIGHT, TICKETS - next) }, (_, i) => kiosk.call('hall.issueTicket', { requestId: `kiosk-${String(next + i).padStart(5, '0')}`, service: 'A', priority: 'none' }));
      for (const issued of await Promise.all(batch)) {
        if (!issued.ok) throw new Error(`issue failed: ${issued.error.code}`);
        numbers.push(issued.value.ticket.number);
      }
    }
    expect(new Set(numbers).size).toBe(TICKETS);
    const issuedMs = performance.now() - started;

    const served = await Promise.all([...counters].map(async ([counterNo, client]) => ({ counterNo, tickets: await serve(counterNo, client) })));
    const servedMs = performance.now() - started - issuedMs;

    const all = served.flatMap((counter) => counter.tickets);
    expect(all).toHaveLength(TICKETS);
    expect(new Set(all).size).toBe(TICKETS);
    for (const counter of served) expect(counter.tickets.length, `counter ${counter.counterNo}'s share`).toBeGreaterThan(0);

    // The record agrees: one 'called' event per ticket, every ticket done.
    const tickets = queue.tickets();
    expect(tickets).toHaveLength(TICKETS);
    expect(tickets.filter((ticket) => ticket.state !== 'done')).toEqual([]);
    for (const ticket of tickets) {
      const history = queue.ticket({ ticketId: ticket.ticketId });
      if (!history.ok) throw new Error(`no history for ${ticket.number}`);
      expect(history.value.events.filter((event) => event.kind === 'called').length, ticket.number).toBe(1);
    }

    // The board heard every call once, and its last snapshot has nobody waiting.
    await waitUntil(() => announced.length >= TICKETS, 10_000, 25, () => `${announced.length} announced`);
    expect(announced.filter((call) => call.recall)).toEqual([]);
    expect(new Set(announced.map((call) => call.ticketId)).size).toBe(TICKETS);
    expect(announced).toHaveLength(TICKETS);
    await waitUntil(() => {
      const snapshot = board.state().board;
      return snapshot !== null && snapshot.waiting.every((service) => service.count === 0) && snapshot.counters.every((counter) => counter.current === null);
    });
    expect(board.state().board?.waiting.find((service) => service.service === 'A')?.count).toBe(0);

    process.stderr.write(
      `hall-load: ${TICKETS} issued in ${issuedMs.toFixed(0)} ms, served in ${servedMs.toFixed(0)} ms; shares ${served.map((counter) => `${counter.counterNo}:${counter.tickets.length}`).join(' ')}\n`,
    );
  }, 60_000);
});
