/**
 * Top-up latency against its floor, at 9600 and 115200 baud, with the GCR-1 emulator pacing its
 * bytes at the baud and charging the card's time (test/support/card-station.ts, a real socat pty).
 *
 * Measured: from the moment `demo.card insert` returns to `topup.confirm` returning 'on-card',
 * i.e. card.inspect → topup.prepare → topup.confirm through the dispatcher. Between top-ups the
 * card goes to its meter (`demo.card use-in-meter`) and out of the reader, outside the window.
 *
 * The emulator paces both directions (`set-pacing` with `requests`): its responses go out at the
 * baud, and it takes a request only when the request's bytes would have arrived.
 *
 * The floor is what that window cannot go below with the exchanges the station actually made,
 * counted by the emulator over exactly the window (its stats before the insert and after the
 * confirm):
 *   wire        every byte on the line in the window, both directions (requests, responses and
 *               the insertion event), 10 bits a byte at the baud
 *   card        the card's time: 5 ms per byte written, 50 ms per VERIFY_PSC
 *   turnaround  the emulator's turnaround (15 ms) per exchange
 * ratio = p50 / floor; the target is at most 1.25.
 *
 * One more top-up per baud, before the timed ones (the warm-up), is cut into its phases to show
 * where the exchanges go. Figures: topup.<baud>.{p50,p95,floor,wire,card,turnaround,ratio,
 * exchanges,bytes}.
 */
import { performance } from 'node:perf_hooks';
import { gas } from '../../core/money/money.js';
import { wireTimeMs, type BaudRate } from '../../hardware/gcr1/frame.js';
import type { ReaderStats } from '../../hardware/emulator/reader.js';
import { openCardStation, type CardStation } from '../support/card-station.js';
import { unwrap } from '../support/station-fixture.js';

export type Report = (bench: string, value: number, unit: string, n: number) => void;
export type Note = (line: string) => void;

export interface TopupBenchOptions {
  readonly bauds?: readonly BaudRate[];
  /** Timed top-ups per baud (after one warm-up). */
  readonly topups?: number;
  /** The demo card to top up (it must be a prepaid card that can buy at once). */
  readonly card?: string;
}

export const TOPUP_TARGET_RATIO = 1.25;

type Counters = Omit<ReaderStats, 'commands'>;
interface Window {
  readonly counters: Counters;
  readonly commands: Record<string, number>;
}

const COUNTER_KEYS = [
  'requests',
  'responses',
  'events',
  'discardedBusy',
  'discardedSeq0',
  'droppedResponses',
  'parserDroppedBytes',
  'bytesReceived',
  'responseBytes',
  'eventBytes',
  'cardMs',
  'turnaroundMs',
  'busyMs',
] as const satisfies readonly (keyof Counters)[];

function delta(before: ReaderStats, after: ReaderStats): Window {
  const counters = {} as Record<keyof Counters, number>;
  for (const key of COUNTER_KEYS) counters[key] = after[key] - before[key];
  const commands: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.commands)) {
    const d = count - (before.commands[name] ?? 0);
    if (d > 0) commands[name] = d;
  }
  return { counters, commands };
}

interface Floor {
  readonly wire: number;
  readonly card: number;
  readonly turnaround: number;
  readonly total: number;
}

