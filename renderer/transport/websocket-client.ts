/**
 * StationClient over the station host's WebSocket, for browsers on the hall's LAN or the van's
 * own machine. The socket may drop (a hall switch rebooting, a laptop sleeping): we reconnect
 * with back-off and re-send every request that had no answer yet. That is safe because every
 * command is idempotent by design: a payment confirm carries its station-issued txnId, so a
 * repeat returns the entry already committed instead of charging twice.
 */
import type { ConnectionState, StationClient } from '../../core/contract/client.js';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { EventName, EventPayload } from '../../core/contract/events.js';
import type { Result } from '../../core/contract/result.js';
import { EventHub, StateHub, isRecord } from './listeners.js';
import { readResponse } from './response.js';

/** What a socket tells the client; the browser WebSocket and the tests' fake both call these. */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: unknown): void;
  /** Also called after an error: the client reconnects on close only. */
  onClose(): void;
}

/** The part of a WebSocket the client uses, so tests can inject a fake. */
export interface SocketLike {
  isOpen(): boolean;
  send(data: string): void;
  close(): void;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WebSocketClientOptions {
  readonly url: string;
  readonly createSocket: (url: string, handlers: SocketHandlers) => SocketLike;
  /** Injected so tests control time; defaults to the global timers. */
  readonly timers?: Timers;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

interface Pending {
  readonly id: number;
  readonly frame: string;
  readonly resolve: (message: Record<string, unknown>) => void;
  /** Sent on the current socket; cleared when the socket drops so reconnect sends it again. */
  sent: boolean;
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};

export class WebSocketStationClient implements StationClient {
  private readonly hub = new EventHub();
  private readonly state = new StateHub('connecting');
  private readonly pending = new Map<number, Pending>();
  private readonly timers: Timers;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private socket: SocketLike | null = null;
  private session: string | null = null;
  private nextId = 1;
  private backoffMs: number;
  private reconnectTimer: unknown = null;
  private disposed = false;

  constructor(private readonly options: WebSocketClientOptions) {
    this.timers = options.timers ?? defaultTimers;
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.backoffMs = this.initialBackoffMs;
    this.connect();
  }

  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<Result<CommandOutput<C>>> {
    const id = this.nextId++;
    // The session is captured now, so a re-sent request is byte-for-byte the one first sent.
    const request = this.session === null ? { type: 'request', id, command, input } : { type: 'request', id, command, input, session: this.session };
    const frame = JSON.stringify(request);
    return new Promise((resolve) => {
      const entry: Pending = {
        id,
        frame,
        sent: false,
        resolve: (message) => {
          resolve(readResponse<CommandOutput<C>>(message));
        },
      };
      this.pending.set(id, entry);
      this.trySend(entry);
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.hub.on(event, listener);
  }

  setSession(token: string | null): void {
    this.session = token;
  }

  onConnectionState(listener: (state: ConnectionState) => void): () => void {
    return this.state.subscribe(listener);
  }

  /** Stops reconnecting and closes the socket (tests, page unload). Pending calls stay unanswered. */
  dispose(): void {
    this.disposed = true;
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.state.set('closed');
  }

  private connect(): void {
    if (this.disposed) return;
    // Handlers of a socket we have already given up on must not touch the client.
    let socket: SocketLike | null = null;
    const handlers: SocketHandlers = {
      onOpen: () => {
        if (socket === null || socket !== this.socket) return;
        this.backoffMs = this.initialBackoffMs;
        this.state.set('open');
        // Oldest first, so the station sees commands in the order the clerk gave them.
        for (const entry of [...this.pending.values()].sort((a, b) => a.id - b.id)) this.trySend(entry);
      },
      onMessage: (data) => {
        if (socket === null || socket !== this.socket) return;
        this.receive(data);
      },
      onClose: () => {
        if (socket === null || socket !== this.socket) return;
        this.socket = null;
        for (const entry of this.pending.values()) entry.sent = false;
        this.scheduleReconnect();
      },
    };
    try {
      socket = this.options.createSocket(this.options.url, handlers);
    } catch (error: unknown) {
      console.error('cannot open the station socket', error);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.reconnectTimer !== null) return;
    this.state.set('reconnecting');
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private trySend(entry: Pending): void {
    const socket = this.socket;
    if (entry.sent || socket === null || !socket.isOpen()) return;
    try {
      socket.send(entry.frame);
      entry.sent = true;
    } catch (error: unknown) {
      // A send on a dying socket: the close handler will re-send it after reconnecting.
      console.error('send failed', error);
    }
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      console.error('station sent a frame that is not JSON');
      return;
    }
    if (!isRecord(message)) return;
    if (message['type'] === 'response') {
      const id = message['id'];
      if (typeof id !== 'number') return;
      const entry = this.pending.get(id);
      // An answer to a request already answered (a re-send raced the first reply): ignore it.
      if (entry === undefined) return;
      this.pending.delete(id);
      entry.resolve(message);
      return;
    }
    this.hub.emitWire(message);
  }
}
