/**
 * The hall hub under load (issue 6), disk-backed in <root>/hall: the queue, the device registry
 * and the hall server on a synced LevelDB `hall` database, with every device a hall client over a
 * loopback WebSocket, as on a hall network:
 *
 *   hall.callNext.p50 / .p95   a counter's "call next" round trip at the client, for calls that
 *                              got a ticket, while five counters call and finish as fast as they
 *                              can, a kiosk issues tickets at a steady pace and a board takes
 *                              every push
 *   hall.issue.p50 / .p95      the kiosk's "take a ticket" round trip meanwhile
 *
 * Counters have no service time, so the hub sees far more calls per second than a real hall
 * (five clerks do perhaps one call a minute each): the figures are the hub's cost under a rush,
 * not a clerk's wait. Ticket printing is left out (no printer): bench printing measures that.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CounterNo, ServiceCode } from '../../core/hall/model.js';
import { manualClock } from '../../core/time/local-date.js';
import { openDeviceRegistry } from '../../electron/hall/device-registry.js';
import { connectHallClient, type HallClient } from '../../electron/hall/hall-client.js';
import { startHallServer } from '../../electron/hall/hall-server.js';
import { openHallQueue } from '../../electron/hall/queue-service.js';
import { openDurable } from '../../electron/station/database.js';

type Report = (bench: string, value: number, unit: string, n: number) => void;
type Note = (line: string) => void;

const NOW = '2026-11-21T02:00:00.000Z';
const COUNTERS: readonly CounterNo[] = [1, 2, 3, 4, 5];
const SERVICES: readonly ServiceCode[] = ['A', 'B'];
const TICKETS = 3000;
/** One ticket every this many ms: 3,000 over about 12 s. */
const ISSUE_INTERVAL_MS = 4;
/** An idle counter looks again after a push says it has tickets, or after this long. */
const IDLE_WAIT_MS = 50;
const REQUEST_TIMEOUT_MS = 30_000;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when a push says this counter has tickets to call, or after `ms`. */
function untilWaitingOrTimeout(client: HallClient, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stop();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = client.onChange(() => {
      if ((client.state().counter?.waitingForMe ?? 0) > 0) done();
    });
  });
}

async function untilOnline(clients: readonly HallClient[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!clients.every((client) => client.state().connection === 'online')) {
    if (performance.now() > deadline) throw new Error(`hall bench: clients not online: ${clients.map((client) => client.state().connection).join(', ')}`);
    await delay(10);
  }
}

interface CounterRun {
  readonly counterNo: CounterNo;
  readonly callMs: number[];
  readonly finishMs: number[];
  empty: number;
}

