// Compiles every layer on its own, each with only its runtime's libraries (see tsconfig.json).
import { spawnSync } from 'node:child_process';

const projects = [
  'core/tsconfig.json',
  'core/tsconfig.test.json',
  'renderer/tsconfig.json',
  'hardware/tsconfig.json',
  'sync/tsconfig.json',
  'electron/tsconfig.json',
  'test/tsconfig.json',
];
let failed = 0;
for (const project of projects) {
  const started = Date.now();
  const run = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });
  process.stderr.write(`typecheck ${project}: ${run.status === 0 ? 'ok' : 'FAILED'} (${Date.now() - started} ms)\n`);
  if (run.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
