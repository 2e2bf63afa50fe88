/**
 * The hall queue's state as a fold of the day's events, and the decisions that make new events.
 *
 * The hub records events and nothing else; everything it answers is derived from them here, so a
 * hub that restarts folds the same events into the same state. Decisions never change the state:
 * they return the event(s) to record or the reason not to, and the caller applies the events only
 * once they are durably written (a failed write leaves the state as it was).
 *
 * `applyHallEvent` updates the state in place: copying a day's maps for every event would make
 * each call O(tickets). Only the fold and the hub's queue service call it.
 *
 * Every instant here comes from `Date#toISOString` (fixed width, always with milliseconds), so
 * instants compare correctly as strings.
 */
import { err, ok, type Result } from '../contract/result.js';
import {
  ticketIdOf,
  type BoardSnapshot,
  type CallView,
  type CounterNo,
  type CounterView,
  type HallCounter,
  type HallEvent,
  type HallService,
  type HallSettings,
  type Priority,
  type ServiceCode,
  type TicketId,
  type TicketView,
  type TransferTarget,
} from './model.js';

/** How many calls (and recalls) the board lists. */
export const RECENT_CALLS = 10;

/** The highest sequence a ticket number can carry (`A99999`: the number schema allows 5 digits). */
const MAX_TICKET_SEQUENCE = 99_999;

export interface HallQueueState {
  readonly hallId: string;
  readonly day: string;
  /** Every ticket of the day in issue order (a Map keeps insertion order). Mutated only by applyHallEvent. */
  readonly tickets: Map<TicketId, TicketView>;
  readonly ticketIdByNumber: Map<string, TicketId>;
  /** The last sequence issued per service today: the next ticket of A is `A` + (this + 1). */
  readonly sequenceByService: Map<ServiceCode, number>;
  /** The ticket each counter has called or is serving. */
  readonly currentByCounter: Map<CounterNo, TicketId>;
  /** Waiting tickets in issue order (a transfer re-adds at the end; the call order sorts anyway). */
  readonly waiting: Set<TicketId>;
  /** Waiting tickets by the service they wait for (including those sent to one counter): the board's counts. */
  readonly waitingByService: Map<ServiceCode, number>;
  /** Waiting tickets any counter of the service may call (not sent to one counter). */
  readonly openWaitingByService: Map<ServiceCode, number>;
  /** Waiting tickets sent to one counter. */
  readonly waitingByCounter: Map<CounterNo, number>;
  /** Calls and recalls, newest first, at most RECENT_CALLS. */
  recent: CallView[];
  /** Request id → the events it made: a retry finds its first answer here. */
  readonly requests: Map<string, HallEvent[]>;
  readonly eventsByTicket: Map<TicketId, HallEvent[]>;
  /** The last event's seq (0 before the first). */
  lastSeq: number;
}

export function emptyHallQueueState(hallId: string, day: string): HallQueueState {
  return {
    hallId,
    day,
    tickets: new Map(),
    ticketIdByNumber: new Map(),
    sequenceByService: new Map(),
    currentByCounter: new Map(),
    waiting: new Set(),
    waitingByService: new Map(),
    openWaitingByService: new Map(),
    waitingByCounter: new Map(),
    recent: [],
    requests: new Map(),
    eventsByTicket: new Map(),
    lastSeq: 0,
  };
}

/** The day's state from its events (in any order: they are sorted by seq). */
export function foldHallEvents(hallId: string, day: string, events: readonly HallEvent[]): HallQueueState {
  const state = emptyHallQueueState(hallId, day);
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) applyHallEvent(state, event);
  return state;
}

function bump<K>(map: Map<K, number>, key: K, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}

function addWaiting(state: HallQueueState, ticket: TicketView): void {
  state.waiting.add(ticket.ticketId);
  bump(state.waitingByService, ticket.service, 1);
  if (ticket.forCounter === null) bump(state.openWaitingByService, ticket.service, 1);
  else bump(state.waitingByCounter, ticket.forCounter, 1);
}

function removeWaiting(state: HallQueueState, ticket: TicketView): void {
  if (!state.waiting.delete(ticket.ticketId)) return;
  bump(state.waitingByService, ticket.service, -1);
  if (ticket.forCounter === null) bump(state.openWaitingByService, ticket.service, -1);
  else bump(state.waitingByCounter, ticket.forCounter, -1);
}

function releaseCounter(state: HallQueueState, counterNo: CounterNo, ticketId: TicketId): void {
  if (state.currentByCounter.get(counterNo) === ticketId) state.currentByCounter.delete(counterNo);
}

