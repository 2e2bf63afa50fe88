/**
 * The hall queue's screen rules that need no React: which of the counter's buttons may be
 * pressed, which key presses them, how a duration reads. Kept pure so they are tested without a
 * DOM (renderer/src/queue-rules.test.ts).
 */
import type { HubConnection, QueueState } from '../../core/contract/hall.js';
import type { CounterView, HallService, HallSettings, ServiceCode, TicketState } from '../../core/hall/model.js';

export type QueueAction = 'callNext' | 'recall' | 'start' | 'finish' | 'noShow' | 'transfer';

export interface CounterActions {
  readonly callNext: boolean;
  readonly recall: boolean;
  readonly start: boolean;
  readonly finish: boolean;
  readonly noShow: boolean;
  readonly transfer: boolean;
  /** Recalls still needed before 过号 is allowed (0 once allowed, or with no called ticket). */
  readonly recallsLeft: number;
}

const NONE: CounterActions = { callNext: false, recall: false, start: false, finish: false, noShow: false, transfer: false, recallsLeft: 0 };

/**
 * What the counter may do now. Nothing while the hub is not online (the clerk serves walk-ins
 * meanwhile) or while a request is on its way (a double click must not act twice). Calling waits
 * until the current ticket is finished, transferred or absent: the hub refuses it anyway
 * (HALL_COUNTER_BUSY), the button says so first.
 */
export function counterActions(connection: HubConnection, view: CounterView | null, inFlight: boolean): CounterActions {
  if (connection !== 'online' || view === null || inFlight) return NONE;
  const current = view.current;
  if (current === null) return { ...NONE, callNext: true };
  const called = current.state === 'called';
  const open = called || current.state === 'serving';
  return {
    callNext: false,
    recall: called,
    start: called,
    // Finishing a called ticket skips 开始办理; its service time then counts from the call.
    finish: open,
    noShow: called && view.recallsBeforeNoShow === 0,
    transfer: open,
    recallsLeft: called ? view.recallsBeforeNoShow : 0,
  };
}

export interface KeyPress {
  readonly key: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
}

/**
 * The bar's keys: F9 叫号, Shift+F9 重呼, F10 完成. The shell already uses F2/Ctrl+K (search), F4
 * (缴费), F6 (购气), F7 (开户), F8 (发卡) and Esc; F11/F12 belong to the browser.
 */
export function shortcutAction(press: KeyPress): QueueAction | null {
  if (press.ctrlKey || press.altKey || press.metaKey) return null;
  if (press.key === 'F9') return press.shiftKey ? 'recall' : 'callNext';
  if (press.key === 'F10' && !press.shiftKey) return 'finish';
  return null;
}

/** Whole seconds as mm:ss (h:mm:ss from an hour); "—" for none. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${String(minutes).padStart(2, '0')}:${rest}`;
}

/** A typed counter number 1–99, or null. */
export function parseCounterNo(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,2}$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= 1 && value <= 99 ? value : null;
}

/** A port 1024–65535 as typed, or null. */
export function parsePort(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{4,5}$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= 1024 && value <= 65535 ? value : null;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function isIpv4(text: string): boolean {
  return IPV4.test(text.trim());
}

const CREDENTIAL = /^tdh1\.[a-z0-9]{6,40}\.[A-Za-z0-9_-]{32,64}$/;

/** A pasted device credential, trimmed (copying from a chat window adds spaces and line ends). */
export function cleanCredential(text: string): string {
  return text.replace(/\s+/g, '');
}

export function isCredential(text: string): boolean {
  return CREDENTIAL.test(cleanCredential(text));
}

export function isHubUrl(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The first letter no service uses yet (null when all 26 are taken). */
export function nextServiceCode(services: readonly HallService[]): ServiceCode | null {
  for (let code = 65; code <= 90; code += 1) {
    const letter = String.fromCharCode(code);
    if (!services.some((service) => service.code === letter)) return letter;
  }
  return null;
}

/** The lowest counter number not yet configured (null when 1–99 are all taken). */
export function nextCounterNo(counters: HallSettings['counters']): number | null {
  for (let counterNo = 1; counterNo <= 99; counterNo += 1) {
    if (!counters.some((counter) => counter.counterNo === counterNo)) return counterNo;
  }
  return null;
}

/** A counter's services with one ticked or unticked, in the services' order. */
export function toggleService(order: readonly ServiceCode[], chosen: readonly ServiceCode[], code: ServiceCode, on: boolean): ServiceCode[] {
  return order.filter((candidate) => (candidate === code ? on : chosen.includes(candidate)));
}

/** A service's name in the screen's language; its code when the hall no longer knows it. */
export function serviceName(services: readonly { readonly service: string; readonly nameZh: string; readonly nameEn: string }[], code: string, english: boolean): string {
  const found = services.find((service) => service.service === code);
  if (found === undefined) return code;
  return english ? found.nameEn : found.nameZh;
}

/** Whether a ticket in this state is still in someone's hands (the figures' list marks them). */
export function ticketOpen(state: TicketState): boolean {
  switch (state) {
    case 'waiting':
    case 'called':
    case 'serving':
      return true;
    case 'done':
    case 'no-show':
      return false;
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

/** Whether this station has any part in a hall queue (the hall screen and bar have something to show). */
export function takesPartInHall(state: QueueState | null): boolean {
  return state !== null && (state.hub !== null || state.counter !== null);
}
