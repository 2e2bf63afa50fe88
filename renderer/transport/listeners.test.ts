import { describe, expect, it } from 'vitest';
import type { PrinterState } from '../../core/contract/printing.js';
import { EventHub } from './listeners.js';

const blocked: PrinterState = {
  settings: { model: 'escpos', interface: { kind: 'virtual' }, paperColumns: 48, mode: 'text', kickDrawerOnCash: true },
  status: 'blocked',
  problem: 'paper-out',
  detail: null,
  queued: 2,
  blockedJob: { jobId: 'job-1', receiptNo: 'HFSS01-00000007', uncertain: false },
  receiptNumbersLeft: 999,
};

describe('EventHub', () => {
  it('delivers printer.changed to its listeners, and only to them', () => {
    const hub = new EventHub();
    const printer: PrinterState[] = [];
    const ledger: string[] = [];
    const off = hub.on('printer.changed', (state) => printer.push(state));
    hub.on('ledger.committed', (payload) => ledger.push(payload.accountNo));

    hub.emitWire({ type: 'event', event: 'printer.changed', payload: blocked });
    expect(printer).toEqual([blocked]);
    expect(ledger).toEqual([]);

    off();
    hub.emitWire({ type: 'event', event: 'printer.changed', payload: blocked });
    expect(printer).toHaveLength(1);
  });

  it('drops events this build does not know', () => {
    const hub = new EventHub();
    const seen: unknown[] = [];
    hub.on('printer.changed', (state) => seen.push(state));
    hub.emitWire({ type: 'event', event: 'printer.exploded', payload: {} });
    hub.emitWire({ type: 'response', event: 'printer.changed', payload: blocked });
    expect(seen).toEqual([]);
  });
});
