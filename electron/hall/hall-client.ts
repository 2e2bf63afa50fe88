/**
 * A counter station's line to the hall hub, in the station's main process: one WebSocket with
 * the counter's credential, kept open with backoff, and the counter's and board's views kept
 * current from the hub's pushes.
 *
 * Calls never hang and never throw:
 * - online: sent, answered by the hub;
 * - the hub has been unreachable: HALL_UNREACHABLE at once (the counter serves walk-ins);
 * - the hub refused the credential (401/403 at the upgrade, or revoked while connected):
 *   HALL_DEVICE_REFUSED at once, and the client retries only slowly (an admin may fix it);
 * - still connecting, or the socket dropped while a request was out: the request waits and is
 *   sent again after reconnecting, the same message with the same requestId (the hub answers a
 *   repeated requestId with its first answer, so a call that did happen is not done twice),
 *   until requestTimeoutMs after the call; then HALL_UNREACHABLE.
 */
import { WebSocket, type RawData } from 'ws';
import { err, type Result } from '../../core/contract/result.js';
import {
  HALL_WS_PATH,
  hallEvents,
  type DeviceView,
  type HallCommandInput,
  type HallCommandName,
  type HallCommandOutput,
  type HallEventName,
} from '../../core/hall/contract.js';
import type { BoardSnapshot, CallView, CounterView } from '../../core/hall/model.js';
import { systemClock, type Clock } from '../../core/time/local-date.js';
import { HALL_CLOSE_REVOKED, SILENT_LOG, type HallLog } from './hall-server.js';

export type HallConnection = 'connecting' | 'online' | 'unreachable' | 'refused';

export interface HallClientState {
  readonly connection: HallConnection;
  /** When `connection` last changed. */
  readonly since: string;
  /** Why it is not online (English, for the log and a curious manager); null when online. */
  readonly problem: string | null;
  /** This counter's view (null before the first answer, or for a device that is not a counter). */
  readonly counter: CounterView | null;
  readonly board: BoardSnapshot | null;
}

export interface HallClientOptions {
  /** `http://<hub>:<port>` (an https hub gives wss). */
  readonly hubUrl: string;
  readonly credential: string;
  readonly clock?: Clock;
  /** Backoff between connection attempts: initialMs doubling up to maxMs. */
  readonly reconnect?: { readonly initialMs: number; readonly maxMs: number };
  /** How long a refused client waits before trying again. */
  readonly refusedRetryMs?: number;
  /** A call's whole budget, resends included. */
  readonly requestTimeoutMs?: number;
  /** An open socket that hears nothing (no ping, no message) this long is taken for dead. */
  readonly staleAfterMs?: number;
  readonly log?: HallLog;
}

export interface HallClient {
  state(): HallClientState;
  call<C extends HallCommandName>(command: C, input: HallCommandInput<C>): Promise<Result<HallCommandOutput<C>>>;
  onChange(listener: () => void): () => void;
  /** A call or recall anywhere in the hall (the counter may show or announce it). */
  onCalled(listener: (call: CallView) => void): () => void;
  close(): Promise<void>;
}

const DEFAULT_RECONNECT = { initialMs: 500, maxMs: 5_000 };
const DEFAULT_REFUSED_RETRY_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 8_000;
/** Three of the hub's 15 s heartbeats. */
const DEFAULT_STALE_AFTER_MS = 45_000;

interface Pending {
  readonly id: number;
  /** The frame, kept to send again unchanged after a reconnect. */
  readonly text: string;
  /** Sent on some socket: the hub may have acted on it, so it is resent until its time is up. */
  everSent: boolean;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (result: Result<unknown>) => void;
}

