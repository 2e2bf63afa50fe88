/**
 * Command-line options shared by the station host CLI and the Electron main process, and the
 * frozen clock tests ask for through TONGDA_FAKE_NOW. Pure apart from reading the file system to
 * find the repository root.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_ACCOUNTS, DEMO_SEED } from '../../sync/setup/demo-plan.js';

export interface StationArgs {
  /** Where the station keeps its databases; null: the caller's default. */
  readonly dataDir: string | null;
  /** 0: any free port. */
  readonly port: number;
  /** The built renderer; null: the caller's default. */
  readonly rendererDir: string | null;
  /** Seed demo data when the data folder is empty. */
  readonly demo: boolean;
  readonly demoAccounts: number;
  /** Same seed, same demo data: screenshots and tests stay comparable. */
  readonly demoSeed: number;
  readonly stationId: string | null;
  /** Open the URL in a browser once the host is up. */
  readonly open: boolean;
  /**
   * Sync with this central for this run, over station.json's `sync` (tests, the demo). The other
   * sync options fill in or override station.json's values; null: not given.
   */
  readonly central: string | null;
  readonly district: string | null;
  readonly syncUser: string | null;
  readonly syncPassword: string | null;
  /** Serve the hall queue on `<address>:<port>` for this run (over station.json's hall hub); null: not given. */
  readonly hallHub: { readonly bindAddress: string; readonly port: number } | null;
  /** Electron only: also open a window on the hall's kiosk or board page at this URL; null: not given. */
  readonly hallPage: string | null;
}

// The demo central (`npm run central`) seeds the same accounts: the two copies must be identical.
export const DEFAULT_DEMO_ACCOUNTS = DEMO_ACCOUNTS;
export const DEFAULT_DEMO_SEED = DEMO_SEED;

export const STATION_USAGE = `Usage: node dist/host/main.mjs [options]
  --data <dir>           station data folder (default ./.data/station)
  --port <n>             port on 127.0.0.1, 0 = any free port (default 0)
  --renderer <dir>       built renderer (default <repo>/dist/renderer)
  --demo                 seed demo data when the data folder is empty
  --demo-accounts <n>    demo accounts to seed (default ${DEFAULT_DEMO_ACCOUNTS})
  --demo-seed <n>        demo data seed (default ${DEFAULT_DEMO_SEED})
  --station-id <id>      override the configured station id
  --open                 open the URL in a browser
  --central <url>        sync with this central for this run (overrides station.json)
  --district <code>      the district this station serves (with --central; default SHUSHAN)
  --sync-user <name>     the station's user on central (default station-<station id>)
  --sync-password <pw>   its password
  --hall-hub <addr:port> be the hall's queue hub on this address for this run (e.g. 0.0.0.0:7700)
  --hall-page <url>      (Electron) also open the hub's kiosk or board page in a window of its own
Environment: TONGDA_FAKE_NOW=<ISO instant> freezes the station clock (tests).`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const options = {
  data: { type: 'string' },
  port: { type: 'string' },
  renderer: { type: 'string' },
  demo: { type: 'boolean' },
  'demo-accounts': { type: 'string' },
  'demo-seed': { type: 'string' },
  'station-id': { type: 'string' },
  open: { type: 'boolean' },
  central: { type: 'string' },
  district: { type: 'string' },
  'sync-user': { type: 'string' },
  'sync-password': { type: 'string' },
  'hall-hub': { type: 'string' },
  'hall-page': { type: 'string' },
} as const;

/**
 * `strict` (the station host CLI) rejects unknown options and stray arguments, so a typo does not
 * silently start a station on the wrong data. `lenient` (Electron) skips them: Electron's argv
 * also carries the app path and Chromium switches.
 */
