// The station host CLI end to end: bundled as scripts/build.mjs does, run against a fresh data
// folder with the real station, its ready line parsed, one request answered, SIGTERM honoured.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Inside node_modules so the bundle's external packages resolve from the repo's node_modules.
const outDir = path.join(root, 'node_modules', '.cache', 'tongda-host-test');
const bundle = path.join(outDir, 'main.mjs');
let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tongda-cli-'));
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['electron/host/main.ts'],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
    // As scripts/build.mjs: CommonJS dependencies need `require`; aliased so it cannot clash.
    banner: { js: "import { createRequire as __testCreateRequire } from 'node:module'; const require = __testCreateRequire(import.meta.url);" },
  });
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('station host CLI', () => {
  it('prints one ready line, answers over the socket and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [bundle, '--data', dataDir, '--demo', '--demo-accounts', '20', '--station-id', 'TEST-01', '--renderer', dataDir], {
      env: { ...process.env, TONGDA_FAKE_NOW: '2025-03-01T09:30:00+08:00' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const lines = createInterface({ input: child.stdout });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', () => reject(new Error(`exited before ready:\n${stderr}`)));
      });
      expect(first.startsWith('TONGDA_STATION_READY ')).toBe(true);
      const ready = JSON.parse(first.slice('TONGDA_STATION_READY '.length)) as { url: string; port: number; token: string; stationId: string };
      expect(ready.url).toBe(`http://127.0.0.1:${ready.port}/#token=${ready.token}`);
      expect(ready.stationId).toBe('TEST-01');

      const ws = new WebSocket(`ws://127.0.0.1:${ready.port}/ws?token=${ready.token}`, { origin: `http://127.0.0.1:${ready.port}` });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const reply = new Promise<unknown>((resolve) => ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')))));
      ws.send(JSON.stringify({ type: 'request', id: 9, command: 'no.such.command', input: {} }));
      expect(await reply).toMatchObject({ type: 'response', id: 9, result: { ok: false, error: { code: 'BAD_REQUEST' } } });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      ws.terminate();
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('exits 2 with usage on a bad argument', async () => {
    const child = spawn(process.execPath, [bundle, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('Usage:');
  }, 30_000);
});
