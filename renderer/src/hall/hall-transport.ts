/**
 * The kiosk's and the board's link to the hall hub: a browser WebSocket to `/hall/ws?device=…` on
 * the page's own origin, the station contract's envelope (request/response/event), typed over the
 * hall contract's command and event names. Types only come from core/hall/contract.ts: the page
 * trusts the hub's validated output and does not carry zod.
 *
 * A dropped socket (a switch rebooting, the hub restarting) reconnects with back-off and re-sends
 * every unanswered request: safe, because the only mutation a kiosk makes carries a requestId and
 * a retry gets the first answer. A refused credential (close code 4401/4403, or `hall.revoked`)
 * ends the link for good: retrying a revoked credential only fills the hub's log.
 */
import type { HallCommandInput, HallCommandName, HallCommandOutput, HallEventName, HallEventPayload } from '../../../core/hall/contract.js';
import { err, type Result } from '../../../core/contract/result.js';
import { isRecord } from '../../transport/listeners.js';
import { readResponse } from '../../transport/response.js';

export type HallLinkState = 'connecting' | 'open' | 'reconnecting' | 'refused';

/** Close codes the hub uses for a credential it will not take (a browser cannot see an HTTP 401/403 on an upgrade). */
export const HALL_CLOSE_UNAUTHORIZED = 4401;
export const HALL_CLOSE_REFUSED = 4403;

export interface HallSocketHandlers {
  onOpen(): void;
  onMessage(data: unknown): void;
  /** Also after an error; `code` is the close code (1006 when the connection simply failed). */
  onClose(code: number): void;
}

export interface HallSocket {
  isOpen(): boolean;
  send(data: string): void;
  close(): void;
}

export interface HallTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HallLinkOptions {
  readonly url: string;
  readonly createSocket: (url: string, handlers: HallSocketHandlers) => HallSocket;
  readonly timers?: HallTimers;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface HallLink {
  call<C extends HallCommandName>(command: C, input: HallCommandInput<C>): Promise<Result<HallCommandOutput<C>>>;
  on<E extends HallEventName>(event: E, listener: (payload: HallEventPayload<E>) => void): () => void;
  /** Called at once with the current state, then on every change. */
  onState(listener: (state: HallLinkState) => void): () => void;
  dispose(): void;
}

/** The events this page knows; a typed record instead of the contract's zod map (no zod in the bundle). */
const knownEvents: Readonly<Record<HallEventName, true>> = {
  'hall.board': true,
  'hall.called': true,
  'hall.counters': true,
  'hall.revoked': true,
};

function isHallEventName(value: unknown): value is HallEventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(knownEvents, value);
}

interface Pending {
  readonly frame: string;
  readonly resolve: (result: Result<unknown>) => void;
  sent: boolean;
}

type AnyListener = (payload: unknown) => void;

const defaultTimers: HallTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};