export function connectHallClient(options: HallClientOptions): HallClient {
  const clock = options.clock ?? systemClock;
  const log: HallLog = options.log ?? SILENT_LOG;
  const backoff = options.reconnect ?? DEFAULT_RECONNECT;
  const refusedRetryMs = options.refusedRetryMs ?? DEFAULT_REFUSED_RETRY_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const socketUrl = socketUrlOf(options.hubUrl, options.credential);

  let current: HallClientState = { connection: 'connecting', since: clock.now().toISOString(), problem: null, counter: null, board: null };
  let ws: WebSocket | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let attempts = 0;
  let closed = false;
  let nextId = 1;
  let me: DeviceView | null = null;
  let lastHeardAt = performance.now();
  const pending = new Map<number, Pending>();
  const changeListeners = new Set<() => void>();
  const calledListeners = new Set<(call: CallView) => void>();

  const emitChange = (): void => {
    for (const listener of changeListeners) {
      try {
        listener();
      } catch (error) {
        log.error('hall client: a change listener failed', error);
      }
    }
  };

  const update = (patch: Partial<HallClientState>): void => {
    const connectionChanged = patch.connection !== undefined && patch.connection !== current.connection;
    current = { ...current, ...patch, ...(connectionChanged ? { since: clock.now().toISOString() } : {}) };
    emitChange();
  };

  const setConnection = (connection: HallConnection, problem: string | null): void => {
    if (connection !== current.connection) log.info(`hall client: ${connection}${problem === null ? '' : ` (${problem})`}`);
    update({ connection, problem });
  };

  /** Answers every waiting call that never reached the hub: there is no socket to send it on. */
  const failNeverSent = (result: Result<unknown>): void => {
    for (const request of [...pending.values()]) {
      if (request.everSent) continue;
      finish(request.id, result);
    }
  };

  const finish = (id: number, result: Result<unknown>): void => {
    const request = pending.get(id);
    if (request === undefined) return;
    pending.delete(id);
    clearTimeout(request.timer);
    request.resolve(result);
  };

  const scheduleRetry = (delayMs: number): void => {
    if (closed || retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      open();
    }, delayMs);
  };

  const nextBackoff = (): number => {
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempts);
    attempts += 1;
    return delay;
  };

  function open(): void {
    if (closed) return;
    const socket = new WebSocket(socketUrl, { perMessageDeflate: false, handshakeTimeout: requestTimeoutMs });
    ws = socket;
    let refused = false;
    /** The hub answered the upgrade with an HTTP status: that, not ws's generic error, is the problem. */
    let answeredStatus: number | null = null;

    socket.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      // Set before terminate(): its 'error' and 'close' must see the refusal.
      refused = status === 401 || status === 403;
      answeredStatus = status;
      current = { ...current, problem: `the hub answered HTTP ${status}` };
      res.resume();
      socket.terminate();
      if (refused) {
        setConnection('refused', status === 403 ? 'the hub says this device was revoked' : 'the hub does not know this credential');
        // Requests that were out when the hub restarted cannot be answered by a hub that refuses us.
        for (const request of [...pending.values()]) finish(request.id, refusedResult());
      }
    });

    socket.on('ping', () => {
      lastHeardAt = performance.now();
    });

    socket.on('open', () => {
      attempts = 0;
      lastHeardAt = performance.now();
      setConnection('online', null);
      // Resend whatever the last socket left unanswered, and what waited for this one.
      for (const request of pending.values()) {
        request.everSent = true;
        socket.send(request.text);
      }
      void refreshViews();
    });

    socket.on('message', (data: RawData, isBinary: boolean) => {
      lastHeardAt = performance.now();
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(rawDataToString(data));
      } catch {
        log.info('hall client: the hub sent a frame that is not JSON');
        return;
      }
      handleMessage(message);
    });

    socket.on('error', (error) => {
      // 'close' follows; the error says why.
      if (answeredStatus === null) current = { ...current, problem: messageOf(error) };
    });

    socket.on('close', (code: number) => {
      if (ws === socket) ws = null;
      if (closed) return;
      // What was out on this socket stays in `pending` and goes again on the next one.
      if (code === HALL_CLOSE_REVOKED || refused || current.connection === 'refused') {
        if (current.connection !== 'refused') setConnection('refused', 'the hub revoked this device');
        for (const request of [...pending.values()]) finish(request.id, refusedResult());
        scheduleRetry(refusedRetryMs);
        return;
      }
      const wasOnline = current.connection === 'online';
      if (wasOnline) {
        // One quick attempt before telling anyone: a hub restart takes a moment.
        setConnection('connecting', 'the connection to the hub dropped');
      } else {
        setConnection('unreachable', current.problem ?? 'the hub did not answer');
        // New calls answer at once while unreachable; so do calls made while connecting that never went out.
        failNeverSent(unreachableResult(current.problem));
      }
      scheduleRetry(nextBackoff());
    });
  }

  /** The views the state shows, fetched on each (re)connect; pushes keep them current after. */
  async function refreshViews(): Promise<void> {
    const hello = await call('hall.hello', {});
    if (!hello.ok) {
      if (hello.error.code !== 'HALL_UNREACHABLE') log.info(`hall client: hello failed: ${hello.error.code} ${hello.error.message}`);
      return;
    }
    me = hello.value.device;
    const [counter, board] = await Promise.all([
      me.kind === 'counter' ? call('hall.counter', {}) : Promise.resolve(null),
      me.kind === 'kiosk' ? Promise.resolve(null) : call('hall.board', {}),
    ]);
    update({ counter: counter?.ok === true ? counter.value : current.counter, board: board?.ok === true ? board.value : current.board });
  }

  function handleMessage(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const frame = message as { readonly type?: unknown; readonly id?: unknown; readonly result?: unknown; readonly event?: unknown; readonly payload?: unknown };
    if (frame.type === 'response' && typeof frame.id === 'number') {
      finish(frame.id, isResult(frame.result) ? frame.result : err('INTERNAL', 'The hub sent a malformed answer.'));
      return;
    }
    if (frame.type === 'event' && typeof frame.event === 'string' && Object.prototype.hasOwnProperty.call(hallEvents, frame.event)) {
      handleEvent(frame.event as HallEventName, frame.payload);
    }
  }

  function handleEvent(event: HallEventName, payload: unknown): void {
    switch (event) {
      case 'hall.board': {
        const parsed = hallEvents[event].payload.safeParse(payload);
        if (parsed.success) update({ board: parsed.data });
        return;
      }
      case 'hall.counters': {
        const parsed = hallEvents[event].payload.safeParse(payload);
        const counterNo = me?.counterNo ?? null;
        if (!parsed.success || counterNo === null) return;
        const mine = parsed.data.counters.find((c) => c.counterNo === counterNo);
        if (mine !== undefined) update({ counter: mine });
        return;
      }
      case 'hall.called': {
        const parsed = hallEvents[event].payload.safeParse(payload);
        if (!parsed.success) return;
        for (const listener of calledListeners) {
          try {
            listener(parsed.data);
          } catch (error) {
            log.error('hall client: a call listener failed', error);
          }
        }
        return;
      }
      case 'hall.revoked':
        // The hub closes the socket right after (code 4403); say so now.
        setConnection('refused', 'the hub revoked this device');
        return;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  function call<C extends HallCommandName>(command: C, input: HallCommandInput<C>): Promise<Result<HallCommandOutput<C>>> {
    if (closed) return Promise.resolve(err('HALL_UNREACHABLE', 'The hall client is closed.'));
    switch (current.connection) {
      case 'refused':
        return Promise.resolve(refusedResult());
      case 'unreachable':
        return Promise.resolve(unreachableResult(current.problem));
      case 'connecting':
      case 'online':
        break;
      default: {
        const unreachable: never = current.connection;
        return unreachable;
      }
    }
    const id = nextId++;
    const text = JSON.stringify({ type: 'request', id, command, input });
    const answered = new Promise<Result<HallCommandOutput<C>>>((resolve) => {
      const timer = setTimeout(() => finish(id, err('HALL_UNREACHABLE', `No answer from the hub within ${requestTimeoutMs} ms.`)), requestTimeoutMs);
      const request: Pending = { id, text, everSent: false, timer, resolve: resolve as (result: Result<unknown>) => void };
      pending.set(id, request);
      if (current.connection === 'online' && ws !== null && ws.readyState === WebSocket.OPEN) {
        request.everSent = true;
        ws.send(text);
      }
    });
    if (!answersWithCounterView(command)) return answered;
    // The answer is the counter after the command. The hub's next push is sent after it on the
    // same socket, so taking it here keeps the view in order: a ticket stamped on an entry right
    // after a call is the called one, even if the hub goes away before its push arrives.
    return answered.then((result) => {
      if (result.ok && me?.kind === 'counter') update({ counter: result.value as CounterView });
      return result;
    });
  }

  // The hub pings every 15 s. A socket that hears nothing for longer is dead without having
  // closed (a pulled cable, a hub that froze): cut it, so the counter says so and reconnects.
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const watchdog = setInterval(() => {
    const socket = ws;
    if (socket !== null && socket.readyState === WebSocket.OPEN && performance.now() - lastHeardAt > staleAfterMs) {
      log.info(`hall client: nothing from the hub for ${staleAfterMs} ms; reconnecting`);
      socket.terminate();
    }
  }, Math.max(50, Math.floor(staleAfterMs / 3)));
  watchdog.unref();

  open();

  return {
    state: () => current,
    call,
    onChange(listener) {
      changeListeners.add(listener);
      return () => {
        changeListeners.delete(listener);
      };
    },
    onCalled(listener) {
      calledListeners.add(listener);
      return () => {
        calledListeners.delete(listener);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(watchdog);
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      for (const request of [...pending.values()]) finish(request.id, err('HALL_UNREACHABLE', 'The hall client is closed.'));
      const socket = ws;
      ws = null;
      if (socket === null || socket.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => socket.terminate(), 1_000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(1000, 'Station closing');
      });
    },
  };
}

/** `http://hub:port` → `ws://hub:port/hall/ws?device=…` (https → wss). */
export function socketUrlOf(hubUrl: string, credential: string): string {
  const url = new URL(hubUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = HALL_WS_PATH;
  url.search = '';
  url.hash = '';
  url.searchParams.set('device', credential);
  return url.toString();
}

function refusedResult<T>(): Result<T> {
  return err('HALL_DEVICE_REFUSED', 'The hall hub refused this device: its credential is unknown or revoked.');
}

function unreachableResult<T>(problem: string | null): Result<T> {
  return err('HALL_UNREACHABLE', `The hall hub cannot be reached${problem === null ? '' : `: ${problem}`}.`);
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const result = value as { readonly ok?: unknown; readonly error?: unknown };
  if (result.ok === true) return 'value' in result;
  return result.ok === false && typeof result.error === 'object' && result.error !== null && typeof (result.error as { code?: unknown }).code === 'string';
}

function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The counter commands whose answer is the counter's view after them. */
function answersWithCounterView(command: HallCommandName): boolean {
  switch (command) {
    case 'hall.callNext':
    case 'hall.recall':
    case 'hall.start':
    case 'hall.finish':
    case 'hall.noShow':
    case 'hall.transfer':
    case 'hall.counter':
      return true;
    case 'hall.hello':
    case 'hall.kiosk':
    case 'hall.issueTicket':
    case 'hall.board':
    case 'hall.figures':
    case 'hall.ticket':
      return false;
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}
