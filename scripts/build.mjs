// Builds everything `npm start`, the e2e tests, the bench and electron-builder need, into dist/:
//   dist/renderer/          the React UI (vite), only when its sources changed or with --force
//   dist/electron/main.mjs  Electron main (ESM)
//   dist/electron/preload.cjs  the sandboxed preload (CommonJS: sandboxed preloads cannot be ESM)
//   dist/host/main.mjs      the station host CLI (plain Node)
//   dist/cli/audit-check.mjs, dist/bench/bench.mjs, dist/emulator/{main,cli}.mjs,
//   dist/central/{main,setup}.mjs  when their entry files exist
// Usage: node scripts/build.mjs [--force] [--no-renderer]
// A failed step does not stop the others (a broken renderer should not hide a broken bundle);
// the exit code is 1 if any step failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const skipRenderer = process.argv.includes('--no-renderer');
let failed = false;
const started = Date.now();

function log(line) {
  process.stderr.write(`[build] ${line}\n`);
}

// --- Renderer -------------------------------------------------------------------------------

const viteConfig = path.join(root, 'renderer', 'vite.config.ts');
const rendererIndex = path.join(root, 'dist', 'renderer', 'index.html');

/** Newest modification time of any file under `dir`, skipping output and dependency folders. */
function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function rendererIsStale() {
  if (!existsSync(rendererIndex)) return true;
  const built = statSync(rendererIndex).mtimeMs;
  // The renderer imports core (the contract, money, schemas): a change there changes the bundle.
  const inputs = [path.join(root, 'renderer'), path.join(root, 'core'), path.join(root, 'package-lock.json')];
  return inputs.some((input) => (existsSync(input) && statSync(input).isFile() ? statSync(input).mtimeMs : newestMtime(input)) > built);
}

if (skipRenderer) {
  log('renderer: skipped (--no-renderer)');
} else if (!existsSync(viteConfig)) {
  log('renderer: skipped (renderer/vite.config.ts does not exist yet)');
} else if (!force && !rendererIsStale()) {
  log('renderer: up to date (use --force to rebuild)');
} else {
  log('renderer: vite build…');
  const vite = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', viteConfig], {
    cwd: root,
    stdio: 'inherit',
  });
  if (vite.status !== 0) {
    log(`renderer: vite build FAILED (exit ${vite.status ?? vite.signal})`);
    failed = true;
  }
}

// --- Node and Electron bundles --------------------------------------------------------------

// ESM output has no `require`, `__filename` or `__dirname`; CommonJS dependencies bundled into
// it (and code written for CJS) still expect them. The aliases avoid clashing with names
// esbuild or our code might use.
const esmBanner = [
  "import { createRequire as __tongdaCreateRequire } from 'node:module';",
  "import { fileURLToPath as __tongdaFileURLToPath } from 'node:url';",
  "import { dirname as __tongdaDirname } from 'node:path';",
  'const require = __tongdaCreateRequire(import.meta.url);',
  'const __filename = __tongdaFileURLToPath(import.meta.url);',
  'const __dirname = __tongdaDirname(__filename);',
].join('\n');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

/** Node-side bundles: our code is bundled, node_modules stay external (leveldown is native). */
const nodeBundle = (entry, outfile, extra = {}) => ({
  ...common,
  entryPoints: [entry],
  outfile,
  format: 'esm',
  packages: 'external',
  banner: { js: esmBanner },
  ...extra,
});

const bundles = [
  { required: true, options: nodeBundle('electron/main.ts', 'dist/electron/main.mjs', { external: ['electron'] }) },
  {
    required: true,
    // A sandboxed preload can require only 'electron' and a few Node built-ins, so everything
    // else it imports (core's channel names) is bundled into it, and the bundle checked below.
    options: {
      ...common,
      entryPoints: ['electron/preload.ts'],
      outfile: 'dist/electron/preload.cjs',
      format: 'cjs',
      external: ['electron'],
      metafile: true,
    },
    check: checkPreload,
  },
  { required: true, options: nodeBundle('electron/host/main.ts', 'dist/host/main.mjs') },
  { required: false, options: nodeBundle('electron/cli/audit-check.ts', 'dist/cli/audit-check.mjs') },
  { required: false, options: nodeBundle('test/bench/bench.ts', 'dist/bench/bench.mjs') },
  { required: false, options: nodeBundle('hardware/emulator/main.ts', 'dist/emulator/main.mjs') },
  { required: false, options: nodeBundle('hardware/emulator/cli.ts', 'dist/emulator/cli.mjs') },
  { required: false, options: nodeBundle('sync/central/main.ts', 'dist/central/main.mjs') },
  { required: false, options: nodeBundle('sync/setup/cli.ts', 'dist/central/setup.mjs') },
];

function checkPreload(result) {
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((imported) => imported.path));
  const foreign = imports.filter((imported) => imported !== 'electron');
  if (foreign.length > 0) throw new Error(`preload.cjs would require ${foreign.join(', ')} at runtime; a sandboxed preload cannot.`);
  // The preload runs in every window before the page: it should be a few KiB. A jump means it
  // started importing a library (zod through core's schemas, say).
  const bytes = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.cjs'))?.[1].bytes ?? 0;
  if (bytes > 32 * 1024) throw new Error(`preload.cjs is ${Math.round(bytes / 1024)} KiB; import only types from core there.`);
}

await Promise.all(
  bundles.map(async ({ required, options, check }) => {
    const [entry] = options.entryPoints;
    if (!existsSync(path.join(root, entry))) {
      // Built by someone else's part of the project; skipped until it exists, unless we need it.
      if (required) {
        log(`${entry}: MISSING`);
        failed = true;
      } else {
        log(`${entry}: skipped (not there yet)`);
      }
      return;
    }
    try {
      const result = await esbuild.build(options);
      check?.(result);
      log(`${entry} → ${options.outfile}`);
    } catch (error) {
      // esbuild has already printed its diagnostics.
      log(`${entry}: FAILED${error instanceof Error && !('errors' in error) ? `: ${error.message}` : ''}`);
      failed = true;
    }
  }),
);

if (failed) {
  log(`FAILED after ${Date.now() - started} ms`);
  process.exit(1);
}
log(`done in ${Date.now() - started} ms`);
