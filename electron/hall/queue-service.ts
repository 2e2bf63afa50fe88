/**
 * The hub's queue: the one writer of the hall's queue events.
 *
 * Documents in the hub's `hall` database:
 * - `hall-settings`: `{ settings: HallSettings }` (DEFAULT_HALL_SETTINGS until a manager saves);
 * - `hall-event:<day>:<seq, 8 digits>`: one immutable document per event, never updated, so the
 *   day's events read back in order by id and a restart folds them into the same state.
 *
 * Every mutation runs alone, in arrival order, in one WriteQueue: look up the request id (a retry
 * gets the first answer), decide on the state in memory, write the event durably, and only then
 * apply it and answer. Two counters calling at once are two turns of the queue, so they can never
 * be handed the same ticket. Reads answer from memory without queueing.
 */
import { err, ok, type Result } from '../../core/contract/result.js';
import type { TicketHistory } from '../../core/hall/contract.js';
import { computeHallFigures } from '../../core/hall/figures.js';
import { DEFAULT_HALL_SETTINGS, hallEventSchema, hallSettingsSchema, requestIdSchema, type CallView, type CounterNo, type CounterView, type HallEvent, type HallSettings, type TicketView } from '../../core/hall/model.js';
import {
  allCounterViews,
  allTickets,
  applyHallEvent,
  boardSnapshot,
  counterView,
  decideHallCommand,
  emptyHallQueueState,
  eventsOfRequest,
  foldHallEvents,
  kioskServices,
  ticketByNumber,
  ticketView,
  waitingAhead,
  type HallActor,
  type HallQueueCommand,
  type HallQueueState,
} from '../../core/hall/queue-state.js';
import { stationIdSchema } from '../../core/schema/primitives.js';
import { localDateOf, type Clock } from '../../core/time/local-date.js';
import { getOrNull, scanPrefix, type Database } from '../station/database.js';
import { WriteQueue, WriteQueueClosedError } from '../station/write-queue.js';
import type { HallChange, HallDevice, HallQueue } from './types.js';

export const HALL_SETTINGS_DOC_ID = 'hall-settings';
export const HALL_EVENT_PREFIX = 'hall-event:';

export function hallEventDocId(day: string, seq: number): string {
  return `${HALL_EVENT_PREFIX}${day}:${String(seq).padStart(8, '0')}`;
}

export interface HallQueueLog {
  info(message: string): void;
  error(message: string, error: unknown): void;
}

export interface HallQueueOptions {
  /** The hub's `hall` database (the caller opens and closes it; the device registry may share it). */
  readonly db: Database;
  readonly hallId: string;
  /** The hall's time zone: it decides when a queue day ends. */
  readonly timeZone: string;
  readonly clock: Clock;
  readonly log?: HallQueueLog;
}

const silentLog: HallQueueLog = { info: () => undefined, error: () => undefined };

/** The event kind each counter command records: a retry must be the same command. */
const eventKindOf = {
  issue: 'issued',
  'call-next': 'called',
  recall: 'recalled',
  start: 'started',
  finish: 'finished',
  'no-show': 'no-show',
  transfer: 'transferred',
} as const satisfies Record<HallQueueCommand['kind'], HallEvent['kind']>;

async function loadSettings(db: Database, log: HallQueueLog): Promise<{ settings: HallSettings; rev: string | null }> {
  const doc = await getOrNull(db, HALL_SETTINGS_DOC_ID);
  if (!doc) return { settings: DEFAULT_HALL_SETTINGS, rev: null };
  const rev = typeof doc['_rev'] === 'string' ? doc['_rev'] : null;
  const parsed = hallSettingsSchema.safeParse(doc['settings']);
  if (parsed.success) return { settings: parsed.data, rev };
  // A hall must still open its queue; the manager sees the defaults and saves again.
  log.error('hall settings are not valid; using the defaults', parsed.error);
  return { settings: DEFAULT_HALL_SETTINGS, rev };
}