export function createHallLink(options: HallLinkOptions): HallLink {
  const timers = options.timers ?? defaultTimers;
  const initialBackoffMs = options.initialBackoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const pending = new Map<number, Pending>();
  const listeners = new Map<HallEventName, Set<AnyListener>>();
  const stateListeners = new Set<(state: HallLinkState) => void>();
  let state: HallLinkState = 'connecting';
  let socket: HallSocket | null = null;
  let nextId = 1;
  let backoffMs = initialBackoffMs;
  let reconnectTimer: unknown = null;
  let stopped = false;

  function setState(next: HallLinkState): void {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  }

  function trySend(entry: Pending): void {
    if (entry.sent || socket === null || !socket.isOpen()) return;
    try {
      socket.send(entry.frame);
      entry.sent = true;
    } catch (error: unknown) {
      // A dying socket: its close re-sends this after reconnecting.
      console.error('hall: send failed', error);
    }
  }

  function emit(name: HallEventName, payload: unknown): void {
    const set = listeners.get(name);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error: unknown) {
        // One faulty panel must not keep the others from hearing the event.
        console.error('hall: event listener failed', error);
      }
    }
  }

  function refuse(): void {
    stopped = true;
    if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    const current = socket;
    socket = null;
    current?.close();
    setState('refused');
    for (const entry of pending.values()) entry.resolve(err('HALL_DEVICE_REFUSED', 'the hub refused this device'));
    pending.clear();
  }

  function receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      console.error('hall: the hub sent a frame that is not JSON');
      return;
    }
    if (!isRecord(message)) return;
    if (message['type'] === 'response') {
      const id = message['id'];
      const entry = typeof id === 'number' ? pending.get(id) : undefined;
      // An answer to a request answered already (a re-send raced the first reply): ignore it.
      if (entry === undefined || typeof id !== 'number') return;
      pending.delete(id);
      entry.resolve(readResponse(message));
      return;
    }
    if (message['type'] !== 'event') return;
    const name = message['event'];
    if (!isHallEventName(name)) return;
    emit(name, message['payload']);
    // The hub closes the socket right after this; do not wait for the close to stop retrying.
    if (name === 'hall.revoked') refuse();
  }

  function scheduleReconnect(): void {
    if (stopped || reconnectTimer !== null) return;
    setState('reconnecting');
    const delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function connect(): void {
    if (stopped) return;
    let own: HallSocket | null = null;
    const handlers: HallSocketHandlers = {
      onOpen: () => {
        if (own === null || own !== socket) return;
        backoffMs = initialBackoffMs;
        setState('open');
        for (const [, entry] of [...pending.entries()].sort(([a], [b]) => a - b)) trySend(entry);
      },
      onMessage: (data) => {
        if (own === null || own !== socket) return;
        receive(data);
      },
      onClose: (code) => {
        if (own === null || own !== socket) return;
        if (code === HALL_CLOSE_REFUSED || code === HALL_CLOSE_UNAUTHORIZED) {
          refuse();
          return;
        }
        socket = null;
        for (const entry of pending.values()) entry.sent = false;
        scheduleReconnect();
      },
    };
    try {
      own = options.createSocket(options.url, handlers);
    } catch (error: unknown) {
      console.error('hall: cannot open the hub socket', error);
      scheduleReconnect();
      return;
    }
    socket = own;
  }

  connect();

  return {
    call<C extends HallCommandName>(command: C, input: HallCommandInput<C>): Promise<Result<HallCommandOutput<C>>> {
      if (stopped) return Promise.resolve(err('HALL_DEVICE_REFUSED', 'the hub refused this device'));
      const id = nextId++;
      const frame = JSON.stringify({ type: 'request', id, command, input });
      return new Promise((resolve) => {
        // readResponse trusts the hub's validated output for the type; this entry only routes it.
        const entry: Pending = { frame, sent: false, resolve: (result) => resolve(result as Result<HallCommandOutput<C>>) };
        pending.set(id, entry);
        trySend(entry);
      });
    },
    on<E extends HallEventName>(event: E, listener: (payload: HallEventPayload<E>) => void): () => void {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      // The map loses the per-event payload type; `emit` only passes the payload of `event`.
      const stored = listener as AnyListener;
      set.add(stored);
      return () => {
        set.delete(stored);
      };
    },
    onState(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => {
        stateListeners.delete(listener);
      };
    },
    dispose() {
      stopped = true;
      if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const current = socket;
      socket = null;
      current?.close();
    },
  };
}

/** The hall socket URL on the page's own origin (the CSP allows only 'self'). */
export function hallSocketUrl(location: Pick<Location, 'protocol' | 'host'>, credential: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/hall/ws?device=${encodeURIComponent(credential)}`;
}

/** A browser WebSocket behind the HallSocket seam. */
export function browserHallSocket(url: string, handlers: HallSocketHandlers): HallSocket {
  const ws = new WebSocket(url);
  ws.addEventListener('open', () => handlers.onOpen());
  ws.addEventListener('message', (event: MessageEvent<unknown>) => handlers.onMessage(event.data));
  ws.addEventListener('close', (event) => handlers.onClose(event.code));
  return {
    isOpen: () => ws.readyState === WebSocket.OPEN,
    send: (data) => ws.send(data),
    close: () => ws.close(),
  };
}

// ── The device credential ────────────────────────────────────────────────────────────────────

export const CREDENTIAL_STORAGE_KEY = 'tongda.hall.credential';
/** The shape of `tdh1.<deviceId>.<secret>` (core/hall/contract.ts deviceCredentialSchema), without zod. */
const credentialPattern = /^tdh1\.[a-z0-9]{6,40}\.[A-Za-z0-9_-]{32,64}$/;

export type CredentialLookup = { readonly kind: 'found'; readonly credential: string } | { readonly kind: 'missing' } | { readonly kind: 'malformed' };

export interface CredentialPlace {
  readonly hash: string;
  readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Removes the fragment from the address bar (history.replaceState), so the secret is not left on screen or in history. */
  readonly clearHash: () => void;
}

/**
 * `#device=<credential>` the first time (kept in localStorage, the fragment removed), the stored
 * one after. A new fragment replaces the stored credential: that is how an admin re-issues one.
 */
export function takeCredential(place: CredentialPlace): CredentialLookup {
  const fromHash = new URLSearchParams(place.hash.replace(/^#/, '')).get('device');
  if (fromHash !== null) {
    place.clearHash();
    if (!credentialPattern.test(fromHash)) return { kind: 'malformed' };
    try {
      place.storage?.setItem(CREDENTIAL_STORAGE_KEY, fromHash);
    } catch {
      // Storage disabled: works until the next reload.
    }
    return { kind: 'found', credential: fromHash };
  }
  let stored: string | null = null;
  try {
    stored = place.storage?.getItem(CREDENTIAL_STORAGE_KEY) ?? null;
  } catch {
    stored = null;
  }
  if (stored === null) return { kind: 'missing' };
  return credentialPattern.test(stored) ? { kind: 'found', credential: stored } : { kind: 'malformed' };
}