/** The floor of a window at `baud`. Wire time is rounded up once, for the window's bytes. */
function floorOf(w: Window, baud: number): Floor {
  const c = w.counters;
  const wire = wireTimeMs(c.bytesReceived + c.responseBytes + c.eventBytes, baud);
  return { wire, card: c.cardMs, turnaround: c.turnaroundMs, total: wire + c.cardMs + c.turnaroundMs };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function stats(t: CardStation): Promise<ReaderStats> {
  return (await t.control().state()).stats;
}

function commandsText(commands: Record<string, number>): string {
  return Object.entries(commands)
    .map(([name, count]) => `${name}×${count}`)
    .join(' ');
}

interface Phase {
  readonly name: string;
  readonly ms: number;
  readonly window: Window;
}

/**
 * One top-up from the insert to 'on-card'. With `phases`, the emulator's counters are also read
 * between the calls (a control round trip each: only for the warm-up, never in a timed window).
 */
async function topupOnce(t: CardStation, card: string, phases: Phase[] | null): Promise<{ ms: number; window: Window }> {
  // Out of the reader, and quiet: the removal event has left the line before the window opens.
  unwrap(await t.call('demo.card', { action: 'remove' }));
  await sleep(50);
  const before = await stats(t);
  unwrap(await t.call('demo.card', { action: 'insert', card }));
  const t0 = performance.now();
  let mark = t0;
  let last = before;
  const phase = async (name: string): Promise<void> => {
    if (!phases) return;
    const now = performance.now();
    const s = await stats(t);
    phases.push({ name, ms: now - mark, window: delta(last, s) });
    last = s;
    mark = performance.now();
  };

  const inspection = unwrap(await t.call('card.inspect', {}));
  await phase('card.inspect');
  if (!inspection.card || !inspection.account) throw new Error(`card ${card}: no card or account in the inspection`);
  if (inspection.refusal !== null) throw new Error(`card ${card} is refused: ${inspection.refusal}`);
  const quote = unwrap(
    await t.call('topup.prepare', { accountNo: inspection.account.accountNo, serial: inspection.card.serial, by: { kind: 'volume', volume: gas(1000) } }),
  );
  await phase('topup.prepare');
  const done = unwrap(await t.call('topup.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.amount }));
  const t1 = performance.now();
  await phase('topup.confirm');
  const after = await stats(t);
  if (done.card !== 'on-card') throw new Error(`top-up ${quote.txnId} is ${done.card}: ${done.problem ?? ''}`);

  // The customer takes the card home and into the meter: not part of the window.
  unwrap(await t.call('demo.card', { action: 'use-in-meter' }));
  // A minute later at the counter, so purchase times move on.
  t.clock.advance(60_000);
  return { ms: t1 - t0, window: delta(before, after) };
}

async function benchBaud(baud: BaudRate, count: number, card: string, report: Report, note: Note): Promise<void> {
  note(`\n== top-up at ${baud} baud, pacing on (${count} top-ups of card "${card}", after one warm-up)`);
  const t = await openCardStation({ pacing: true, baudRate: baud });
  try {
    await t.login('1001');
    // The host's bytes at the baud as well: a pty would hand them over at once, leaving their
    // wire time (in the floor) out of the measurement.
    const { timing } = await t.control().send({ cmd: 'set-pacing', on: true, requests: true });
    const state = await t.control().state();
    if (state.baud !== baud) throw new Error(`the reader runs at ${state.baud} baud, not ${baud}`);
    if (!timing.pacing || !timing.requestPacing) throw new Error('the emulator is not pacing both ways');

    const phases: Phase[] = [];
    const warm = await topupOnce(t, card, phases);
    note(`  warm-up, by phase (${warm.ms.toFixed(0)} ms in all; each phase's ms includes one control round trip):`);
    note(`  ${'phase'.padEnd(14)} ${'ms'.padStart(7)} ${'exch'.padStart(5)} ${'floor'.padStart(7)} ${'bytes in/out'.padStart(13)}  commands`);
    for (const p of phases) {
      const f = floorOf(p.window, baud);
      const c = p.window.counters;
      note(
        `  ${p.name.padEnd(14)} ${p.ms.toFixed(0).padStart(7)} ${String(c.requests).padStart(5)} ${f.total.toFixed(0).padStart(7)} ${`${c.bytesReceived}/${c.responseBytes + c.eventBytes}`.padStart(13)}  ${commandsText(p.window.commands)}`,
      );
    }

    const times: number[] = [];
    const windows: Window[] = [];
    for (let i = 0; i < count; i += 1) {
      const run = await topupOnce(t, card, null);
      times.push(run.ms);
      windows.push(run.window);
    }
    const floors = windows.map((w) => floorOf(w, baud));
    const medianFloor = (pick: (f: Floor) => number): number => percentile(floors.map(pick), 50);
    const floor = { wire: medianFloor((f) => f.wire), card: medianFloor((f) => f.card), turnaround: medianFloor((f) => f.turnaround), total: medianFloor((f) => f.total) };
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    const counters = (key: keyof Counters): number => percentile(windows.map((w) => w.counters[key]), 50);
    const exchanges = counters('requests');
    const bytesIn = counters('bytesReceived');
    const bytesOut = counters('responseBytes') + counters('eventBytes');
    const busy = counters('busyMs');
    const ratio = p50 / floor.total;

    const name = `topup.${baud}`;
    report(`${name}.p50`, p50, 'ms', count);
    report(`${name}.p95`, p95, 'ms', count);
    report(`${name}.floor`, floor.total, 'ms', count);
    report(`${name}.wire`, floor.wire, 'ms', count);
    report(`${name}.card`, floor.card, 'ms', count);
    report(`${name}.turnaround`, floor.turnaround, 'ms', count);
    report(`${name}.ratio`, ratio, 'x', count);
    report(`${name}.exchanges`, exchanges, 'exchanges', count);
    report(`${name}.bytes`, bytesIn + bytesOut, 'bytes', count);

    const spread = new Set(floors.map((f) => f.total)).size;
    note(`  p50 ${p50.toFixed(0)} ms  p95 ${p95.toFixed(0)} ms  floor ${floor.total} ms  ratio ${ratio.toFixed(2)} (target ≤ ${TOPUP_TARGET_RATIO})${spread > 1 ? `  (floors vary: ${spread} values)` : ''}`);
    note(
      `  floor = wire ${floor.wire} ms (${bytesIn} bytes host→reader = ${wireTimeMs(bytesIn, baud)} ms, ${bytesOut} reader→host = ${wireTimeMs(bytesOut, baud)} ms)` +
        ` + card ${floor.card} ms + turnaround ${floor.turnaround} ms (${exchanges} exchanges × 15)`,
    );
    note(
      `  reader busy ${busy.toFixed(0)} ms of the window (turnaround + card + paced responses); the other ${(p50 - busy).toFixed(0)} ms went to requests on the line` +
        ` (${wireTimeMs(bytesIn, baud)} ms) and to the host (driver, station, disk)`,
    );
    note(`  commands per top-up: ${commandsText(windows[0]?.commands ?? {})}`);
  } finally {
    await t.dispose();
  }
}

/** `npm run bench`'s top-up figures; bench.ts passes its `report` and `note`. */
export async function benchTopups(report: Report, note: Note, options: TopupBenchOptions = {}): Promise<void> {
  const bauds = options.bauds ?? [9600, 115200];
  const count = options.topups ?? 20;
  const card = options.card ?? 'loaded';
  for (const baud of bauds) await benchBaud(baud, count, card, report, note);
}
