/**
 * Station configuration: `<dataDir>/station.json`, written with defaults on first start and
 * edited by an admin. Command-line overrides win for that run only.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { printerSettingsSchema, type PrinterSettings } from '../../core/contract/printing.js';
import { stationIdSchema } from '../../core/schema/primitives.js';
import { hubListenSchema } from '../../core/contract/hall.js';
import { deviceCredentialSchema } from '../../core/hall/contract.js';

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
  /**
   * The block of account numbers this station hands out when it opens an account 开户, both ends
   * included; null: this station opens no accounts. Central hands ranges out in a later issue;
   * until then an admin sets it here. 12 digits at most, because the IC card carries the account
   * number as 12 BCD digits.
   */
  accountNumberRange: z
    .object({ from: z.number().int().min(100_000).max(999_999_999_999), to: z.number().int().min(100_000).max(999_999_999_999) })
    .refine((range) => range.from <= range.to, 'the range ends before it starts')
    .nullable(),
  /** What issuing a card 发卡/补卡 costs, in fen (a 'card-issue' ledger entry; 0: free). */
  cardFee: z.number().int().min(0).max(1_000_000),
  /** What an ownership transfer 过户 costs, in fen (a 'transfer-fee' ledger entry; 0: free). Illustrative default 20 yuan. */
  transferFee: z.number().int().min(0).max(1_000_000).default(2000),
  /** The 16-bit tariff code written on a card (account block 0x2C) for each tariff code of the accounts. */
  cardTariffCodes: z.record(z.string().min(1).max(32), z.number().int().min(0).max(0xffff)),
  reader: z.object({
    kind: z.enum(['none', 'emulator', 'serial']),
    path: z.string().min(1).max(128).nullable(),
    baudRate: z.union([z.literal(9600), z.literal(19200), z.literal(38400), z.literal(115200)]),
  }),
  /** The utility's service hotline, printed on every receipt. */
  hotline: z.string().min(3).max(32),
  /**
   * This station's receipt numbers 收据号: `<prefix>-<8 digits>`, from..to both included. Central
   * hands ranges out in the sync issue; until then an admin sets it here. The prefix must differ
   * between stations so numbers are unique across the utility.
   */
  receiptNumbers: z
    .object({ prefix: z.string().regex(/^[0-9A-Z]{1,12}$/, 'the prefix is 1 to 12 capital letters or digits'), from: z.number().int().min(1).max(99_999_999), to: z.number().int().min(1).max(99_999_999) })
    .refine((range) => range.from <= range.to, 'the range ends before it starts'),
  printer: printerSettingsSchema,
  /**
   * The station's receipt key, hex: the QR code on each receipt carries a MAC made with it, so a
   * receipt can be checked against the ledger. Made at random on the first start; like the card
   * key it lives only here (central learns it with the sync issue).
   */
  receiptKeyHex: z.string().regex(/^([0-9a-f]{2}){32}$/, 'the receipt key is 32 bytes of hex').nullable(),
  /**
   * Replication with central (sync/README.md); null: a station on its own (no central). The
   * password is this station's CouchDB user's, made by the setup command.
   */
  sync: z
    .object({
      centralUrl: z.url({ protocol: /^https?$/ }).max(256),
      /** The district this station serves: its master data and district ledger. */
      district: z.string().regex(/^[A-Z0-9_-]{1,32}$/i, 'a district code is letters, digits, _ and -'),
      username: z.string().min(1).max(64),
      password: z.string().min(1).max(128),
    })
    .nullable(),
  /**
   * How far prepaid sales may go while the station cannot reach central, as card networks set
   * floor limits: the longest time offline before top-ups stop, the largest single top-up, and the
   * largest total of top-ups not yet pushed to central. Bill payments are not limited: they take
   * money for a bill central already issued, and a double payment becomes credit.
   */
  offlineLimits: z.object({
    maxOfflineHours: z.number().int().min(1).max(24 * 30),
    maxSingleSale: z.number().int().min(0).max(100_000_000),
    maxTotalSales: z.number().int().min(0).max(1_000_000_000),
  }),
  /**
   * The hall queue 排队叫号 (electron/hall/README.md): whether this station is the hall's hub
   * (where it listens on the hall network), and this station's counter link to the hub (its
   * device credential lives only here, like the card key).
   */
  hall: z
    .object({
      hub: hubListenSchema,
      counter: z.object({ hubUrl: z.url({ protocol: /^https?$/ }).max(256), credential: deviceCredentialSchema }).nullable(),
    })
    .default({ hub: { enabled: false, bindAddress: '0.0.0.0', port: 7700 }, counter: null }),
});
export type StationConfig = z.infer<typeof stationConfigSchema>;

const DEFAULT_PRINTER: PrinterSettings = { model: 'escpos', interface: { kind: 'none' }, paperColumns: 48, mode: 'text', kickDrawerOnCash: true };

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
  accountNumberRange: null,
  cardFee: 0,
  transferFee: 2000,
  cardTariffCodes: { 'RES-GAS': 1, 'COM-GAS': 2 },
  reader: { kind: 'none', path: null, baudRate: 9600 },
  hotline: '0551-96777',
  receiptNumbers: { prefix: 'HFSS01', from: 1, to: 99_999_999 },
  printer: DEFAULT_PRINTER,
  receiptKeyHex: null,
  sync: null,
  // Illustrative: three days, 2,000 yuan at once, 20,000 yuan in all.
  offlineLimits: { maxOfflineHours: 72, maxSingleSale: 200_000, maxTotalSales: 2_000_000 },
  hall: { hub: { enabled: false, bindAddress: '0.0.0.0', port: 7700 }, counter: null },
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
  // Beside the demo accounts' numbers (two-digit district prefixes 11..2x, then 8 digits).
  accountNumberRange: { from: 3_499_000_001, to: 3_499_099_999 },
  reader: { kind: 'emulator', path: null, baudRate: 115200 },
  // Each receipt appears on screen from the station's own virtual printer.
  printer: { ...DEFAULT_PRINTER, interface: { kind: 'virtual' } },
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
