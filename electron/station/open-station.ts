/**
 * Opens a station: its configuration, databases, audit chain, in-memory indexes and the
 * dispatcher every host (Electron IPC, the WebSocket station host, tests, the bench) uses.
 */
import { readDocument } from '../../core/schema/upgrades.js';
import { randomBytes } from 'node:crypto';
import type { AccountDoc, TariffVersionDoc } from '../../core/schema/documents.js';
import { AccountIndex, type IndexedAccount } from '../../core/search/account-index.js';
import { localDateOf, systemClock, type Clock } from '../../core/time/local-date.js';
import { accountNoOfMasterChange, loadAccountOverlay, mayBeOverlaid, refreshAccountIndex } from './account-overlay.js';
import { AuditLog } from './audit-log.js';
import { DEMO_OVERRIDES, loadStationConfig, saveStationConfig, type StationConfig } from './config.js';
import { PrintQueue } from './print-queue.js';
import { ReceiptBook } from './receipt-book.js';
import { RangeBook } from './range-book.js';
import { startSyncService, type ReplicationStarter } from './sync-service.js';
import type { StationContext } from './context.js';
import type { TopupFaults } from './card-service.js';
import { openStationDatabases, scanPrefix, type Database } from './database.js';
import { createDispatcher, EventHub, type DispatcherLog } from './dispatcher.js';
import { commandHandlers } from './handlers/index.js';
import { LedgerIndex } from './ledger-index.js';
import { isEmpty, seedDemoData } from './seed.js';
import { LoginThrottle, SessionStore } from './sessions.js';
import type { RunningStation } from './types.js';
import { WriteQueue } from './write-queue.js';
import { HallStation } from './hall-station.js';
import type { HubListen } from '../../core/contract/hall.js';
import { bootstrapDemoHall } from './hall-demo.js';
import { buildDemoDeck } from './demo-deck.js';
import { readerBackendFactory } from './reader-backends.js';
import { ReaderService, type ReaderBackendFactory } from './reader-service.js';

export interface OpenStationOptions {
  readonly dataDir: string;
  readonly overrides?: Partial<StationConfig>;
  readonly clock?: Clock;
  /** Seed demo data when the store is empty. */
  readonly demo?: { readonly accounts: number; readonly seed: number; readonly withBills?: boolean };
  readonly log?: DispatcherLog & { info(message: string): void };
  /** How to make the configured card reader; tests hand in an emulator running in-process. */
  readonly readerBackends?: ReaderBackendFactory;
  /** The emulator's bundle (dist/emulator/main.mjs), for a reader configured as 'emulator'. */
  readonly emulatorEntry?: string;
  /** Pace the emulator's bytes at the baud rate and the card's write time (default true). */
  readonly emulatorPacing?: boolean;
  /** Test-only crash points in the top-up sequence. */
  readonly faults?: TopupFaults;
  /** How often a stopped print queue asks the printer whether it is fine again (default 2 s). */
  readonly printPollMs?: number;
  /** A CJK font file for raster receipts and previews (default: the system's). */
  readonly fontPath?: string | null;
  /** The replication engine to run when station.json names a central (tests hand in their own). */
  readonly startReplication?: ReplicationStarter;
  /** The built renderer (dist/renderer): a hall hub serves the kiosk and board pages from it. */
  readonly rendererDir?: string;
  /** Be the hall's queue hub here for this run (over station.json's; the counter link is kept). */
  readonly hallHub?: HubListen;
}

export const STATION_VERSION = '0.1.0';