export async function benchHall(root: string, report: Report, note: Note): Promise<void> {
  note(`\n== hall hub: ${COUNTERS.length} counters calling while a kiosk issues ${TICKETS.toLocaleString()} tickets (one per ${ISSUE_INTERVAL_MS} ms) and a board listens`);
  const dir = join(root, 'hall');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const clock = manualClock(NOW);
  const db = openDurable(join(dir, 'hall'));
  const queue = await openHallQueue({ db, hallId: 'BENCH01', timeZone: 'Asia/Shanghai', clock });
  const registry = await openDeviceRegistry({ db, clock });
  const saved = await queue.saveSettings({ ...queue.settings(), counters: COUNTERS.map((counterNo) => ({ counterNo, services: [...SERVICES] })) });
  if (!saved.ok) throw new Error(`hall bench: settings: ${saved.error.code}`);
  const server = await startHallServer({
    queue,
    registry,
    bindAddress: '127.0.0.1',
    port: 0,
    rendererDir: join(dir, 'renderer'),
    printTicket: () => Promise.resolve({ state: 'no-printer', problem: null }),
    clock,
  });
  const hubUrl = `http://127.0.0.1:${server.port}`;
  const connect = async (kind: 'kiosk' | 'board' | 'counter', name: string, counterNo: CounterNo | null): Promise<HallClient> => {
    const { credential } = await registry.issue({ kind, name, counterNo, printer: null, issuedBy: 'bench' });
    return connectHallClient({ hubUrl, credential, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  };
  const kiosk = await connect('kiosk', '取号机', null);
  const board = await connect('board', '叫号屏', null);
  const counters = new Map<CounterNo, HallClient>();
  for (const counterNo of COUNTERS) counters.set(counterNo, await connect('counter', `${counterNo}号窗口`, counterNo));
  const clients = [kiosk, board, ...counters.values()];
  let announced = 0;
  let boardPushes = 0;
  board.onCalled(() => {
    announced += 1;
  });
  board.onChange(() => {
    boardPushes += 1;
  });

  try {
    await untilOnline(clients, 10_000);
    const issueMs: number[] = [];
    let kioskDone = false;
    const started = performance.now();

    const issueAll = async (): Promise<void> => {
      try {
        for (let i = 0; i < TICKETS; i += 1) {
          // A steady pace by the schedule, not by the answers: a slow answer does not slow the hall's arrivals.
          const due = started + i * ISSUE_INTERVAL_MS;
          const now = performance.now();
          if (due > now) await delay(due - now);
          const t0 = performance.now();
          const issued = await kiosk.call('hall.issueTicket', { requestId: `kiosk-${String(i).padStart(6, '0')}`, service: SERVICES[i % SERVICES.length] ?? 'A', priority: i % 10 === 0 ? 'elderly' : 'none' });
          issueMs.push(performance.now() - t0);
          if (!issued.ok) throw new Error(`hall bench: issue ${i}: ${issued.error.code} ${issued.error.message}`);
        }
      } finally {
        kioskDone = true;
      }
    };

    const serve = async (counterNo: CounterNo, client: HallClient): Promise<CounterRun> => {
      const run: CounterRun = { counterNo, callMs: [], finishMs: [], empty: 0 };
      for (let turn = 0; ; turn += 1) {
        // Read before the call: the kiosk may issue one more while an empty answer is on its way back.
        const last = kioskDone;
        const t0 = performance.now();
        const called = await client.call('hall.callNext', { requestId: `c${counterNo}-call-${turn}` });
        const ms = performance.now() - t0;
        if (!called.ok) {
          if (called.error.code !== 'HALL_QUEUE_EMPTY') throw new Error(`hall bench: counter ${counterNo} call: ${called.error.code} ${called.error.message}`);
          run.empty += 1;
          if (last) return run;
          await untilWaitingOrTimeout(client, IDLE_WAIT_MS);
          continue;
        }
        const ticket = called.value.current;
        if (ticket === null) throw new Error(`hall bench: counter ${counterNo}: a call answered without a ticket`);
        run.callMs.push(ms);
        const t1 = performance.now();
        const finished = await client.call('hall.finish', { requestId: `c${counterNo}-finish-${turn}`, ticketId: ticket.ticketId });
        run.finishMs.push(performance.now() - t1);
        if (!finished.ok) throw new Error(`hall bench: counter ${counterNo} finish: ${finished.error.code} ${finished.error.message}`);
      }
    };

    const [runs] = await Promise.all([Promise.all([...counters].map(([counterNo, client]) => serve(counterNo, client))), issueAll()]);
    const elapsedMs = performance.now() - started;

    // The figures count only if the hall did what it should: every ticket called once and done.
    const tickets = queue.tickets();
    const calls = runs.reduce((sum, run) => sum + run.callMs.length, 0);
    const notDone = tickets.filter((ticket) => ticket.state !== 'done').length;
    if (tickets.length !== TICKETS || calls !== TICKETS || notDone !== 0) throw new Error(`hall bench: ${tickets.length} tickets, ${calls} calls, ${notDone} not done`);
    const deadline = performance.now() + 10_000;
    while (announced < TICKETS && performance.now() < deadline) await delay(10);
    if (announced !== TICKETS) throw new Error(`hall bench: the board heard ${announced} calls of ${TICKETS}`);

    const callMs = runs.flatMap((run) => run.callMs);
    const finishMs = runs.flatMap((run) => run.finishMs);
    report('hall.callNext.p50', percentile(callMs, 50), 'ms', callMs.length);
    report('hall.callNext.p95', percentile(callMs, 95), 'ms', callMs.length);
    report('hall.issue.p50', percentile(issueMs, 50), 'ms', issueMs.length);
    report('hall.issue.p95', percentile(issueMs, 95), 'ms', issueMs.length);

    const ms = (value: number): string => value.toFixed(2).padStart(8);
    note('  who         tickets   call p50   call p95   call max  finish p95  empty answers');
    for (const run of runs) {
      note(
        `  counter ${String(run.counterNo).padEnd(3)} ${String(run.callMs.length).padStart(7)} ${ms(percentile(run.callMs, 50))}   ${ms(percentile(run.callMs, 95))}   ${ms(Math.max(...run.callMs))}   ${ms(percentile(run.finishMs, 95))}  ${String(run.empty).padStart(13)}`,
      );
    }
    note(`  all         ${String(callMs.length).padStart(7)} ${ms(percentile(callMs, 50))}   ${ms(percentile(callMs, 95))}   ${ms(Math.max(...callMs))}   ${ms(percentile(finishMs, 95))}  ${String(runs.reduce((sum, run) => sum + run.empty, 0)).padStart(13)}`);
    note(`  kiosk       ${String(issueMs.length).padStart(7)} ${ms(percentile(issueMs, 50))}   ${ms(percentile(issueMs, 95))}   ${ms(Math.max(...issueMs))}`);
    note(
      `  ${((performance.now() - started) / 1000).toFixed(1)} s in all (${(elapsedMs / 1000).toFixed(1)} s of calling); ${((TICKETS * 3) / (elapsedMs / 1000)).toFixed(0)} durable writes/s; the board heard ${announced} calls in ${boardPushes} changes`,
    );
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
    await queue.close();
    await db.close();
  }
}
