// Quick measurement of the account index: build time, heap held by the index, search latency.
// Build: npx esbuild test/bench/index-microbench.ts --bundle --platform=node --format=esm --outfile=/tmp/imb.mjs
// Run:   node --expose-gc --max-old-space-size=6144 /tmp/imb.mjs [counts…]   (default 100000 1200000)
import { performance } from 'node:perf_hooks';
import { generateAccounts } from '../../core/demo-data/generator.js';
import { AccountIndex, type IndexedAccount } from '../../core/search/account-index.js';
import { createRandom } from '../../core/demo-data/random.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run node with --expose-gc');

interface Memory {
  readonly heap: number;
  readonly buffers: number;
}

// Typed-array backing stores live outside the V8 heap (`arrayBuffers`), so heapUsed alone would
// miss the posting lists: the index's footprint is the sum of both.
function collect(): Memory {
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

function delta(after: Memory, before: Memory): string {
  const heap = after.heap - before.heap;
  const buffers = after.buffers - before.buffers;
  const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;
  return `${mb(heap + buffers)} (JS heap ${mb(heap)} + array buffers ${mb(buffers)})`;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function measure(count: number): void {
  const today = '2025-06-15';
  // Query material sampled while the accounts stream by (a few hundred, so it does not skew the heap).
  const sample: IndexedAccount[] = [];
  const before = collect();
  const index = new AccountIndex();
  const started = performance.now();
  let generated = 0;
  const pickEvery = Math.max(1, Math.floor(count / 300));
  for (const doc of generateAccounts({ seed: 42, count, today })) {
    const account: IndexedAccount = {
      accountNo: doc.accountNo,
      ownerName: doc.ownerName,
      idNumber: doc.idNumber,
      phone: doc.phone,
      address: doc.address,
      districtName: doc.districtName,
      meterNo: doc.meterNo,
      cardSerial: doc.cardSerial,
      meterKind: doc.meterKind,
      status: doc.status,
    };
    index.upsert(account);
    if (generated % pickEvery === 0) sample.push(account);
    generated += 1;
  }
  const built = performance.now();
  const heapAfterBuild = delta(collect(), before);
  index.compact();
  const compacted = performance.now();
  const heapAfterCompact = delta(collect(), before);

  const random = createRandom(7);
  const kinds: Record<string, string[]> = {
    accountNo: [],
    meterNo: [],
    phoneTail4: [],
    phoneFull: [],
    surname: ['王', '李', '张', '刘', '陈'],
    fullName: [],
    address: ['长江西路', '蜀山区', '5栋', '三河镇', '绿地世纪城', '301室', '杨岗村', '包河大道'],
    multi: ['王 长江', '李 蜀山区', '张 5栋'],
  };
  for (const a of sample) {
    kinds.accountNo?.push(a.accountNo);
    kinds.meterNo?.push(a.meterNo);
    kinds.phoneTail4?.push(a.phone.slice(-4));
    kinds.phoneFull?.push(a.phone);
    kinds.fullName?.push(a.ownerName);
  }
  const queries: { kind: string; q: string }[] = [];
  for (let round = 0; round < 4; round += 1) {
    for (const [kind, list] of Object.entries(kinds)) for (let i = 0; i < 25; i += 1) queries.push({ kind, q: random.pick(list) });
  }
  // Warm up (JIT), then time.
  for (const { q } of queries.slice(0, 200)) index.search(q);
  const byKind = new Map<string, number[]>();
  const all: number[] = [];
  let maxTotal = 0;
  for (const { kind, q } of queries) {
    const t0 = performance.now();
    const result = index.search(q);
    const ms = performance.now() - t0;
    maxTotal = Math.max(maxTotal, result.total);
    all.push(ms);
    const list = byKind.get(kind) ?? [];
    list.push(ms);
    byKind.set(kind, list);
  }
  all.sort((a, b) => a - b);
  console.log(`\n== ${count.toLocaleString('en')} accounts ==`);
  console.log(`build (generate + index): ${((built - started) / 1000).toFixed(1)} s; compact: ${((compacted - built) / 1000).toFixed(1)} s`);
  console.log(`index memory after build:     ${heapAfterBuild}`);
  console.log(`index memory after compact(): ${heapAfterCompact}`);
  console.log(`search over ${all.length} queries: p50 ${percentile(all, 50).toFixed(2)} ms, p95 ${percentile(all, 95).toFixed(2)} ms, max ${percentile(all, 100).toFixed(2)} ms (largest total ${maxTotal})`);
  for (const [kind, list] of byKind) {
    list.sort((a, b) => a - b);
    console.log(`  ${kind.padEnd(11)} p50 ${percentile(list, 50).toFixed(2).padStart(7)} ms  p95 ${percentile(list, 95).toFixed(2).padStart(7)} ms`);
  }
  for (const q of ['王', '李', '张', '合肥市', '蜀山区', '长江西路', '5栋']) {
    const t0 = performance.now();
    const r = index.search(q);
    console.log(`  "${q}": total ${r.total} in ${(performance.now() - t0).toFixed(2)} ms`);
  }
  if (index.size !== count) throw new Error(`index holds ${index.size}, expected ${count}`);
}

const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const count of counts.length > 0 ? counts : [100_000, 1_200_000]) measure(count);