const consoleLog = {
  info: (message: string) => process.stderr.write(`[station] ${message}\n`),
  error: (message: string, error: unknown) => process.stderr.write(`[station] ${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
};

/**
 * The index needs a handful of fields from each account; a full schema parse of a million
 * documents at start would cost seconds, and the account page parses fully when it loads one.
 */
export function toIndexedAccount(doc: unknown): IndexedAccount | null {
  if (typeof doc !== 'object' || doc === null) return null;
  const d = doc as Record<string, unknown>;
  if (d['type'] !== 'account' || typeof d['accountNo'] !== 'string' || typeof d['ownerName'] !== 'string') return null;
  const text = (key: string): string => (typeof d[key] === 'string' ? (d[key]) : '');
  const meterKind = d['meterKind'] === 'prepaid-card' ? 'prepaid-card' : 'post-paid';
  const status = d['status'] === 'closed' ? 'closed' : d['status'] === 'suspended' ? 'suspended' : 'active';
  return {
    accountNo: text('accountNo'),
    ownerName: text('ownerName'),
    idNumber: text('idNumber'),
    phone: text('phone'),
    address: text('address'),
    districtName: text('districtName'),
    meterNo: text('meterNo'),
    cardSerial: typeof d['cardSerial'] === 'string' ? (d['cardSerial']) : null,
    meterKind,
    status,
  };
}

async function updateSeq(db: Database): Promise<string | number> {
  return (await db.info()).update_seq;
}

export async function openStation(options: OpenStationOptions): Promise<RunningStation> {
  const log = options.log ?? consoleLog;
  const clock = options.clock ?? systemClock;
  const config = loadStationConfig(options.dataDir, { ...(options.overrides ?? {}), ...(options.demo ? { demo: true } : {}) }, options.demo ? DEMO_OVERRIDES : {});
  if (config.receiptKeyHex === null) {
    config.receiptKeyHex = randomBytes(32).toString('hex');
    saveStationConfig(options.dataDir, config);
  }
  const receiptKeyHex = config.receiptKeyHex;
  if (options.hallHub) config.hall = { ...config.hall, hub: { ...options.hallHub } };
  const dbs = openStationDatabases(options.dataDir);

  if (options.demo && (await isEmpty(dbs.master))) {
    const started = Date.now();
    await seedDemoData(dbs.master, {
      accounts: options.demo.accounts,
      seed: options.demo.seed,
      today: localDateOf(clock.now(), config.timeZone),
      withBills: options.demo.withBills ?? true,
    });
    log.info(`seeded ${options.demo.accounts} demo accounts in ${Date.now() - started} ms`);
  }

  const writer = new WriteQueue();
  const audit = new AuditLog(dbs.station, config.stationId, clock);
  await audit.load();

  // Capture the sequences before scanning: the live feeds start there, so a change made during the
  // scan is applied twice at worst (upserts are idempotent), never missed.
  const masterSeq = await updateSeq(dbs.master);
  const stationSeq = await updateSeq(dbs.station);
  const districtSeq = await updateSeq(dbs.district);

  const accounts = new AccountIndex();
  // The demo deck is made from the first prepaid accounts the scan meets.
  const deckCandidates: AccountDoc[] = [];
  const tariffs = new Map<string, TariffVersionDoc>();
  const ledger = new LedgerIndex();
  const indexStarted = Date.now();
  for await (const page of scanPrefix(dbs.master, 'account:')) {
    for (const doc of page) {
      const indexed = toIndexedAccount(doc);
      if (indexed) accounts.upsert(indexed);
      if (config.demo && deckCandidates.length < 400 && indexed?.meterKind === 'prepaid-card') {
        const parsed = readDocument('account', doc);
        if (parsed.success) deckCandidates.push(parsed.data);
      }
    }
  }
  for await (const page of scanPrefix(dbs.master, 'tariff:')) {
    for (const doc of page) {
      const parsed = readDocument('tariff-version', doc);
      if (parsed.success) tariffs.set(parsed.data._id, parsed.data);
    }
  }
  for await (const page of scanPrefix(dbs.station, 'ledger:')) {
    for (const doc of page) {
      const parsed = readDocument('ledger-entry', doc);
      if (parsed.success) ledger.add(parsed.data);
      else log.error(`unreadable ledger entry ${String((doc as { _id?: unknown })._id)}`, parsed.error);
    }
  }
  for await (const page of scanPrefix(dbs.station, 'cardwrite:')) {
    for (const doc of page) {
      const parsed = readDocument('card-write', doc);
      if (parsed.success) ledger.addCardWrite(parsed.data);
    }
  }
  // Every station's entries for the district, pulled from central (this station's own come back
  // too, under the same ids: the index keeps one of each).
  for await (const page of scanPrefix(dbs.district, 'ledger:')) {
    for (const doc of page) {
      const parsed = readDocument('ledger-entry', doc);
      if (parsed.success) ledger.add(parsed.data);
    }
  }
  for await (const page of scanPrefix(dbs.district, 'cardwrite:')) {
    for (const doc of page) {
      const parsed = readDocument('card-write', doc);
      if (parsed.success) ledger.addCardWrite(parsed.data);
    }
  }
  log.info(`indexed ${accounts.size} accounts, ${ledger.size} ledger entries in ${Date.now() - indexStarted} ms`);
  // Receipt and account numbers: central's grants (pulled into master) once the station syncs.
  const ranges = new RangeBook(config.stationId, config.sync !== null, config.demo);
  await ranges.load(dbs.master);
  /** Set once the context exists: what pulled changes tell (sync.changed, accounts.changed). */
  let syncCtx: StationContext | null = null;
  // Accounts changed by pulled documents, told to the UIs a quarter second at a time.
  const changedAccounts = new Set<string>();
  let changedTimer: NodeJS.Timeout | null = null;
  const accountChanged = (accountNo: string): void => {
    changedAccounts.add(accountNo);
    changedTimer ??= setTimeout(() => {
      changedTimer = null;
      const all = changedAccounts.size > 500;
      syncCtx?.emit('accounts.changed', { accountNos: all ? [] : [...changedAccounts], all });
      changedAccounts.clear();
    }, 250);
  };

  // Master is central's copy, never written here: this station's openings, card issues and
  // transfers are laid over it (account-overlay.ts) once the context exists, below.
  let overlayCtx: StationContext | null = null;
  const masterFeed = dbs.master.changes({ since: masterSeq, live: true, include_docs: true });
  masterFeed.on('change', (change) => {
    if (change.id.startsWith('range-grant:')) {
      if (ranges.add(change.doc)) syncCtx?.sync.changed();
      return;
    }
    const changedAccount = /^(?:account|bill):(\d+)/.exec(change.id)?.[1];
    if (changedAccount !== undefined) accountChanged(changedAccount);
    const overlaid = accountNoOfMasterChange(change.id, change.doc);
    // An account nothing here is laid over is indexed from the change as it is (below): a
    // district pull is thousands of them, and reading each one back would double the work.
    if (overlaid !== null && overlayCtx !== null && (!change.id.startsWith('account:') || change.deleted === true || mayBeOverlaid(overlayCtx, overlaid))) {
      refreshAccountIndex(overlayCtx, overlaid).catch((error: unknown) => log.error(`account ${overlaid} not re-indexed`, error));
      return;
    }
    if (change.id.startsWith('account:')) {
      if (change.deleted) {
        accounts.remove(change.id.slice('account:'.length));
        return;
      }
      const parsed = readDocument('account', change.doc);
      if (parsed.success) {
        const indexed = toIndexedAccount(parsed.data);
        if (indexed) accounts.upsert(indexed);
      }
    } else if (change.id.startsWith('tariff:')) {
      const parsed = readDocument('tariff-version', change.doc);
      if (parsed.success) tariffs.set(parsed.data._id, parsed.data);
    }
  });
  const stationFeed = dbs.station.changes({ since: stationSeq, live: true, include_docs: true });
  stationFeed.on('change', (change) => {
    if (change.id.startsWith('cardwrite:')) {
      const parsed = readDocument('card-write', change.doc);
      if (parsed.success) ledger.addCardWrite(parsed.data);
      return;
    }
    if (!change.id.startsWith('ledger:')) return;
    const parsed = readDocument('ledger-entry', change.doc);
    if (parsed.success) ledger.add(parsed.data);
    // Offline sales and numbers left moved.
    syncCtx?.sync.changed();
  });
  const districtFeed = dbs.district.changes({ since: districtSeq, live: true, include_docs: true });
  districtFeed.on('change', (change) => {
    let accountNo: string | null = null;
    if (change.id.startsWith('cardwrite:')) {
      const parsed = readDocument('card-write', change.doc);
      if (!parsed.success) return;
      ledger.addCardWrite(parsed.data);
      accountNo = ledger.get(parsed.data.entryId)?.accountNo ?? null;
    } else if (change.id.startsWith('ledger:')) {
      const parsed = readDocument('ledger-entry', change.doc);
      if (!parsed.success) return;
      // Known already (this station's own, or seen before): nothing new to show.
      if (!ledger.add(parsed.data)) return;
      accountNo = parsed.data.accountNo;
    }
    if (accountNo !== null) accountChanged(accountNo);
    // Another station's card issue changes the card the account shows (account-overlay.ts).
    const issued = accountNo;
    if (issued !== null && overlayCtx !== null && change.id.startsWith('ledger:')) {
      refreshAccountIndex(overlayCtx, issued).catch((error: unknown) => log.error(`account ${issued} not re-indexed`, error));
    }
  });

  const events = new EventHub();
  const deck = config.demo ? buildDemoDeck(deckCandidates) : { specs: [], labels: new Map<string, string>() };
  const emulatorEntry = options.emulatorEntry;
  const backends =
    options.readerBackends ??
    readerBackendFactory({
      emulator:
        emulatorEntry === undefined || config.cardKeyHex === null
          ? null
          : () => ({
              entry: emulatorEntry,
              cardKeyHex: config.cardKeyHex ?? '',
              workDir: options.dataDir,
              pacing: options.emulatorPacing ?? true,
              log: (line) => log.info(line),
            }),
    });
  const reader = new ReaderService(backends, deck, (state) => events.emit('reader.changed', state), log);
  const receipts = await ReceiptBook.load(dbs.station, config, (id, error) => log.error(`unreadable receipt ${id}`, error), ranges);
  const printQueue = new PrintQueue(
    {
      config,
      db: dbs.station,
      writer,
      audit,
      clock,
      book: receipts,
      ledger,
      emit: (state) => events.emit('printer.changed', state),
      log,
      ...(options.printPollMs === undefined ? {} : { pollMs: options.printPollMs }),
      ...(options.fontPath === undefined ? {} : { fontPath: options.fontPath }),
    },
    receiptKeyHex,
  );
  const sync = startSyncService({
    config,
    dataDir: options.dataDir,
    dbs,
    clock,
    ledger,
    receipts,
    ranges,
    emit: (state) => events.emit('sync.changed', state),
    log,
    ...(options.startReplication === undefined ? {} : { startReplication: options.startReplication }),
  });
  const hall = await HallStation.open({
    config,
    dataDir: options.dataDir,
    clock,
    rendererDir: options.rendererDir ?? null,
    emit: (event, payload) => events.emit(event, payload),
    log,
  });
  if (config.demo) await bootstrapDemoHall(hall, config, options.dataDir, log);
  const ctx: StationContext = {
    config,
    hall,
    dataDir: options.dataDir,
    ranges,
    sync,
    reader,
    receipts,
    printQueue,
    pendingTopups: new Map(),
    inflightTopups: new Map(),
    ...(options.faults ? { faults: options.faults } : {}),
    clock,
    dbs,
    writer,
    audit,
    ledger,
    accounts,
    tariffs,
    sessions: new SessionStore(clock, config.idleLockSeconds),
    loginThrottle: new LoginThrottle(clock),
    pendingPayments: new Map(),
    version: STATION_VERSION,
    emit: (event, payload) => events.emit(event, payload),
    randomHex: (bytes) => randomBytes(bytes).toString('hex'),
  };
  await writer.run(() => ctx.audit.append([{ kind: 'station-start', actor: null, subject: null, detail: { version: STATION_VERSION } }]));
  overlayCtx = ctx;
  syncCtx = ctx;
  const overlaid = await loadAccountOverlay(ctx);
  if (overlaid > 0) log.info(`${overlaid} accounts shown with this station's changes central has not applied yet`);
  const dispatcher = createDispatcher(ctx, commandHandlers, events, log);
  // The station serves without a reader; a reader that fails to start says so in its state.
  await reader.configure(config.reader);
  await printQueue.start();

  let closing: Promise<void> | null = null;
  return {
    dispatcher,
    stationId: config.stationId,
    accountsIndexed: () => accounts.size,
    databases: () => dbs,
    close() {
      closing ??= (async () => {
        if (changedTimer) clearTimeout(changedTimer);
        masterFeed.cancel();
        stationFeed.cancel();
        districtFeed.cancel();
        // Replication stops before the databases close under it.
        await sync.close();
        await hall.close();
        await reader.close();
        // A receipt at the printer finishes and its attempt is recorded before the writer closes.
        await printQueue.close();
        await writer.close();
        await dbs.close();
      })();
      return closing;
    },
  };
}
