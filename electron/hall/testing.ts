/**
 * Test support for the hall hub: its parts on loopback in a temp folder (a synced LevelDB `hall`
 * database, the queue, the registry, a kiosk printer on a virtual TCP printer, the server) with a
 * kiosk, a board and counter 1 issued. Used by electron/hall/*.test.ts only.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceView, IssuedTicket } from '../../core/hall/contract.js';
import { manualClock, type ManualClock } from '../../core/time/local-date.js';
import { startVirtualPrinter, type VirtualPrinter } from '../../hardware/printer/virtual-printer.js';
import { openDurable, type Database } from '../station/database.js';
import { openDeviceRegistry } from './device-registry.js';
import { startHallServer, type HallServer } from './hall-server.js';
import { openHallQueue } from './queue-service.js';
import { createTicketPrinter, type TicketPrinter } from './ticket-printer.js';
import type { DeviceRegistry, HallDevice, HallQueue } from './types.js';

export type PrintTicket = (device: HallDevice, issued: Omit<IssuedTicket, 'print'>) => Promise<IssuedTicket['print']>;

export interface IssuedCredential {
  readonly device: DeviceView;
  readonly credential: string;
}

export interface TestHub {
  readonly dir: string;
  /** Holds a placeholder hall.html; a test may add files. */
  readonly rendererDir: string;
  readonly clock: ManualClock;
  readonly db: Database;
  /** Replaced by reopenQueue(), as after a hub restart. */
  queue: HallQueue;
  readonly registry: DeviceRegistry;
  /** The kiosk's printer. */
  readonly printer: VirtualPrinter;
  readonly tickets: TicketPrinter;
  server: HallServer;
  readonly kiosk: IssuedCredential;
  readonly board: IssuedCredential;
  readonly counter: IssuedCredential;
  /** Closes the running server and starts another (on `port`, 0: any), printing with `printTicket`. */
  restartServer(printTicket?: PrintTicket, port?: number): Promise<HallServer>;
  /** Closes the queue and opens it again from the database. */
  reopenQueue(): Promise<void>;
  close(): Promise<void>;
}

const HALL_ID = 'HALL01';
const TIME_ZONE = 'Asia/Shanghai';

export async function openTestHub(prefix: string): Promise<TestHub> {
  const dir = await mkdtemp(join(tmpdir(), `tongda-${prefix}-`));
  const rendererDir = join(dir, 'renderer');
  await mkdir(rendererDir, { recursive: true });
  await writeFile(join(rendererDir, 'hall.html'), '<!doctype html><title>hall</title>');
  const clock = manualClock('2026-03-02T01:00:00Z');
  const db = openDurable(join(dir, 'hall'));
  const queue = await openHallQueue({ db, hallId: HALL_ID, timeZone: TIME_ZONE, clock });
  const registry = await openDeviceRegistry({ db, clock });
  const printer = await startVirtualPrinter({ port: 0, columns: 48 });
  const tickets = createTicketPrinter({
    hallName: () => hub.queue.settings().hallName,
    utilityName: '合肥燃气集团',
    timeZone: TIME_ZONE,
    footer: () => hub.queue.settings().ticketFooter,
    services: () => hub.queue.settings().services,
  });
  const kiosk = await registry.issue({
    kind: 'kiosk',
    name: '取号机1',
    counterNo: null,
    printer: { model: 'escpos', interface: { kind: 'tcp', host: '127.0.0.1', port: printer.port }, paperColumns: 48, mode: 'text', kickDrawerOnCash: false },
    issuedBy: '0001',
  });
  const board = await registry.issue({ kind: 'board', name: '大屏', counterNo: null, printer: null, issuedBy: '0001' });
  const counter = await registry.issue({ kind: 'counter', name: '1号窗口', counterNo: 1, printer: null, issuedBy: '0001' });
  const start = (printTicket: PrintTicket, port: number) =>
    startHallServer({ queue: hub.queue, registry, bindAddress: '127.0.0.1', port, rendererDir, printTicket, clock });
  const hub: TestHub = {
    dir,
    rendererDir,
    clock,
    db,
    queue,
    registry,
    printer,
    tickets,
    // Set right below: the server needs the hub's queue.
    server: null as unknown as HallServer,
    kiosk,
    board,
    counter,
    async restartServer(printTicket = tickets.print, port = 0) {
      await hub.server.close();
      hub.server = await start(printTicket, port);
      return hub.server;
    },
    async reopenQueue() {
      await hub.queue.close();
      hub.queue = await openHallQueue({ db, hallId: HALL_ID, timeZone: TIME_ZONE, clock });
    },
    async close() {
      await hub.server.close();
      await tickets.close();
      await printer.close();
      await hub.queue.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  hub.server = await start(tickets.print, 0);
  return hub;
}
