/**
 * This station's part in the hall queue 排队叫号 (electron/hall/README.md):
 * - the hub, when station.json says this station is the hall's hub: the queue (the one writer of
 *   queue events, in its own `hall` database), the device credentials, and the hall server on the
 *   configured address of the hall network;
 * - the counter, when station.json holds a counter credential: a hall client to the hub (which
 *   may be this very station, reached over its own listener like any other counter).
 * Either, both or neither. The renderer sees only `queue.*` and `hall.*` station commands: the
 * credential never leaves the main process.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { QueueState, HallConfigureInput } from '../../core/contract/hall.js';
import type { EventName, EventPayload } from '../../core/contract/events.js';
import { err, type Result } from '../../core/contract/result.js';
import type { HallCommandInput, HallCommandName, HallCommandOutput } from '../../core/hall/contract.js';
import { HALL_PAGE_PATHS } from '../../core/hall/contract.js';
import type { CallView, TicketStamp } from '../../core/hall/model.js';
import type { Clock } from '../../core/time/local-date.js';
import { openDeviceRegistry } from '../hall/device-registry.js';
import { connectHallClient, type HallClient } from '../hall/hall-client.js';
import { startHallServer, type HallServer } from '../hall/hall-server.js';
import { openHallQueue } from '../hall/queue-service.js';
import { createTicketPrinter, type TicketPrinter } from '../hall/ticket-printer.js';
import type { DeviceRegistry, HallQueue } from '../hall/types.js';
import { saveStationConfig, type StationConfig } from './config.js';
import { openDurable, type Database } from './database.js';

export interface HallStationOptions {
  readonly config: StationConfig;
  readonly dataDir: string;
  readonly clock: Clock;
  /** The built renderer (dist/renderer): the hub serves the kiosk and board pages from it. */
  readonly rendererDir: string | null;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  readonly log: { info(message: string): void; error(message: string, error: unknown): void };
}

interface RunningHub {
  readonly db: Database;
  readonly queue: HallQueue;
  readonly registry: DeviceRegistry;
  readonly printer: TicketPrinter;
  readonly server: HallServer;
}