function sequenceOf(number: string): number {
  return Number(number.slice(1));
}

/**
 * Applies one recorded event to the state, in place. Events are the hub's own record, so one that
 * does not fit (an unknown ticket, a seq out of order, another day) means the record is damaged:
 * it throws rather than fold a state that differs from what the hub answered.
 */
export function applyHallEvent(state: HallQueueState, event: HallEvent): void {
  if (event.day !== state.day) throw new Error(`hall event ${event.seq} is of ${event.day}, not ${state.day}`);
  if (event.seq <= state.lastSeq) throw new Error(`hall event ${event.seq} comes after ${state.lastSeq}`);
  if (event.kind === 'issued') {
    if (state.tickets.has(event.ticketId)) throw new Error(`ticket ${event.ticketId} issued twice`);
    const ticket: TicketView = {
      ticketId: event.ticketId,
      number: event.number,
      service: event.service,
      issuedService: event.service,
      priority: event.priority,
      state: 'waiting',
      issuedAt: event.at,
      queuedAt: event.at,
      forCounter: null,
      counterNo: null,
      firstCalledAt: null,
      calledAt: null,
      startedAt: null,
      finishedAt: null,
      recalls: 0,
      transfers: 0,
    };
    state.tickets.set(ticket.ticketId, ticket);
    state.ticketIdByNumber.set(ticket.number, ticket.ticketId);
    const sequence = sequenceOf(ticket.number);
    if (sequence > (state.sequenceByService.get(ticket.service) ?? 0)) state.sequenceByService.set(ticket.service, sequence);
    addWaiting(state, ticket);
  } else {
    const ticket = state.tickets.get(event.ticketId);
    if (!ticket) throw new Error(`hall event ${event.seq} (${event.kind}) is for unknown ticket ${event.ticketId}`);
    switch (event.kind) {
      case 'called':
        removeWaiting(state, ticket);
        ticket.state = 'called';
        ticket.counterNo = event.counterNo;
        ticket.calledAt = event.at;
        ticket.firstCalledAt ??= event.at;
        // Service time at this counter counts from this call or its own Start, never an earlier counter's.
        ticket.startedAt = null;
        ticket.recalls = 0;
        state.currentByCounter.set(event.counterNo, ticket.ticketId);
        pushRecent(state, { ticketId: ticket.ticketId, number: ticket.number, service: ticket.service, counterNo: event.counterNo, at: event.at, recall: false });
        break;
      case 'recalled':
        ticket.recalls += 1;
        pushRecent(state, { ticketId: ticket.ticketId, number: ticket.number, service: ticket.service, counterNo: event.counterNo, at: event.at, recall: true });
        break;
      case 'started':
        ticket.state = 'serving';
        ticket.startedAt = event.at;
        break;
      case 'finished':
        ticket.state = 'done';
        ticket.finishedAt = event.at;
        releaseCounter(state, event.counterNo, ticket.ticketId);
        break;
      case 'no-show':
        ticket.state = 'no-show';
        releaseCounter(state, event.counterNo, ticket.ticketId);
        break;
      case 'transferred':
        releaseCounter(state, event.counterNo, ticket.ticketId);
        ticket.state = 'waiting';
        if (event.to.kind === 'service') {
          ticket.service = event.to.service;
          ticket.forCounter = null;
        } else {
          ticket.forCounter = event.to.counterNo;
        }
        // A transferred customer keeps their place: they queued since they took the ticket.
        ticket.queuedAt = ticket.issuedAt;
        ticket.recalls = 0;
        ticket.transfers += 1;
        addWaiting(state, ticket);
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown hall event ${JSON.stringify(unreachable)}`);
      }
    }
  }
  state.lastSeq = event.seq;
  if (event.requestId !== null) {
    const made = state.requests.get(event.requestId);
    if (made) made.push(event);
    else state.requests.set(event.requestId, [event]);
  }
  const ofTicket = state.eventsByTicket.get(event.ticketId);
  if (ofTicket) ofTicket.push(event);
  else state.eventsByTicket.set(event.ticketId, [event]);
}

function pushRecent(state: HallQueueState, call: CallView): void {
  state.recent.unshift(call);
  if (state.recent.length > RECENT_CALLS) state.recent.length = RECENT_CALLS;
}

// ── Call order ──

/** Whether counter `counter` may call this waiting ticket. */
export function isCallableBy(ticket: TicketView, counter: HallCounter): boolean {
  if (ticket.state !== 'waiting') return false;
  if (ticket.forCounter !== null) return ticket.forCounter === counter.counterNo;
  return counter.services.includes(ticket.service);
}

function compareNumbers(a: string, b: string): number {
  if (a[0] !== b[0]) return (a[0] ?? '') < (b[0] ?? '') ? -1 : 1;
  return sequenceOf(a) - sequenceOf(b);
}

/**
 * Negative when counter `counterNo` calls `a` before `b`: tickets sent to this counter first,
 * then priority tickets, then the oldest in the queue, then the lower number.
 */
export function compareForCall(a: TicketView, b: TicketView, counterNo: CounterNo | null): number {
  const aSent = counterNo !== null && a.forCounter === counterNo;
  const bSent = counterNo !== null && b.forCounter === counterNo;
  if (aSent !== bSent) return aSent ? -1 : 1;
  const aPriority = a.priority !== 'none';
  const bPriority = b.priority !== 'none';
  if (aPriority !== bPriority) return aPriority ? -1 : 1;
  if (a.queuedAt !== b.queuedAt) return a.queuedAt < b.queuedAt ? -1 : 1;
  return compareNumbers(a.number, b.number);
}

/** The ticket this counter would call now, or null when none waits for it. */
export function nextTicketFor(state: HallQueueState, counter: HallCounter): TicketView | null {
  let best: TicketView | null = null;
  for (const ticketId of state.waiting) {
    const ticket = state.tickets.get(ticketId);
    if (!ticket || !isCallableBy(ticket, counter)) continue;
    if (best === null || compareForCall(ticket, best, counter.counterNo) < 0) best = ticket;
  }
  return best;
}

/**
 * How many waiting tickets would be called before this one: for each counter that may call it,
 * the tickets that counter would call first; the fewest of those (the counter that reaches it
 * soonest). 0 for a ticket that no longer waits.
 */
export function waitingAhead(state: HallQueueState, settings: HallSettings, ticketId: TicketId): number {
  const ticket = state.tickets.get(ticketId);
  if (!ticket || ticket.state !== 'waiting') return 0;
  const counters = settings.counters.filter((counter) => isCallableBy(ticket, counter));
  const countBefore = (counter: HallCounter | null): number => {
    let ahead = 0;
    for (const otherId of state.waiting) {
      if (otherId === ticketId) continue;
      const other = state.tickets.get(otherId);
      if (!other) continue;
      const callable = counter === null ? other.forCounter === null && other.service === ticket.service : isCallableBy(other, counter);
      if (callable && compareForCall(other, ticket, counter?.counterNo ?? null) < 0) ahead += 1;
    }
    return ahead;
  };
  // No counter serves it (yet): its own service's queue is the best guess.
  if (counters.length === 0) return countBefore(null);
  return Math.min(...counters.map(countBefore));
}

// ── Views ──

function copyTicket(ticket: TicketView): TicketView {
  return { ...ticket };
}

export function ticketView(state: HallQueueState, ticketId: TicketId): TicketView | null {
  const ticket = state.tickets.get(ticketId);
  return ticket ? copyTicket(ticket) : null;
}

export function ticketByNumber(state: HallQueueState, number: string): TicketView | null {
  const ticketId = state.ticketIdByNumber.get(number);
  return ticketId === undefined ? null : ticketView(state, ticketId);
}

/** Today's tickets, oldest first. */
export function allTickets(state: HallQueueState): TicketView[] {
  return [...state.tickets.values()].map(copyTicket);
}

export function currentTicketOf(state: HallQueueState, counterNo: CounterNo): TicketView | null {
  const ticketId = state.currentByCounter.get(counterNo);
  return ticketId === undefined ? null : ticketView(state, ticketId);
}

/** Tickets this counter may call now. */
export function waitingFor(state: HallQueueState, counter: HallCounter): number {
  let count = state.waitingByCounter.get(counter.counterNo) ?? 0;
  for (const service of counter.services) count += state.openWaitingByService.get(service) ?? 0;
  return count;
}

export function configuredCounter(settings: HallSettings, counterNo: CounterNo): HallCounter | null {
  return settings.counters.find((counter) => counter.counterNo === counterNo) ?? null;
}

function notConfigured<T>(counterNo: CounterNo): Result<T> {
  return err('HALL_NOT_CONFIGURED', `counter ${counterNo} is not one of the hall's counters`, { counterNo });
}

export function buildCounterView(state: HallQueueState, settings: HallSettings, counter: HallCounter): CounterView {
  const current = currentTicketOf(state, counter.counterNo);
  const recallsBeforeNoShow = current?.state === 'called' ? Math.max(0, settings.recallsBeforeNoShow - current.recalls) : settings.recallsBeforeNoShow;
  return { counterNo: counter.counterNo, services: [...counter.services], current, waitingForMe: waitingFor(state, counter), recallsBeforeNoShow };
}

export function counterView(state: HallQueueState, settings: HallSettings, counterNo: CounterNo): Result<CounterView> {
  const counter = configuredCounter(settings, counterNo);
  return counter ? ok(buildCounterView(state, settings, counter)) : notConfigured(counterNo);
}

export function allCounterViews(state: HallQueueState, settings: HallSettings): CounterView[] {
  return settings.counters.map((counter) => buildCounterView(state, settings, counter));
}

export function boardSnapshot(state: HallQueueState, settings: HallSettings): BoardSnapshot {
  return {
    hallName: settings.hallName,
    day: state.day,
    counters: settings.counters.map((counter) => ({ counterNo: counter.counterNo, current: currentTicketOf(state, counter.counterNo) })),
    recent: state.recent.map((call) => ({ ...call })),
    waiting: settings.services
      .filter((service) => service.enabled)
      .map((service) => ({ service: service.code, nameZh: service.nameZh, nameEn: service.nameEn, count: state.waitingByService.get(service.code) ?? 0 })),
    services: settings.services.map((service) => ({ ...service })),
    voice: { ...settings.voice },
  };
}

/** The kiosk's buttons: the services offered, with how many wait for each. */
export function kioskServices(state: HallQueueState, settings: HallSettings): (HallService & { waiting: number })[] {
  return settings.services.filter((service) => service.enabled).map((service) => ({ ...service, waiting: state.waitingByService.get(service.code) ?? 0 }));
}

// ── Decisions ──

/** Who asks: the device, and its counter for counter commands. */
export interface HallActor {
  readonly deviceId: string;
  readonly counterNo: CounterNo | null;
}

export type HallQueueCommand =
  | { readonly kind: 'issue'; readonly service: ServiceCode; readonly priority: Priority }
  | { readonly kind: 'call-next' }
  | { readonly kind: 'recall'; readonly ticketId: string }
  | { readonly kind: 'start'; readonly ticketId: string }
  | { readonly kind: 'finish'; readonly ticketId: string }
  | { readonly kind: 'no-show'; readonly ticketId: string }
  | { readonly kind: 'transfer'; readonly ticketId: string; readonly to: TransferTarget };

/** The events a request made earlier today, or undefined for a new request. */
export function eventsOfRequest(state: HallQueueState, requestId: string): readonly HallEvent[] | undefined {
  return state.requests.get(requestId);
}

interface EventContext {
  readonly day: string;
  readonly seq: number;
  readonly at: string;
  readonly requestId: string | null;
  readonly deviceId: string;
}

function ticketStateError<T>(reason: 'unknown-ticket' | 'not-this-counter' | 'wrong-state', message: string, extra?: Record<string, unknown>): Result<T> {
  return err('HALL_TICKET_STATE', message, { reason, ...extra });
}

/** The ticket a counter command acts on, if it is this counter's and in one of `states`. */
function ownTicket(state: HallQueueState, counterNo: CounterNo, ticketId: string, states: readonly TicketView['state'][]): Result<TicketView> {
  const ticket = state.tickets.get(ticketId);
  if (!ticket) return ticketStateError('unknown-ticket', `no ticket ${ticketId} today`);
  const atACounter = ticket.state === 'called' || ticket.state === 'serving';
  if (atACounter && ticket.counterNo !== counterNo) {
    return ticketStateError('not-this-counter', `ticket ${ticket.number} is at counter ${ticket.counterNo ?? '?'}`, { counterNo: ticket.counterNo, state: ticket.state });
  }
  if (!states.includes(ticket.state)) return ticketStateError('wrong-state', `ticket ${ticket.number} is ${ticket.state}`, { state: ticket.state });
  return ok(ticket);
}

function offeredService(settings: HallSettings, code: string): HallService | null {
  return settings.services.find((service) => service.code === code && service.enabled) ?? null;
}

/**
 * What a command would record now, or why it is refused. Pure: the state is not touched. `now`
 * becomes the events' time; the events take the seq after the state's last.
 */
export function decideHallCommand(state: HallQueueState, settings: HallSettings, actor: HallActor, requestId: string | null, command: HallQueueCommand, now: Date): Result<HallEvent[]> {
  const context: EventContext = { day: state.day, seq: state.lastSeq + 1, at: now.toISOString(), requestId, deviceId: actor.deviceId };
  if (command.kind === 'issue') return decideIssue(state, settings, context, command.service, command.priority);
  if (actor.counterNo === null) return err('HALL_DEVICE_REFUSED', 'only a counter may do this');
  const counter = configuredCounter(settings, actor.counterNo);
  if (!counter) return notConfigured(actor.counterNo);
  const counterNo = counter.counterNo;
  switch (command.kind) {
    case 'call-next': {
      const current = state.currentByCounter.get(counterNo);
      if (current !== undefined) {
        const ticket = state.tickets.get(current);
        return err('HALL_COUNTER_BUSY', `counter ${counterNo} still has ticket ${ticket?.number ?? current}`, { ticketId: current, number: ticket?.number, state: ticket?.state });
      }
      const next = nextTicketFor(state, counter);
      if (!next) return err('HALL_QUEUE_EMPTY', `no ticket waits for counter ${counterNo}`);
      return ok([{ ...context, kind: 'called', ticketId: next.ticketId, counterNo }]);
    }
    case 'recall': {
      const ticket = ownTicket(state, counterNo, command.ticketId, ['called']);
      if (!ticket.ok) return ticket;
      return ok([{ ...context, kind: 'recalled', ticketId: ticket.value.ticketId, counterNo }]);
    }
    case 'start': {
      const ticket = ownTicket(state, counterNo, command.ticketId, ['called']);
      if (!ticket.ok) return ticket;
      return ok([{ ...context, kind: 'started', ticketId: ticket.value.ticketId, counterNo }]);
    }
    case 'finish': {
      const ticket = ownTicket(state, counterNo, command.ticketId, ['called', 'serving']);
      if (!ticket.ok) return ticket;
      return ok([{ ...context, kind: 'finished', ticketId: ticket.value.ticketId, counterNo }]);
    }
    case 'no-show': {
      const ticket = ownTicket(state, counterNo, command.ticketId, ['called']);
      if (!ticket.ok) return ticket;
      const recallsLeft = settings.recallsBeforeNoShow - ticket.value.recalls;
      if (recallsLeft > 0) {
        return err('HALL_TICKET_STATE', `recall ticket ${ticket.value.number} ${recallsLeft} more time(s) first`, { reason: 'recalls-needed', recallsLeft });
      }
      return ok([{ ...context, kind: 'no-show', ticketId: ticket.value.ticketId, counterNo }]);
    }
    case 'transfer': {
      const ticket = ownTicket(state, counterNo, command.ticketId, ['called', 'serving']);
      if (!ticket.ok) return ticket;
      const target = command.to;
      if (target.kind === 'service') {
        if (!offeredService(settings, target.service)) return err('HALL_UNKNOWN_TARGET', `service ${target.service} is not offered`, { reason: 'unknown-service', service: target.service });
        // A ticket sent to a service no counter calls would wait all day.
        if (!settings.counters.some((other) => other.services.includes(target.service))) {
          return err('HALL_UNKNOWN_TARGET', `no counter serves ${target.service}`, { reason: 'no-counter', service: target.service });
        }
      } else {
        if (!configuredCounter(settings, target.counterNo)) return err('HALL_UNKNOWN_TARGET', `no counter ${target.counterNo}`, { reason: 'unknown-counter', counterNo: target.counterNo });
        if (target.counterNo === counterNo) return err('HALL_UNKNOWN_TARGET', 'a ticket cannot be transferred to its own counter', { reason: 'same-counter', counterNo });
      }
      const to: TransferTarget = target.kind === 'service' ? { kind: 'service', service: target.service } : { kind: 'counter', counterNo: target.counterNo };
      return ok([{ ...context, kind: 'transferred', ticketId: ticket.value.ticketId, counterNo, to }]);
    }
    default: {
      const unreachable: never = command;
      throw new Error(`unknown hall command ${JSON.stringify(unreachable)}`);
    }
  }
}

function decideIssue(state: HallQueueState, settings: HallSettings, context: EventContext, service: ServiceCode, priority: Priority): Result<HallEvent[]> {
  if (!offeredService(settings, service)) return err('HALL_UNKNOWN_TARGET', `service ${service} is not offered`, { reason: 'unknown-service', service });
  const sequence = (state.sequenceByService.get(service) ?? 0) + 1;
  if (sequence > MAX_TICKET_SEQUENCE) return err('INTERNAL', `ticket numbers of ${service} are used up today`, { service });
  const number = `${service}${String(sequence).padStart(3, '0')}`;
  const ticketId = ticketIdOf(state.hallId, state.day, number);
  return ok([{ ...context, kind: 'issued', ticketId, number, service, priority }]);
}