export function parseStationArgs(argv: readonly string[], mode: 'strict' | 'lenient'): StationArgs {
  let values: ReturnType<typeof parseKnown>;
  try {
    values = parseKnown(argv, mode);
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    dataDir: stringOption(values.data, '--data'),
    port: integerOption(values.port, '--port', 0, 0, 65_535),
    rendererDir: stringOption(values.renderer, '--renderer'),
    demo: values.demo === true,
    demoAccounts: integerOption(values['demo-accounts'], '--demo-accounts', DEFAULT_DEMO_ACCOUNTS, 0, 1_000_000),
    demoSeed: integerOption(values['demo-seed'], '--demo-seed', DEFAULT_DEMO_SEED, 0, 2 ** 31 - 1),
    stationId: stringOption(values['station-id'], '--station-id'),
    open: values.open === true,
    central: stringOption(values.central, '--central'),
    district: stringOption(values.district, '--district'),
    syncUser: stringOption(values['sync-user'], '--sync-user'),
    syncPassword: stringOption(values['sync-password'], '--sync-password'),
    hallHub: hallHubOption(values['hall-hub']),
    hallPage: stringOption(values['hall-page'], '--hall-page'),
  };
}

function parseKnown(argv: readonly string[], mode: 'strict' | 'lenient'): Record<string, unknown> {
  const strict = mode === 'strict';
  const { values } = parseArgs({ args: [...argv], options, strict, allowPositionals: !strict });
  // In lenient mode an unknown `--flag` comes back too; only our own options are read below.
  return values;
}

function stringOption(value: unknown, name: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${name} needs a value.`);
  return value;
}

function hallHubOption(value: unknown): { bindAddress: string; port: number } | null {
  const text = stringOption(value, '--hall-hub');
  if (text === null) return null;
  const match = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{4,5})$/.exec(text);
  const port = match ? Number(match[2]) : 0;
  if (!match?.[1] || port < 1024 || port > 65_535) throw new UsageError(`--hall-hub needs an IPv4 address and a port from 1024, e.g. 0.0.0.0:7700, not ${text}.`);
  return { bindAddress: match[1], port };
}

function integerOption(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new UsageError(`${name} needs a value.`);
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} needs a whole number, not ${value}.`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new UsageError(`${name} must be between ${min} and ${max}.`);
  return parsed;
}

/** The demo central's defaults (`npm run central`): its district and the password of its stations' users. */
export const DEMO_DISTRICT = 'SHUSHAN';
export const DEMO_STATION_PASSWORD = 'station-demo';

/**
 * The `sync` settings `--central` asks for this run, or null without it. The station's user on
 * central defaults to `station-<station id>` (the setup command's name for it), for --station-id
 * or the default station HF-SS-01; give --sync-user when station.json names another station.
 */
export function syncOverrideOf(args: StationArgs): { centralUrl: string; district: string; username: string; password: string } | null {
  if (args.central === null) return null;
  return {
    centralUrl: args.central,
    district: args.district ?? DEMO_DISTRICT,
    username: args.syncUser ?? `station-${(args.stationId ?? 'HF-SS-01').toLowerCase()}`,
    password: args.syncPassword ?? DEMO_STATION_PASSWORD,
  };
}

/** The station's clock: `{ now(): Date }` (core/time/local-date.ts's Clock, structurally). */
export interface FakeClock {
  now(): Date;
}

/**
 * TONGDA_FAKE_NOW freezes the clock at one instant, so end-to-end tests get the same dates,
 * billing periods and receipt times on every run. Unset or empty: null (the real clock).
 */
export function fakeClockFromEnv(env: Readonly<Record<string, string | undefined>>): FakeClock | null {
  const raw = env['TONGDA_FAKE_NOW'];
  if (raw === undefined || raw === '') return null;
  // An ISO instant with a zone, so the frozen time does not depend on the machine's time zone.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) {
    throw new UsageError(`TONGDA_FAKE_NOW must be an ISO instant with a zone (e.g. 2025-03-01T09:30:00+08:00), not ${raw}.`);
  }
  const millis = Date.parse(raw);
  if (Number.isNaN(millis)) throw new UsageError(`TONGDA_FAKE_NOW is not a valid instant: ${raw}.`);
  // Starts at the instant and runs at real speed: bills are overdue by known days, while entries
  // made one after another still get increasing times (the history's order) and timeouts pass.
  const startedAt = Date.now();
  return { now: () => new Date(millis + (Date.now() - startedAt)) };
}

/** The nearest folder at or above `from` that holds a package.json: the repo, from source or from dist/. */
export function findRepoRoot(from: string): string | null {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
