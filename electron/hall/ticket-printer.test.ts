import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PrinterSettings } from '../../core/contract/printing.js';
import type { IssuedTicket } from '../../core/hall/contract.js';
import { DEFAULT_HALL_SETTINGS } from '../../core/hall/model.js';
import { startVirtualPrinter, type VirtualPrinter } from '../../hardware/printer/virtual-printer.js';
import { createTicketPrinter, type TicketPrinter } from './ticket-printer.js';
import type { HallDevice } from './types.js';

const issued: Omit<IssuedTicket, 'print'> = {
  ticket: {
    ticketId: 'HALL01/2026-03-02/D007',
    number: 'D007',
    service: 'D',
    issuedService: 'D',
    priority: 'disabled',
    state: 'waiting',
    issuedAt: '2026-03-02T01:05:09.000Z',
    queuedAt: '2026-03-02T01:05:09.000Z',
    forCounter: null,
    counterNo: null,
    firstCalledAt: null,
    calledAt: null,
    startedAt: null,
    finishedAt: null,
    recalls: 0,
    transfers: 0,
  },
  waitingAhead: 3,
};

function settings(iface: PrinterSettings['interface'], paperColumns: 32 | 48 = 32): PrinterSettings {
  return { model: 'escpos', interface: iface, paperColumns, mode: 'text', kickDrawerOnCash: false };
}

function kiosk(printer: PrinterSettings | null, deviceId = 'kiosk000001'): HallDevice {
  return { deviceId, kind: 'kiosk', name: '取号机', counterNo: null, printer };
}

const open: { printers: TicketPrinter[]; virtuals: VirtualPrinter[]; servers: net.Server[] } = { printers: [], virtuals: [], servers: [] };

function ticketPrinter(budgetMs?: number): TicketPrinter {
  const printer = createTicketPrinter({
    hallName: '蜀山营业厅',
    utilityName: '合肥燃气集团',
    timeZone: 'Asia/Shanghai',
    footer: () => DEFAULT_HALL_SETTINGS.ticketFooter,
    services: () => DEFAULT_HALL_SETTINGS.services,
    ...(budgetMs === undefined ? {} : { budgetMs }),
  });
  open.printers.push(printer);
  return printer;
}

afterEach(async () => {
  await Promise.all(open.printers.splice(0).map((p) => p.close()));
  await Promise.all(open.virtuals.splice(0).map((p) => p.close()));
  for (const server of open.servers.splice(0)) {
    server.close();
  }
});

describe('ticket printer', () => {
  it('prints on a virtual printer it starts for the kiosk (the demo)', async () => {
    const printer = ticketPrinter();
    const device = kiosk(settings({ kind: 'virtual' }));
    expect(printer.virtualPrinter(device.deviceId)).toBeNull();
    expect(await printer.print(device, issued)).toEqual({ state: 'printed', problem: null });
    const virtual = printer.virtualPrinter(device.deviceId);
    expect(virtual).not.toBeNull();
    const jobs = (await virtual?.waitForJobs(1)) ?? [];
    const lines = jobs[0]?.summary.lines ?? [];
    expect(lines).toEqual(expect.arrayContaining(['D007', '报修/投诉/咨询', '优先：残疾', '您前面还有 3 位在等候', '取号时间：2026-03-02 09:05:09']));
    expect(virtual?.columns).toBe(32);
    // The same kiosk keeps its one virtual printer.
    await printer.print(device, issued);
    expect(printer.virtualPrinter(device.deviceId)).toBe(virtual);
    expect(await virtual?.waitForJobs(2)).toHaveLength(2);
  });

  it('prints on a network printer', async () => {
    const virtual = await startVirtualPrinter({ port: 0, columns: 48 });
    open.virtuals.push(virtual);
    const printer = ticketPrinter();
    expect(await printer.print(kiosk(settings({ kind: 'tcp', host: '127.0.0.1', port: virtual.port }, 48)), issued)).toEqual({ state: 'printed', problem: null });
    expect((await virtual.waitForJobs(1))[0]?.summary.lines).toContain('D007');
  });

  it('says no-printer for a kiosk without one', async () => {
    const printer = ticketPrinter();
    expect(await printer.print(kiosk(null), issued)).toEqual({ state: 'no-printer', problem: null });
    expect(await printer.print(kiosk(settings({ kind: 'none' })), issued)).toEqual({ state: 'no-printer', problem: null });
  });

  it('turns printer problems into a failed outcome, never a throw', async () => {
    const virtual = await startVirtualPrinter({ port: 0 });
    open.virtuals.push(virtual);
    virtual.setState('cover-open');
    const printer = ticketPrinter();
    expect(await printer.print(kiosk(settings({ kind: 'tcp', host: '127.0.0.1', port: virtual.port })), issued)).toEqual({ state: 'failed', problem: 'cover-open' });
    expect(virtual.jobs().every((job) => !job.summary.lines.includes('D007'))).toBe(true);

    // Nothing listens on a port the OS just handed out and took back.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const deadPort = typeof address === 'object' && address !== null ? address.port : 1;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    expect(await printer.print(kiosk(settings({ kind: 'tcp', host: '127.0.0.1', port: deadPort }), 'kiosk000002'), issued)).toEqual({ state: 'failed', problem: 'unreachable' });
  });

  it('gives up within its time budget on a printer that does not answer', async () => {
    const virtual = await startVirtualPrinter({ port: 0 });
    open.virtuals.push(virtual);
    virtual.setState('stalled');
    const printer = ticketPrinter(300);
    const started = performance.now();
    const outcome = await printer.print(kiosk(settings({ kind: 'tcp', host: '127.0.0.1', port: virtual.port })), issued);
    expect(outcome).toEqual({ state: 'failed', problem: 'no-answer' });
    expect(performance.now() - started).toBeLessThan(1000);
    virtual.setState('ok');
  });
});