export class HallStation {
  private hubPart: RunningHub | null = null;
  private hubProblem: string | null = null;
  private client: HallClient | null = null;
  private unsubscribe: (() => void)[] = [];
  private changedTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly options: HallStationOptions) {}

  static async open(options: HallStationOptions): Promise<HallStation> {
    const station = new HallStation(options);
    await station.startHub();
    station.startCounter();
    return station;
  }

  /** The running hub's parts (this station is the hub), else null. */
  hub(): RunningHub | null {
    return this.hubPart;
  }

  state(): QueueState {
    const { hall } = this.options.config;
    const hub = this.hubPart;
    const client = this.client;
    const clientState = client?.state() ?? null;
    return {
      hubListen: { ...hall.hub },
      hub: hall.hub.enabled ? { listen: { ...hall.hub }, listening: hub !== null, urls: hub ? hub.server.urls : [], problem: this.hubProblem } : null,
      counter:
        hall.counter === null || clientState === null
          ? null
          : {
              hubUrl: hall.counter.hubUrl,
              connection: clientState.connection,
              since: clientState.since,
              problem: clientState.problem,
              view: clientState.counter,
              waiting: clientState.board?.waiting.map((w) => ({ service: w.service, nameZh: w.nameZh, nameEn: w.nameEn, count: w.count })) ?? [],
            },
    };
  }

  /**
   * The ticket to stamp on an entry committed now: the one this counter has called or serves, as
   * the hub last said (each answer and push keeps it current). Also while the hub cannot be
   * reached: the customer called before it went away is still at the counter. None when the
   * counter serves a walk-in without a ticket.
   */
  servingTicket(): TicketStamp | null {
    const current = this.client?.state().counter?.current ?? null;
    if (current === null || (current.state !== 'called' && current.state !== 'serving') || current.counterNo === null) return null;
    const hallId = current.ticketId.split('/')[0] ?? '';
    return { ticketId: current.ticketId, number: current.number, counterNo: current.counterNo, hallId };
  }

  /** A hall command of this counter, through the hub. */
  counterCall<C extends HallCommandName>(command: C, input: HallCommandInput<C>): Promise<Result<HallCommandOutput<C>>> {
    const client = this.client;
    if (client === null) return Promise.resolve(err('HALL_NOT_CONFIGURED', 'this station holds no counter credential for a hall hub'));
    // The client takes a counter command's answer as its view and tells onChange: queue.changed follows from that.
    return client.call(command, input);
  }

  hasCounter(): boolean {
    return this.client !== null;
  }

  /** Saves the hub listener and the counter link, and restarts what changed. */
  async configure(input: HallConfigureInput): Promise<QueueState> {
    const { config } = this.options;
    const before = config.hall;
    let counter: StationConfig['hall']['counter'] = null;
    if (input.counter !== null) {
      const credential = input.counter.credential ?? before.counter?.credential;
      if (credential === undefined) throw new HallConfigError('a counter link needs the counter credential issued by the hub');
      counter = { hubUrl: input.counter.hubUrl, credential };
    }
    const next: StationConfig['hall'] = { hub: { ...input.hub }, counter };
    const hubChanged = JSON.stringify(before.hub) !== JSON.stringify(next.hub);
    const counterChanged = JSON.stringify(before.counter) !== JSON.stringify(next.counter);
    config.hall = next;
    saveStationConfig(this.options.dataDir, config);
    if (hubChanged) {
      await this.stopHub();
      await this.startHub();
    }
    if (counterChanged) {
      await this.stopCounter();
      this.startCounter();
    }
    this.changed();
    return this.state();
  }

  /** The page a kiosk or board opens, on the hub's first hall-network address. */
  pageUrl(kind: 'kiosk' | 'board', credential: string): string | null {
    const urls = this.hubPart?.server.urls ?? [];
    const base = urls.find((url) => !url.includes('//127.0.0.1')) ?? urls[0];
    return base === undefined ? null : `${base}${HALL_PAGE_PATHS[kind]}#device=${credential}`;
  }

  async close(): Promise<void> {
    if (this.changedTimer) clearTimeout(this.changedTimer);
    await this.stopCounter();
    await this.stopHub();
  }

  private async startHub(): Promise<void> {
    const { config, dataDir, clock, log } = this.options;
    this.hubProblem = null;
    if (!config.hall.hub.enabled) return;
    const dbDir = join(dataDir, 'db');
    mkdirSync(dbDir, { recursive: true });
    const db = openDurable(join(dbDir, 'hall'));
    let queue: HallQueue | null = null;
    let printer: TicketPrinter | null = null;
    try {
      queue = await openHallQueue({ db, hallId: config.stationId, timeZone: config.timeZone, clock });
      const openedQueue = queue;
      const registry = await openDeviceRegistry({ db, clock });
      printer = createTicketPrinter({
        hallName: () => openedQueue.settings().hallName,
        utilityName: config.utilityName,
        timeZone: config.timeZone,
        footer: () => openedQueue.settings().ticketFooter,
        services: () => openedQueue.settings().services,
        log,
      });
      const openedPrinter = printer;
      const server = await startHallServer({
        queue,
        registry,
        bindAddress: config.hall.hub.bindAddress,
        port: config.hall.hub.port,
        rendererDir: this.options.rendererDir ?? join(dataDir, 'no-renderer'),
        printTicket: (device, issued) => openedPrinter.print(device, issued),
        log,
      });
      this.hubPart = { db, queue, registry, printer, server };
    } catch (error) {
      this.hubProblem = error instanceof Error ? error.message : String(error);
      log.error('the hall hub did not start', error);
      await printer?.close();
      await queue?.close();
      await db.close();
    }
  }

  private async stopHub(): Promise<void> {
    const hub = this.hubPart;
    this.hubPart = null;
    if (hub === null) return;
    await hub.server.close();
    await hub.printer.close();
    await hub.queue.close();
    await hub.db.close();
  }

  private startCounter(): void {
    const link = this.options.config.hall.counter;
    if (link === null) return;
    const client = connectHallClient({ hubUrl: link.hubUrl, credential: link.credential, clock: this.options.clock, log: this.options.log });
    this.client = client;
    this.unsubscribe = [
      client.onChange(() => this.changed()),
      client.onCalled((call: CallView) => this.options.emit('queue.called', call)),
    ];
  }

  private async stopCounter(): Promise<void> {
    for (const stop of this.unsubscribe) stop();
    this.unsubscribe = [];
    const client = this.client;
    this.client = null;
    await client?.close();
  }

  /** Coalesced: a busy hall pushes many changes a second; the UI needs the latest only. */
  private changed(): void {
    this.changedTimer ??= setTimeout(() => {
      this.changedTimer = null;
      this.options.emit('queue.changed', this.state());
    }, 30);
  }
}

export class HallConfigError extends Error {
  override readonly name = 'HallConfigError';
}
