/**
 * Prints queue tickets on kiosks' printers, for the hall server. The hub drives each kiosk's
 * printer itself (the kiosk may be a browser on the hall network), so the printer's settings
 * are part of the kiosk's device record.
 *
 * The ticket is already durable in the queue when this runs: a printer problem never loses the
 * ticket, it only says so (the kiosk shows the number on screen either way). So nothing here
 * throws, and the kiosk, which waits for the outcome, waits at most PRINT_BUDGET_MS.
 */
import type { PrinterSettings } from '../../core/contract/printing.js';
import type { IssuedTicket } from '../../core/hall/contract.js';
import type { HallService } from '../../core/hall/model.js';
import { layoutTicket } from '../../core/hall/ticket-layout.js';
import { openPrinterDriver, type PrinterDriver, type PrinterInterfaceConfig } from '../../hardware/printer/print-driver.js';
import { buildReceiptJob } from '../../hardware/printer/receipt-job.js';
import { describeInterface } from '../../hardware/printer/transport.js';
import { startVirtualPrinter, type VirtualPrinter } from '../../hardware/printer/virtual-printer.js';
import { SILENT_LOG, type HallLog } from './hall-server.js';
import type { HallDevice } from './types.js';

type PrintResult = IssuedTicket['print'];

/** A customer waits at the kiosk for the paper; longer than this and the screen shows the number alone. */
export const PRINT_BUDGET_MS = 3000;
/** Per step (connect, status, job, status): three steps fit the budget with room to spare. */
const STEP_TIMEOUT_MS = 900;
/** A demo kiosk runs for days: its virtual printer keeps only the recent tickets. */
const VIRTUAL_JOBS_KEPT = 50;

export interface TicketPrinterOptions {
  /** A function when the hall's settings can change while the hub runs. */
  readonly hallName: string | (() => string);
  readonly utilityName: string;
  readonly timeZone: string;
  readonly footer: () => string;
  readonly services: () => readonly HallService[];
  readonly log?: HallLog;
  /** Bound on one print, from the request to the outcome (tests shorten it). */
  readonly budgetMs?: number;
}

export interface TicketPrinter {
  /** A property, not a method: it is handed to the hall server as `printTicket` on its own. */
  readonly print: (device: HallDevice, issued: Omit<IssuedTicket, 'print'>) => Promise<PrintResult>;
  /** The virtual printer started for this kiosk ('virtual' printers only; null before its first ticket). */
  virtualPrinter(deviceId: string): VirtualPrinter | null;
  close(): Promise<void>;
}

