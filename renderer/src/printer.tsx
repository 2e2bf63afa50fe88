/**
 * The receipt printer as the screens see it: the station's print queue state (`printer.state`,
 * then every `printer.changed`), held once for the whole logged-in shell and read through
 * PrinterContext by the status bar, the blocked-printer banner, the receipt list, the settings
 * and the virtual printer's preview.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { PrinterProblemCode, PrinterState } from '../../core/contract/printing.js';
import type { Role } from '../../core/schema/primitives.js';
import type { MessageKey } from '../i18n/messages.js';
import { useLiveState } from './live-state.js';
import { useStation } from './station.js';

/** Below this many receipt numbers left, the status bar warns (收据号即将用完). */
export const RECEIPT_NUMBERS_LOW = 1000;

/** Null until the station first answered `printer.state`. */
export const PrinterContext = createContext<PrinterState | null>(null);

export function usePrinter(): PrinterState | null {
  return useContext(PrinterContext);
}

/**
 * Something went to the printer outside the queue (a test page), so no `printer.changed` says
 * so: `printedOutside` bumps `outside`, and the virtual printer's preview looks for new paper.
 */
export interface OutsidePrints {
  readonly outside: number;
  readonly printedOutside: () => void;
}

const OutsidePrintsContext = createContext<OutsidePrints>({ outside: 0, printedOutside: () => undefined });

export function useOutsidePrints(): OutsidePrints {
  return useContext(OutsidePrintsContext);
}

/**
 * Keeps the printer state current while a session is on screen. A `printer.state` answer that
 * was overtaken by an event is dropped (the event is newer); after a dropped connection the state
 * is read again, since events sent meanwhile were lost.
 */
export function PrinterProvider({ children }: { readonly children: ReactNode }) {
  const { client } = useStation();
  const state = useLiveState(client, 'printer');
  const [outside, setOutside] = useState(0);
  const printedOutside = useCallback(() => setOutside((n) => n + 1), []);
  const outsidePrints = useMemo<OutsidePrints>(() => ({ outside, printedOutside }), [outside, printedOutside]);

  return (
    <PrinterContext value={state}>
      <OutsidePrintsContext value={outsidePrints}>{children}</OutsidePrintsContext>
    </PrinterContext>
  );
}

export function statusKey(status: PrinterState['status']): MessageKey {
  switch (status) {
    case 'idle':
      return 'printer.status.idle';
    case 'printing':
      return 'printer.status.printing';
    case 'blocked':
      return 'printer.status.blocked';
    case 'off':
      return 'printer.status.off';
  }
}

export function problemKey(problem: PrinterProblemCode): MessageKey {
  switch (problem) {
    case 'offline':
      return 'printer.problem.offline';
    case 'paper-out':
      return 'printer.problem.paper-out';
    case 'cover-open':
      return 'printer.problem.cover-open';
    case 'no-answer':
      return 'printer.problem.no-answer';
    case 'unreachable':
      return 'printer.problem.unreachable';
    case 'error':
      return 'printer.problem.error';
    case 'raster-unavailable':
      return 'printer.problem.raster-unavailable';
  }
}

/** Roles that may answer for the queue at a counter (`printer.retry`, `printer.resolve`, `receipts.*` are serving commands). */
export function handlesPrinting(role: Role): boolean {
  switch (role) {
    case 'clerk':
    case 'van':
    case 'supervisor':
    case 'manager':
      return true;
    case 'admin':
      return false;
  }
}

/** Roles that may change the station's settings (`reader.configure`, `printer.configure`, the tests). */
export function configuresStation(role: Role): boolean {
  switch (role) {
    case 'manager':
    case 'admin':
      return true;
    case 'clerk':
    case 'van':
    case 'supervisor':
      return false;
  }
}
