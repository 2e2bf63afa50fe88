/**
 * The manager's figures of the day, from the queue state (its tickets and their events).
 *
 * Waiting time is first call minus issue: a transferred customer's second wait is part of their
 * service, not a new wait. Service time is finish minus Start at the finishing counter, or minus
 * that counter's call when Start was skipped. A service's figures follow tickets by the service
 * they were ISSUED for (what the customer came for); a counter's follow what it did: tickets it
 * called, the waits of tickets it called first, the service of tickets it finished.
 *
 * Durations are whole seconds (rounded), and so are averages.
 */
import type { CounterNo, HallEvent, HallFigures, HallSettings, QueueStats, ServiceCode, TicketView } from './model.js';
import { configuredCounter, currentTicketOf, waitingFor, type HallQueueState } from './queue-state.js';

class StatsBuilder {
  tickets = 0;
  served = 0;
  noShows = 0;
  transfersOut = 0;
  private readonly waits: number[] = [];
  private readonly services: number[] = [];

  addWait(seconds: number): void {
    this.waits.push(seconds);
  }

  addService(seconds: number): void {
    this.services.push(seconds);
  }

  build(): QueueStats {
    return {
      tickets: this.tickets,
      served: this.served,
      noShows: this.noShows,
      transfersOut: this.transfersOut,
      averageWaitSeconds: average(this.waits),
      longestWaitSeconds: longest(this.waits),
      averageServiceSeconds: average(this.services),
      longestServiceSeconds: longest(this.services),
    };
  }
}

function average(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return Math.round(values.reduce((sum, value) => sum + value, 0) / values.length);
}

function longest(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function secondsBetween(fromIso: string, toIso: string): number {
  return Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
}

function builderOf<K>(map: Map<K, StatsBuilder>, key: K): StatsBuilder {
  let builder = map.get(key);
  if (!builder) {
    builder = new StatsBuilder();
    map.set(key, builder);
  }
  return builder;
}

/** `online`: counters with a device connected to the hub now. */
export function computeHallFigures(state: HallQueueState, settings: HallSettings, now: Date, online: ReadonlySet<CounterNo>): HallFigures {
  const nowIso = now.toISOString();
  const total = new StatsBuilder();
  const byService = new Map<ServiceCode, StatsBuilder>();
  const byCounter = new Map<CounterNo, StatsBuilder>();
  const waitingNow = new Map<ServiceCode, { count: number; longest: number }>();
  let nowWaiting = 0;
  let nowLongest: number | null = null;

  for (const ticket of state.tickets.values()) {
    const service = builderOf(byService, ticket.issuedService);
    total.tickets += 1;
    service.tickets += 1;
    if (ticket.state === 'waiting') {
      const waited = secondsBetween(ticket.queuedAt, nowIso);
      nowWaiting += 1;
      nowLongest = Math.max(nowLongest ?? 0, waited);
      const ofService = waitingNow.get(ticket.service) ?? { count: 0, longest: 0 };
      waitingNow.set(ticket.service, { count: ofService.count + 1, longest: Math.max(ofService.longest, waited) });
    }
    foldTicketEvents(ticket, state.eventsByTicket.get(ticket.ticketId) ?? [], total, service, (counterNo) => builderOf(byCounter, counterNo));
  }

  const serviceCodes = [...settings.services.map((service) => service.code)];
  for (const code of [...byService.keys(), ...waitingNow.keys()].sort()) if (!serviceCodes.includes(code)) serviceCodes.push(code);
  const counterNos = settings.counters.map((counter) => counter.counterNo);
  for (const counterNo of [...byCounter.keys()].sort((a, b) => a - b)) if (!counterNos.includes(counterNo)) counterNos.push(counterNo);

  return {
    day: state.day,
    at: nowIso,
    nowWaiting,
    nowLongestWaitSeconds: nowLongest,
    total: total.build(),
    byService: serviceCodes.map((code) => ({
      service: code,
      nowWaiting: waitingNow.get(code)?.count ?? 0,
      nowLongestWaitSeconds: waitingNow.get(code)?.longest ?? null,
      stats: (byService.get(code) ?? new StatsBuilder()).build(),
    })),
    byCounter: counterNos.map((counterNo) => {
      const counter = configuredCounter(settings, counterNo);
      return {
        counterNo,
        online: online.has(counterNo),
        current: currentTicketOf(state, counterNo),
        waitingForMe: counter ? waitingFor(state, counter) : 0,
        stats: (byCounter.get(counterNo) ?? new StatsBuilder()).build(),
      };
    }),
    tickets: [...state.tickets.values()].map((ticket) => ({ ...ticket })),
  };
}

/** One ticket's events into the day's, its issued service's and its counters' figures. */
function foldTicketEvents(ticket: TicketView, events: readonly HallEvent[], total: StatsBuilder, service: StatsBuilder, counterStats: (counterNo: CounterNo) => StatsBuilder): void {
  const calledBy = new Set<CounterNo>();
  let firstCall = true;
  let callAt: string | null = null;
  let startAt: string | null = null;
  for (const event of events) {
    switch (event.kind) {
      case 'issued':
        break;
      case 'called': {
        const counter = counterStats(event.counterNo);
        if (!calledBy.has(event.counterNo)) {
          calledBy.add(event.counterNo);
          counter.tickets += 1;
        }
        if (firstCall) {
          firstCall = false;
          const wait = secondsBetween(ticket.issuedAt, event.at);
          total.addWait(wait);
          service.addWait(wait);
          counter.addWait(wait);
        }
        callAt = event.at;
        startAt = null;
        break;
      }
      case 'recalled':
        break;
      case 'started':
        startAt = event.at;
        break;
      case 'finished': {
        const from = startAt ?? callAt;
        const counter = counterStats(event.counterNo);
        total.served += 1;
        service.served += 1;
        counter.served += 1;
        if (from !== null) {
          const seconds = secondsBetween(from, event.at);
          total.addService(seconds);
          service.addService(seconds);
          counter.addService(seconds);
        }
        break;
      }
      case 'no-show':
        total.noShows += 1;
        service.noShows += 1;
        counterStats(event.counterNo).noShows += 1;
        break;
      case 'transferred':
        total.transfersOut += 1;
        service.transfersOut += 1;
        counterStats(event.counterNo).transfersOut += 1;
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown hall event ${JSON.stringify(unreachable)}`);
      }
    }
  }
}
