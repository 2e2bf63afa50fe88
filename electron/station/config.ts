/**
 * Station configuration: `<dataDir>/station.json`, written with defaults on first start and
 * edited by an admin. Command-line overrides win for that run only.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
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
};

export function loadStationConfig(dataDir: string, overrides: Partial<StationConfig> = {}): StationConfig {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'station.json');
  let stored: unknown = {};
  if (existsSync(path)) {
    stored = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } else {
    writeFileSync(path, `${JSON.stringify({ ...DEFAULT_STATION_CONFIG, ...overrides }, null, 2)}\n`);
  }
  const merged = { ...DEFAULT_STATION_CONFIG, ...(typeof stored === 'object' && stored !== null ? stored : {}), ...overrides };
  const parsed = stationConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new Error(`invalid station configuration in ${path}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}