export function createTicketPrinter(options: TicketPrinterOptions): TicketPrinter {
  const log: HallLog = options.log ?? SILENT_LOG;
  const budgetMs = options.budgetMs ?? PRINT_BUDGET_MS;
  // One driver per printer: the driver serialises its jobs, and a printer takes one connection at a time.
  const drivers = new Map<string, PrinterDriver>();
  const virtuals = new Map<string, Promise<VirtualPrinter>>();
  const startedVirtuals = new Map<string, VirtualPrinter>();
  let closed = false;

  const driverFor = (config: PrinterInterfaceConfig): PrinterDriver => {
    const key = describeInterface(config);
    let driver = drivers.get(key);
    if (driver === undefined) {
      driver = openPrinterDriver(config, { timeoutMs: STEP_TIMEOUT_MS });
      drivers.set(key, driver);
    }
    return driver;
  };

  const virtualFor = (device: HallDevice, settings: PrinterSettings): Promise<VirtualPrinter> => {
    let started = virtuals.get(device.deviceId);
    if (started === undefined) {
      started = startVirtualPrinter({ port: 0, columns: settings.paperColumns }).then((printer) => {
        startedVirtuals.set(device.deviceId, printer);
        log.info(`hall: virtual ticket printer for kiosk ${device.deviceId} on 127.0.0.1:${printer.port}`);
        return printer;
      });
      virtuals.set(device.deviceId, started);
      // A failed start is retried at the next ticket.
      started.catch(() => virtuals.delete(device.deviceId));
    }
    return started;
  };

  const configFor = async (device: HallDevice, settings: PrinterSettings): Promise<PrinterInterfaceConfig | null> => {
    const iface = settings.interface;
    switch (iface.kind) {
      case 'none':
        return null;
      case 'virtual': {
        const printer = await virtualFor(device, settings);
        if (printer.jobs().length > VIRTUAL_JOBS_KEPT) printer.forgetComplete();
        return { kind: 'tcp', host: '127.0.0.1', port: printer.port };
      }
      case 'tcp':
        return { kind: 'tcp', host: iface.host, port: iface.port };
      case 'serial':
        return { kind: 'serial', path: iface.path, baudRate: iface.baudRate };
      case 'device':
        return { kind: 'device', path: iface.path };
      default: {
        const unreachable: never = iface;
        return unreachable;
      }
    }
  };

  const printNow = async (device: HallDevice, issued: Omit<IssuedTicket, 'print'>): Promise<PrintResult> => {
    const settings = device.printer;
    if (settings === null || settings.interface.kind === 'none') return { state: 'no-printer', problem: null };
    if (closed) return { state: 'failed', problem: 'error' };
    const config = await configFor(device, settings);
    if (config === null) return { state: 'no-printer', problem: null };
    const { ticket } = issued;
    const services = options.services();
    const service = services.find((s) => s.code === ticket.service);
    const lines = layoutTicket({
      hallName: typeof options.hallName === 'string' ? options.hallName : options.hallName(),
      utilityName: options.utilityName,
      ticket,
      serviceNameZh: service?.nameZh ?? ticket.service,
      serviceNameEn: service?.nameEn ?? ticket.service,
      waitingAhead: issued.waitingAhead,
      timeZone: options.timeZone,
      footer: options.footer(),
      paperColumns: settings.paperColumns,
    });
    let job: Uint8Array;
    try {
      job = buildReceiptJob(lines, { columns: settings.paperColumns, mode: settings.mode, kickDrawer: false, qrAsImage: settings.model === 'escpos-no-qr' });
    } catch (error) {
      // Raster mode without a Chinese font installed is the one way building fails.
      log.info(`hall: cannot build ticket ${ticket.number} for kiosk ${device.deviceId}: ${messageOf(error)}`);
      return { state: 'failed', problem: settings.mode === 'raster' ? 'raster-unavailable' : 'error' };
    }
    const outcome = await driverFor(config).print(job);
    switch (outcome.kind) {
      case 'printed':
        return { state: 'printed', problem: null };
      case 'not-sent':
      case 'unconfirmed':
        log.info(`hall: ticket ${ticket.number} for kiosk ${device.deviceId} ${outcome.kind}: ${outcome.problem} (${outcome.detail})`);
        return { state: 'failed', problem: outcome.problem };
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  };

  return {
    async print(device, issued) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<PrintResult>((resolve) => {
        timer = setTimeout(() => {
          log.info(`hall: ticket ${issued.ticket.number} for kiosk ${device.deviceId}: no printer outcome within ${budgetMs} ms`);
          resolve({ state: 'failed', problem: 'no-answer' });
        }, budgetMs);
      });
      const printing = printNow(device, issued).catch((error: unknown): PrintResult => {
        log.error(`hall: printing ticket ${issued.ticket.number} failed`, error);
        return { state: 'failed', problem: 'error' };
      });
      try {
        return await Promise.race([printing, late]);
      } finally {
        clearTimeout(timer);
      }
    },

    virtualPrinter(deviceId) {
      return startedVirtuals.get(deviceId) ?? null;
    },

    async close() {
      closed = true;
      const pending = [...virtuals.values()];
      virtuals.clear();
      startedVirtuals.clear();
      await Promise.allSettled([...[...drivers.values()].map((driver) => driver.close()), ...pending.map(async (printer) => (await printer).close())]);
      drivers.clear();
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
