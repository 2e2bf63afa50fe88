/**
 * `npm run bench`: the foundation's figures, measured through the contract on a disk-backed
 * data folder (.data/bench, not tmpfs). One JSON line per figure on stdout, a table on stderr.
 *
 *   lookup.index.p50/p95     accounts.search through the dispatcher, fixed query mix, at 100k and 1.2M
 *   lookup.pouchdb-find.*    the same kinds of query with pouchdb-find on the 100k set (indexed where it can be)
 *   index.build / index.heap station start (scan + index) time, and the heap it holds (JS heap + array buffers)
 *   commit.p50/p95           payments.confirm latency (entry + audit record, one synced batch)
 *   commit.fdatasync         fdatasync calls per confirm, counted by strace when it is installed
 *   topup.<baud>.*           a top-up from card inserted to committed, pacing on, beside the floor
 *                            (wire time + card write time + turnaround per exchange): test/bench/topup.ts
 *   sync.*                   station sync: push beside plain replication, provisioning from a snapshot: test/bench/sync.ts
 *   hall.*                   the hall hub under load: five counters' callNext round trips while a kiosk issues
 *                            and a board listens, and the kiosk's issue round trip: test/bench/hall.ts
 *
 * Options: --sizes 100000,1200000  --commits 200  --only lookups|commits|topups|prints|sync|hall  --commit-only (used under strace)
 */