async function loadDay(db: Database, hallId: string, day: string): Promise<HallQueueState> {
  const events: HallEvent[] = [];
  for await (const docs of scanPrefix(db, `${HALL_EVENT_PREFIX}${day}:`)) {
    for (const doc of docs) {
      const { _id: id, _rev: _ignoredRev, ...fields } = doc;
      const parsed = hallEventSchema.safeParse(fields);
      // Refuse to start on a damaged record rather than answer from a state the hub never had.
      if (!parsed.success) throw new Error(`hall event ${id} is malformed: ${parsed.error.message}`);
      events.push(parsed.data);
    }
  }
  return foldHallEvents(hallId, day, events);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function openHallQueue(options: HallQueueOptions): Promise<HallQueue> {
  const { db, hallId, timeZone, clock } = options;
  // The hall id is part of every ticket id: one that the schema refuses would make events unreadable.
  if (!stationIdSchema.safeParse(hallId).success) throw new Error(`hall id "${hallId}" is not a station id`);
  const log = options.log ?? silentLog;
  const loaded = await loadSettings(db, log);
  let settings = loaded.settings;
  let settingsRev = loaded.rev;
  let state = await loadDay(db, hallId, localDateOf(clock.now(), timeZone));
  // After a failed write the record may hold more than memory: read it back before deciding again.
  let stale = false;
  const queue = new WriteQueue();
  const listeners = new Set<(change: HallChange) => void>();
  log.info(`hall queue ${hallId}: day ${state.day}, ${state.lastSeq} events, ${state.tickets.size} tickets`);

  /** Today's state for a read. A new day starts empty: only this service writes the day's events. */
  function readState(): HallQueueState {
    const today = localDateOf(clock.now(), timeZone);
    // A clock set back across midnight keeps the current day rather than reopen an old one.
    if (today > state.day) state = emptyHallQueueState(hallId, today);
    return state;
  }

  /** Today's state for a mutation, read back from the record after a failed write. */
  async function writeState(now: Date): Promise<HallQueueState> {
    const today = localDateOf(now, timeZone);
    if (stale || today > state.day) {
      state = await loadDay(db, hallId, today > state.day ? today : state.day);
      stale = false;
    }
    return state;
  }

  function notify(change: HallChange): void {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.error('a hall change listener failed', error);
      }
    }
  }

  async function writeEvents(events: readonly HallEvent[]): Promise<Result<null>> {
    // What is written must read back at the next start, or the hub would not open again.
    const unreadable = events.find((event) => !hallEventSchema.safeParse(event).success);
    if (unreadable) return err('INVALID_INPUT', `the hall event would not read back: ${JSON.stringify(unreadable)}`);
    try {
      if (events.length === 1 && events[0]) {
        await db.put({ _id: hallEventDocId(events[0].day, events[0].seq), ...events[0] });
      } else {
        const results = await db.bulkDocs(events.map((event) => ({ _id: hallEventDocId(event.day, event.seq), ...event })));
        const failed = results.find((result) => !('ok' in result));
        if (failed) throw new Error(`hall event not written: ${JSON.stringify(failed)}`);
      }
      return ok(null);
    } catch (error) {
      stale = true;
      log.error('hall event not written', error);
      return err('STORAGE_FAILED', `the hall queue could not record the event: ${describe(error)}`);
    }
  }

  function callOf(s: HallQueueState, event: HallEvent): CallView | null {
    if (event.kind !== 'called' && event.kind !== 'recalled') return null;
    const ticket = s.tickets.get(event.ticketId);
    if (!ticket) return null;
    return { ticketId: ticket.ticketId, number: ticket.number, service: ticket.service, counterNo: event.counterNo, at: event.at, recall: event.kind === 'recalled' };
  }

  /**
   * One mutation, alone in the queue. `answer` builds the reply from the state after the events
   * (or, for a retry, from the state now).
   */
  async function mutate<T>(actor: HallActor, requestId: string, command: HallQueueCommand, answer: (s: HallQueueState, events: readonly HallEvent[]) => Result<T>): Promise<Result<T>> {
    if (!requestIdSchema.safeParse(requestId).success) return err('INVALID_INPUT', 'malformed request id', { reason: 'request-id' });
    try {
      return await queue.run(async () => {
        const now = clock.now();
        const s = await writeState(now);
        const earlier = eventsOfRequest(s, requestId);
        if (earlier) {
          const sameCommand = earlier.every((event) => event.kind === eventKindOf[command.kind] && event.deviceId === actor.deviceId);
          if (!sameCommand) return err<T>('INVALID_INPUT', `request id ${requestId} was used for another request`, { reason: 'request-id-reused' });
          return answer(s, earlier);
        }
        const decided = decideHallCommand(s, settings, actor, requestId, command, now);
        if (!decided.ok) return decided;
        const written = await writeEvents(decided.value);
        if (!written.ok) return written;
        for (const event of decided.value) applyHallEvent(s, event);
        const called = decided.value.map((event) => callOf(s, event)).find((call) => call !== null) ?? null;
        notify({ called });
        return answer(s, decided.value);
      });
    } catch (error) {
      if (error instanceof WriteQueueClosedError) return err<T>('HALL_UNREACHABLE', 'the hall queue is closed');
      log.error(`hall ${command.kind} failed`, error);
      return err<T>('INTERNAL', `hall ${command.kind} failed: ${describe(error)}`);
    }
  }

  function actorOf(device: HallDevice): HallActor {
    return { deviceId: device.deviceId, counterNo: device.counterNo };
  }

  function counterCommand(device: HallDevice, requestId: string, command: HallQueueCommand): Promise<Result<CounterView>> {
    const actor = actorOf(device);
    return mutate(actor, requestId, command, (s) => (actor.counterNo === null ? err('HALL_DEVICE_REFUSED', 'only a counter may do this') : counterView(s, settings, actor.counterNo)));
  }

  const hallQueue: HallQueue = {
    hallId,
    settings: () => settings,
    async saveSettings(input) {
      const parsed = hallSettingsSchema.safeParse(input);
      if (!parsed.success) return err('INVALID_INPUT', 'hall settings are not valid', { issues: parsed.error.issues });
      const next = parsed.data;
      try {
        return await queue.run(async () => {
          const doc = { _id: HALL_SETTINGS_DOC_ID, settings: next };
          try {
            const written = await db.put(settingsRev === null ? doc : { ...doc, _rev: settingsRev });
            settingsRev = written.rev;
          } catch (error) {
            log.error('hall settings not saved', error);
            // Our revision may be behind the record (a write that failed late): read it and let the manager retry.
            settingsRev = (await loadSettings(db, log)).rev;
            return err<HallSettings>('STORAGE_FAILED', `hall settings not saved: ${describe(error)}`);
          }
          settings = next;
          notify({ called: null });
          return ok(next);
        });
      } catch (error) {
        if (error instanceof WriteQueueClosedError) return err('HALL_UNREACHABLE', 'the hall queue is closed');
        log.error('hall settings not saved', error);
        return err('INTERNAL', `hall settings not saved: ${describe(error)}`);
      }
    },
    day: () => localDateOf(clock.now(), timeZone),
    issueTicket(device, input) {
      return mutate(actorOf(device), input.requestId, { kind: 'issue', service: input.service, priority: input.priority }, (s, events) => {
        const ticketId = events[0]?.ticketId;
        const ticket = ticketId === undefined ? null : ticketView(s, ticketId);
        if (!ticket) return err('INTERNAL', 'the issued ticket is missing');
        return ok({ ticket, waitingAhead: waitingAhead(s, settings, ticket.ticketId) });
      });
    },
    callNext: (device, requestId) => counterCommand(device, requestId, { kind: 'call-next' }),
    recall: (device, requestId, ticketId) => counterCommand(device, requestId, { kind: 'recall', ticketId }),
    start: (device, requestId, ticketId) => counterCommand(device, requestId, { kind: 'start', ticketId }),
    finish: (device, requestId, ticketId) => counterCommand(device, requestId, { kind: 'finish', ticketId }),
    noShow: (device, requestId, ticketId) => counterCommand(device, requestId, { kind: 'no-show', ticketId }),
    transfer: (device, requestId, ticketId, to) => counterCommand(device, requestId, { kind: 'transfer', ticketId, to }),
    counterView: (counterNo: CounterNo) => counterView(readState(), settings, counterNo),
    allCounterViews: () => allCounterViews(readState(), settings),
    board: () => boardSnapshot(readState(), settings),
    kiosk: () => ({ hallName: settings.hallName, services: kioskServices(readState(), settings) }),
    figures: (online) => computeHallFigures(readState(), settings, clock.now(), online),
    ticket(query): Result<TicketHistory> {
      const s = readState();
      const ticket: TicketView | null = 'number' in query ? ticketByNumber(s, query.number) : ticketView(s, query.ticketId);
      if (!ticket) return err('HALL_TICKET_STATE', `no ticket ${'number' in query ? query.number : query.ticketId} today`, { reason: 'unknown-ticket' });
      return ok({ ticket, events: (s.eventsByTicket.get(ticket.ticketId) ?? []).map((event) => ({ ...event })) });
    },
    tickets: () => allTickets(readState()),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await queue.close();
      listeners.clear();
    },
  };
  return hallQueue;
}
