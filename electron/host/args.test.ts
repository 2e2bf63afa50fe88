import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_ACCOUNTS, fakeClockFromEnv, findRepoRoot, parseStationArgs, syncOverrideOf, UsageError } from './args.js';

describe('parseStationArgs', () => {
  it('has defaults for everything', () => {
    expect(parseStationArgs([], 'strict')).toEqual({
      dataDir: null,
      port: 0,
      rendererDir: null,
      demo: false,
      demoAccounts: DEFAULT_DEMO_ACCOUNTS,
      demoSeed: 1,
      stationId: null,
      open: false,
      central: null,
      district: null,
      syncUser: null,
      syncPassword: null,
      hallHub: null,
      hallPage: null,
    });
  });

  it('reads every option', () => {
    const args = parseStationArgs(
      ['--data', 'd', '--port=8631', '--renderer', 'r', '--demo', '--demo-accounts', '20', '--demo-seed', '7', '--station-id', 'HALL-01', '--open'],
      'strict',
    );
    expect(args).toEqual({
      dataDir: 'd',
      port: 8631,
      rendererDir: 'r',
      demo: true,
      demoAccounts: 20,
      demoSeed: 7,
      stationId: 'HALL-01',
      open: true,
      central: null,
      district: null,
      syncUser: null,
      syncPassword: null,
      hallHub: null,
      hallPage: null,
    });
  });

  it('reads the hall hub address and refuses a malformed one', () => {
    expect(parseStationArgs(['--hall-hub', '0.0.0.0:7700'], 'strict').hallHub).toEqual({ bindAddress: '0.0.0.0', port: 7700 });
    expect(() => parseStationArgs(['--hall-hub', 'hall:7700'], 'strict')).toThrow(UsageError);
    expect(() => parseStationArgs(['--hall-hub', '0.0.0.0:80'], 'strict')).toThrow(UsageError);
  });

  it('reads the sync options and makes the sync settings of the run from them', () => {
    const args = parseStationArgs(['--central', 'http://127.0.0.1:5985', '--station-id', 'HF-SS-02', '--sync-password', 'pw'], 'strict');
    expect(syncOverrideOf(args)).toEqual({ centralUrl: 'http://127.0.0.1:5985', district: 'SHUSHAN', username: 'station-hf-ss-02', password: 'pw' });
    expect(syncOverrideOf(parseStationArgs(['--central', 'http://c:1', '--district', 'LUYANG', '--sync-user', 'u'], 'strict'))).toEqual({
      centralUrl: 'http://c:1',
      district: 'LUYANG',
      username: 'u',
      password: 'station-demo',
    });
    expect(syncOverrideOf(parseStationArgs(['--district', 'LUYANG'], 'strict'))).toBeNull();
  });

  it.each([['--port', 'x'], ['--port', '70000'], ['--port', '-1'], ['--demo-accounts', '1.5'], ['--nope'], ['stray'], ['--data']])(
    'strict mode refuses %s %s',
    (...argv) => {
      expect(() => parseStationArgs(argv, 'strict')).toThrow(UsageError);
    },
  );

  it('lenient mode skips the app path and Chromium switches', () => {
    const args = parseStationArgs(['.', '--enable-logging', '--data', '.data/station', '--demo', '--inspect=9229'], 'lenient');
    expect(args.dataDir).toBe('.data/station');
    expect(args.demo).toBe(true);
    expect(() => parseStationArgs(['.', '--data'], 'lenient')).toThrow(UsageError);
  });
});

describe('fakeClockFromEnv', () => {
  it('is null when unset or empty', () => {
    expect(fakeClockFromEnv({})).toBeNull();
    expect(fakeClockFromEnv({ TONGDA_FAKE_NOW: '' })).toBeNull();
  });

  it('starts the clock at the instant and lets it run, with a fresh Date each call', () => {
    const clock = fakeClockFromEnv({ TONGDA_FAKE_NOW: '2025-03-01T09:30:00+08:00' });
    if (clock === null) throw new Error('expected a clock');
    const first = clock.now();
    const start = Date.parse('2025-03-01T01:30:00.000Z');
    expect(first.getTime() - start).toBeGreaterThanOrEqual(0);
    expect(first.getTime() - start).toBeLessThan(1000);
    first.setFullYear(2000);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(start);
  });

  it.each(['2025-03-01', '2025-03-01T09:30:00', 'yesterday', '2025-13-01T00:00:00Z'])('refuses %s', (value) => {
    expect(() => fakeClockFromEnv({ TONGDA_FAKE_NOW: value })).toThrow(UsageError);
  });
});

describe('findRepoRoot', () => {
  it('finds the nearest package.json above a folder', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tongda-root-'));
    try {
      await writeFile(path.join(root, 'package.json'), '{}');
      await mkdir(path.join(root, 'dist', 'host'), { recursive: true });
      expect(findRepoRoot(path.join(root, 'dist', 'host'))).toBe(root);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
