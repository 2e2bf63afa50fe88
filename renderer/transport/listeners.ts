/**
 * Event and connection-state fan-out shared by both transports, so the two StationClient
 * implementations differ only in how bytes move.
 */
import type { ConnectionState } from '../../core/contract/client.js';
import type { EventName, EventPayload } from '../../core/contract/events.js';

/**
 * The events this build knows. A typed record rather than the contract's zod map, so the
 * renderer bundle does not pull in zod and every view schema; a new event is a compile error here.
 */
const knownEvents: Readonly<Record<EventName, true>> = {
  'ledger.committed': true,
  'reader.changed': true,
  'printer.changed': true,
  'sync.changed': true,
  'accounts.changed': true,
  'queue.changed': true,
  'queue.called': true,
};

type AnyListener = (payload: unknown) => void;

export class EventHub {
  private readonly listeners = new Map<EventName, Set<AnyListener>>();

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    // The map loses the per-event payload type; `emit` only ever passes the payload of `event`.
    const stored = listener as AnyListener;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  /** Delivers a pushed event message; anything that is not a known event is dropped. */
  emitWire(message: unknown): void {
    if (!isRecord(message) || message['type'] !== 'event') return;
    const name = message['event'];
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(knownEvents, name)) return;
    const set = this.listeners.get(name as EventName);
    if (set === undefined) return;
    for (const listener of [...set]) {
      // One faulty screen must not stop the others from hearing the event.
      try {
        listener(message['payload']);
      } catch (error: unknown) {
        console.error('event listener failed', error);
      }
    }
  }
}

export class StateHub {
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private current: ConnectionState;

  constructor(initial: ConnectionState) {
    this.current = initial;
  }

  get state(): ConnectionState {
    return this.current;
  }

  set(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of [...this.listeners]) listener(state);
  }

  /** Calls the listener at once with the current state, so a late subscriber is not left guessing. */
  subscribe(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
