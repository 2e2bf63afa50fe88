/**
 * Starts the built station host (dist/host/main.mjs) as its own process, as a clerk's machine
 * would run it, and waits for its TONGDA_STATION_READY line. Used by the e2e specs and the
 * contract tests that need a real process to kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const E2E_NOW = '2026-11-21T02:00:00.000Z';
export const E2E_TODAY = '2026-11-21';
export const E2E_DEMO_SEED = 1;
export const E2E_DEMO_ACCOUNTS = 2000;

export interface StationProcess {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** SIGTERM: drain and exit cleanly. */
  stop(): Promise<void>;
  /** SIGKILL: as if the power went. */
  kill(): Promise<void>;
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tongda-e2e-'));
}

export async function startStationProcess(dataDir: string, accounts = E2E_DEMO_ACCOUNTS, extraArgs: readonly string[] = []): Promise<StationProcess> {
  const entry = resolve('dist/host/main.mjs');
  const child = spawn(process.execPath, [entry, '--data', dataDir, '--port', '0', '--demo', '--demo-accounts', String(accounts), '--demo-seed', String(E2E_DEMO_SEED), ...extraArgs], {
    env: { ...process.env, TONGDA_FAKE_NOW: E2E_NOW },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const ready = await new Promise<{ url: string; port: number; token: string }>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`station did not start in 60 s:\n${stderr}`)), 60_000);
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    lines.on('line', (line) => {
      if (!line.startsWith('TONGDA_STATION_READY ')) return;
      clearTimeout(timer);
      resolveReady(JSON.parse(line.slice('TONGDA_STATION_READY '.length)) as { url: string; port: number; token: string });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`station exited with ${String(code)} before it was ready:\n${stderr}`));
    });
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { ...ready, dataDir, child, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}
