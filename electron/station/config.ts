/**
 * Station configuration: `<dataDir>/station.json`, written with defaults on first start and
 * edited by an admin. Command-line overrides win for that run only.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { stationIdSchema } from '../../core/schema/primitives.js';

export const stationConfigSchema = z.object({
  stationId: stationIdSchema,
  stationName: z.string().min(1).max(64),
  stationKind: z.enum(['hall', 'van']),
  utilityName: z.string().min(1).max(64),
  timeZone: z.string().min(1).max(64),
  /** The screen locks after this long without keyboard or mouse activity. */
  idleLockSeconds: z.number().int().min(30).max(3600),
  /** Late fee 违约金: parts per million of the bill amount per overdue day (illustrative default 0.1 %/day). */
  lateFee: z.object({
    ratePerDayPpm: z.number().int().min(0).max(100_000),
    graceDays: z.number().int().min(0).max(365),
    capAtPrincipal: z.boolean(),
  }),
  /** A prepared payment quote is valid this long; after that fees are recomputed. */
  quoteTtlSeconds: z.number().int().min(30).max(3600),
  demo: z.boolean(),
  /** The utility's code on its cards (header 0x04): cards with another code are refused. */
  utilityCode: z.number().int().min(0).max(0xffff_ffff),
  /** This terminal's id, written into every purchase record it makes (slot +16). */
  terminalId: z.number().int().min(0).max(0xffff_ffff),
  /**
   * The utility's card key, hex: each card's PSC is HMAC-SHA256(key, serial)[0..3]. It lives only
   * here, in the main process's configuration file: never in a command result, an event or a log.
   */
  cardKeyHex: z.string().regex(/^([0-9a-fA-F]{2}){16,64}$/, 'the card key is 16 to 64 bytes of hex').nullable(),
  reader: z.object({
    kind: z.enum(['none', 'emulator', 'serial']),
    path: z.string().min(1).max(128).nullable(),
    baudRate: z.union([z.literal(9600), z.literal(19200), z.literal(38400), z.literal(115200)]),
  }),
});
export type StationConfig = z.infer<typeof stationConfigSchema>;

export const DEFAULT_STATION_CONFIG: StationConfig = {
  stationId: 'HF-SS-01',
  stationName: '蜀山营业厅 1号窗口',
  stationKind: 'hall',
  utilityName: '通达示范燃气有限公司',
  timeZone: 'Asia/Shanghai',
  idleLockSeconds: 300,
  lateFee: { ratePerDayPpm: 1000, graceDays: 0, capAtPrincipal: true },
  quoteTtlSeconds: 600,
  demo: false,
  utilityCode: 0x5444_0001,
  terminalId: 0x0000_0101,
  cardKeyHex: null,
  reader: { kind: 'none', path: null, baudRate: 9600 },
};

/**
 * The demo card key (the layout's test vector key). A real station is configured with its
 * utility's key; the demo station and its emulated cards share this one.
 */
export const DEMO_CARD_KEY_HEX = '00112233445566778899aabbccddeeff';

/** What a station that starts in demo mode uses unless its station.json says otherwise. */
export const DEMO_OVERRIDES: Partial<StationConfig> = {
  demo: true,
  cardKeyHex: DEMO_CARD_KEY_HEX,
  reader: { kind: 'emulator', path: null, baudRate: 115200 },
};

/** Writes a changed setting (the reader, from the settings screen) back to station.json. */
export function saveStationConfig(dataDir: string, config: StationConfig): void {
  const path = join(dataDir, 'station.json');
  writeFileSync(`${path}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/**
 * `overrides` win for this run only; `initial` is what a new station.json starts with (the demo's
 * reader and card key), after which the file, edited in settings, rules.
 */
export function loadStationConfig(dataDir: string, overrides: Partial<StationConfig> = {}, initial: Partial<StationConfig> = {}): StationConfig {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'station.json');
  let stored: unknown = {};
  if (existsSync(path)) {
    stored = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } else {
    stored = { ...DEFAULT_STATION_CONFIG, ...initial, ...overrides };
    writeFileSync(path, `${JSON.stringify(stored, null, 2)}\n`);
  }
  const merged = { ...DEFAULT_STATION_CONFIG, ...(typeof stored === 'object' && stored !== null ? stored : {}), ...overrides };
  const parsed = stationConfigSchema.safeParse(merged);
  if (!parsed.success) {
    // Only paths and zod's messages: never the values, which include the card key.
    throw new Error(`invalid station configuration in ${path}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}