import { benchPrinting } from './printing.js';
import { spawnSync } from 'node:child_process';
import { accessSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import PouchDB from 'pouchdb';
import PouchDBFind from 'pouchdb-find';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { Result } from '../../core/contract/result.js';
import { generateAccounts, generateBills } from '../../core/demo-data/generator.js';
import { createRandom } from '../../core/demo-data/random.js';
import { fen } from '../../core/money/money.js';
import type { AccountDoc } from '../../core/schema/documents.js';
import { manualClock } from '../../core/time/local-date.js';
import { openStationDatabases } from '../../electron/station/database.js';
import { TongdaSyncedLeveldown } from '../../electron/station/durable-leveldown.js';
import { openStation } from '../../electron/station/open-station.js';
import { seedDemoData } from '../../electron/station/seed.js';
import { benchHall } from './hall.js';
import { benchSync } from './sync.js';
import { benchTopups } from './topup.js';
import type { RunningStation } from '../../electron/station/types.js';

const NOW = '2026-11-21T02:00:00.000Z';
const TODAY = '2026-11-21';
const SEED = 42;
const ROOT = resolve('.data/bench');
const quiet = { info: () => undefined, error: (m: string, e: unknown) => process.stderr.write(`${m}: ${String(e)}\n`) };

interface Figure {
  bench: string;
  value: number;
  unit: string;
  n: number;
}
const figures: Figure[] = [];
function report(bench: string, value: number, unit: string, n: number): void {
  const figure = { bench, value: Math.round(value * 100) / 100, unit, n };
  figures.push(figure);
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}
function note(line: string): void {
  process.stderr.write(`${line}\n`);
}
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}
function memory(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

class ContractCaller {
  private id = 1;
  constructor(
    private readonly station: RunningStation,
    private session?: string,
  ) {}
  async call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<Result<CommandOutput<C>>> {
    const request = { type: 'request', id: this.id++, command, input, ...(this.session ? { session: this.session } : {}) };
    const response = await this.station.dispatcher.dispatch(request, { connectionId: 'bench', transport: 'websocket' });
    return response.result as Result<CommandOutput<C>>;
  }
  async login(staffNo: string): Promise<void> {
    const result = await this.call('session.login', { staffNo, password: '123456' });
    if (!result.ok) throw new Error(`login failed: ${result.error.code}`);
    this.session = result.value.session;
  }
}

async function ensureSeeded(size: number, withBills: boolean): Promise<string> {
  const dataDir = join(ROOT, `accounts-${size}${withBills ? '-bills' : ''}`);
  const marker = join(dataDir, 'seeded.json');
  if (existsSync(marker)) return dataDir;
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const dbs = openStationDatabases(dataDir);
  const started = performance.now();
  let last = 0;
  await seedDemoData(dbs.master, {
    accounts: size,
    seed: SEED,
    today: TODAY,
    withBills,
    batchSize: 5000,
    onProgress: (written) => {
      if (written - last >= 100_000) {
        last = written;
        note(`  seeded ${written.toLocaleString()} accounts (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    },
  });
  await dbs.close();
  note(`  seeding ${size.toLocaleString()} accounts took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  writeFileSync(marker, JSON.stringify({ size, seed: SEED, today: TODAY, withBills }));
  return dataDir;
}

type QueryKind = 'account-no' | 'phone-tail' | 'surname' | 'full-name' | 'address';
interface Query {
  readonly kind: QueryKind;
  readonly text: string;
}

/** A fixed mix drawn from the same generated accounts: 1,000 queries, 200 of each kind. */
function queryMix(size: number, perKind = 200): Query[] {
  const random = createRandom(SEED + size);
  const samples: AccountDoc[] = [];
  const every = Math.max(1, Math.floor(size / (perKind * 2)));
  let i = 0;
  for (const account of generateAccounts({ seed: SEED, count: size, today: TODAY })) {
    if (i++ % every === 0) samples.push(account);
  }
  const pick = (): AccountDoc => {
    const sample = samples[Math.floor(random.next() * samples.length)] ?? samples[0];
    if (!sample) throw new Error('no accounts to sample');
    return sample;
  };
  const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵'];
  const queries: Query[] = [];
  for (let k = 0; k < perKind; k += 1) {
    queries.push({ kind: 'account-no', text: pick().accountNo });
    queries.push({ kind: 'phone-tail', text: pick().phone.slice(-4) });
    queries.push({ kind: 'surname', text: surnames[k % surnames.length] ?? '王' });
    queries.push({ kind: 'full-name', text: pick().ownerName });
    const address = pick().address;
    const start = 3 + Math.floor(random.next() * Math.max(1, address.length - 7));
    queries.push({ kind: 'address', text: address.slice(start, start + 4) });
  }
  return queries;
}

async function benchLookups(size: number): Promise<void> {
  note(`\n== lookups at ${size.toLocaleString()} accounts`);
  const dataDir = await ensureSeeded(size, false);
  const before = memory();
  const started = performance.now();
  const station = await openStation({ dataDir, clock: manualClock(NOW), log: quiet });
  const openMs = performance.now() - started;
  const heapBytes = memory() - before;
  report('index.build', openMs, 'ms', size);
  report('index.heap', heapBytes / 1048576, 'MB', size);
  try {
    const caller = new ContractCaller(station);
    await caller.login('1001');
    const queries = queryMix(size);
    for (const q of queries.slice(0, 50)) await caller.call('accounts.search', { query: q.text }); // warm-up
    const byKind = new Map<QueryKind, number[]>();
    const all: number[] = [];
    let totalMatches = 0;
    for (const q of queries) {
      const t0 = performance.now();
      const result = await caller.call('accounts.search', { query: q.text });
      const ms = performance.now() - t0;
      if (!result.ok) throw new Error(`search failed: ${result.error.code}`);
      totalMatches += result.value.total;
      all.push(ms);
      const list = byKind.get(q.kind) ?? [];
      list.push(ms);
      byKind.set(q.kind, list);
    }
    report('lookup.index.p50', percentile(all, 50), 'ms', size);
    report('lookup.index.p95', percentile(all, 95), 'ms', size);
    for (const [kind, list] of byKind) note(`  ${kind.padEnd(11)} p50 ${percentile(list, 50).toFixed(2)} ms  p95 ${percentile(list, 95).toFixed(2)} ms`);
    note(`  ${queries.length} queries, ${totalMatches.toLocaleString()} matches in all`);
  } finally {
    await station.close();
  }
  if (size <= 100_000) await benchPouchdbFind(dataDir, size);
}

async function benchPouchdbFind(dataDir: string, size: number): Promise<void> {
  note(`  pouchdb-find on the same ${size.toLocaleString()} accounts`);
  PouchDB.plugin(PouchDBFind);
  const db = new PouchDB(join(dataDir, 'db', 'master'), { adapter: 'leveldb', db: TongdaSyncedLeveldown }) as PouchDB.Database & {
    createIndex(index: { index: { fields: string[] } }): Promise<unknown>;
    find(request: { selector: Record<string, unknown>; limit?: number }): Promise<{ docs: unknown[] }>;
  };
  try {
    const indexStarted = performance.now();
    for (const field of ['accountNo', 'phone', 'ownerName']) await db.createIndex({ index: { fields: [field] } });
    note(`  pouchdb-find indexes built in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);
    // Fewer queries: each partial match is a full scan taking about a second.
    const queries = queryMix(size, 6);
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const selectorFor = (q: Query): Record<string, unknown> => {
      switch (q.kind) {
        case 'account-no':
          return { accountNo: q.text };
        case 'phone-tail':
          return { phone: { $regex: `${escape(q.text)}$` } };
        case 'surname':
          return { ownerName: { $regex: `^${escape(q.text)}` } };
        case 'full-name':
          return { ownerName: q.text };
        case 'address':
          return { address: { $regex: escape(q.text) } };
        default: {
          const unreachable: never = q.kind;
          return unreachable;
        }
      }
    };
    const all: number[] = [];
    for (const q of queries) {
      const t0 = performance.now();
      await db.find({ selector: selectorFor(q), limit: 20 });
      all.push(performance.now() - t0);
    }
    report('lookup.pouchdb-find.p50', percentile(all, 50), 'ms', size);
    report('lookup.pouchdb-find.p95', percentile(all, 95), 'ms', size);
  } finally {
    await db.close();
  }
}

async function benchCommits(count: number, reportFigures = true): Promise<void> {
  note(`\n== payment commits (${count})`);
  const dataDir = join(ROOT, 'commits');
  rmSync(dataDir, { recursive: true, force: true });
  const accountsNeeded = Math.max(2000, count * 4);
  const station = await openStation({ dataDir, clock: manualClock(NOW), demo: { accounts: accountsNeeded, seed: SEED }, log: quiet });
  try {
    const caller = new ContractCaller(station);
    await caller.login('1001');
    const targets: { accountNo: string; billIds: string[] }[] = [];
    for (const account of generateAccounts({ seed: SEED, count: accountsNeeded, today: TODAY })) {
      if (account.meterKind !== 'post-paid' || account.status === 'closed' || account.openingCredit !== 0) continue;
      const unpaid = generateBills(account, { today: TODAY, seed: SEED }).filter((b) => b.externalPayment === null);
      if (unpaid.length === 0) continue;
      targets.push({ accountNo: account.accountNo, billIds: unpaid.sort((a, b) => a.period.localeCompare(b.period)).map((b) => b.billId) });
      if (targets.length === count) break;
    }
    const latencies: number[] = [];
    mark('start');
    for (const target of targets) {
      const quote = await caller.call('payments.prepare', target);
      if (!quote.ok) throw new Error(`prepare failed: ${quote.error.code}`);
      const t0 = performance.now();
      const confirmed = await caller.call('payments.confirm', { txnId: quote.value.txnId, method: 'cash', tendered: fen(quote.value.due) });
      latencies.push(performance.now() - t0);
      if (!confirmed.ok) throw new Error(`confirm failed: ${confirmed.error.code}`);
    }
    mark('end');
    if (reportFigures) {
      report('commit.p50', percentile(latencies, 50), 'ms', latencies.length);
      report('commit.p95', percentile(latencies, 95), 'ms', latencies.length);
    }
  } finally {
    await station.close();
  }
}

/** A system call strace can see, to bracket the commit phase in its log. */
function mark(which: 'start' | 'end'): void {
  try {
    accessSync(`/nonexistent/TONGDA_MARK_${which}`);
  } catch {
    // Expected: only the attempt matters.
  }
}

/** Runs the commit phase again under strace and counts fdatasync/fsync calls per confirm, between the marks. */
function benchFsyncUnderStrace(self: string, count: number): void {
  const strace = ['/usr/bin/strace', '/bin/strace'].find((path) => existsSync(path));
  if (!strace) {
    note('\n(strace not installed: fdatasync count skipped; the unit test checks every write is issued with sync)');
    return;
  }
  const out = join(ROOT, 'strace.txt');
  const run = spawnSync(strace, ['-f', '-e', 'trace=fdatasync,fsync,access,faccessat,faccessat2', '-o', out, process.execPath, self, '--commit-only', '--commits', String(count)], { stdio: 'ignore' });
  if (run.status !== 0) {
    note('\n(strace run failed: fdatasync count skipped)');
    return;
  }
  const lines = readFileSync(out, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.includes('TONGDA_MARK_start'));
  const end = lines.findIndex((line) => line.includes('TONGDA_MARK_end'));
  const perCommit = lines.slice(start, end).filter((line) => /\b(fdatasync|fsync)\(/.test(line) && !line.includes('resumed>')).length / count;
  report('commit.fdatasync', perCommit, 'calls/commit', count);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100000,1200000' },
      commits: { type: 'string', default: '200' },
      'commit-only': { type: 'boolean', default: false },
      /** lookups | commits | topups | prints | sync | hall: one part only (default: all). */
      only: { type: 'string', default: '' },
    },
  });
  const commits = Number(values.commits);
  mkdirSync(ROOT, { recursive: true });
  if (values['commit-only']) {
    await benchCommits(commits, false);
    return;
  }
  const only = values.only;
  if (only === '' || only === 'lookups') for (const size of values.sizes.split(',').map(Number)) await benchLookups(size);
  if (only === '' || only === 'commits') {
    await benchCommits(commits);
    benchFsyncUnderStrace(process.argv[1] ?? '', 50);
  }
  if (only === '' || only === 'topups') await benchTopups(report, note);
  if (only === '' || only === 'prints') await benchPrinting(ROOT, report, note);
  if (only === '' || only === 'sync') await benchSync(ROOT, report, note);
  if (only === '' || only === 'hall') await benchHall(ROOT, report, note);

  note('\nbench                          value        unit          n');
  for (const f of figures) note(`${f.bench.padEnd(30)} ${String(f.value).padStart(10)}  ${f.unit.padEnd(12)} ${f.n.toLocaleString().padStart(10)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
