/**
 * The hall queue 排队叫号 as data: services, counters, tickets, the events that move them, and
 * the views a kiosk, a board, a counter and a manager see. Pure: no I/O, no clock of its own.
 *
 * The hub is the only writer of queue events; every other device asks it. A ticket's life:
 *   waiting → called → serving → done
 *   called (after enough recalls) → no-show
 *   called | serving → (transfer) → waiting again, for another service or one counter
 * A queue day is the local calendar date of the hall: tickets do not carry over midnight.
 */
import { z } from 'zod';
import { instantSchema, localDateSchema, stationIdSchema } from '../schema/primitives.js';

/** A service's ticket letter: A 缴费, B 充值 … (one capital letter; the ticket number starts with it). */
export const serviceCodeSchema = z.string().regex(/^[A-Z]$/, 'a service code is one capital letter');
export type ServiceCode = z.infer<typeof serviceCodeSchema>;

export const counterNoSchema = z.number().int().min(1).max(99);
export type CounterNo = z.infer<typeof counterNoSchema>;

/** Priority tickets are called before ordinary ones of the same services (then oldest first). */
export const prioritySchema = z.enum(['none', 'elderly', 'disabled', 'vip']);
export type Priority = z.infer<typeof prioritySchema>;

/** `A012`: the service letter and the day's sequence of that service, at least 3 digits. */
export const ticketNumberSchema = z.string().regex(/^[A-Z]\d{3,5}$/, 'a ticket number is a letter and 3 to 5 digits');
export type TicketNumber = z.infer<typeof ticketNumberSchema>;

/** `<hallId>/<day>/<number>`: unique across halls and days (a ledger entry carries it). */
export const ticketIdSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,23}\/\d{4}-\d{2}-\d{2}\/[A-Z]\d{3,5}$/, 'malformed ticket id');
export type TicketId = z.infer<typeof ticketIdSchema>;

export function ticketIdOf(hallId: string, day: string, number: string): TicketId {
  return `${hallId}/${day}/${number}`;
}

/** A client-made id per mutating request: a retry with the same id gets the first answer, never a second action. */
export const requestIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{8,80}$/, 'malformed request id');

export const serviceSchema = z.strictObject({
  code: serviceCodeSchema,
  nameZh: z.string().trim().min(1).max(16),
  nameEn: z.string().trim().min(1).max(32),
  /** Shown on the kiosk (a service can be kept for history but no longer offered). */
  enabled: z.boolean(),
});
export type HallService = z.infer<typeof serviceSchema>;

export const counterSchema = z.strictObject({
  counterNo: counterNoSchema,
  /** The services this counter calls; at least one. */
  services: z.array(serviceCodeSchema).min(1).max(26),
});
export type HallCounter = z.infer<typeof counterSchema>;

export const voiceSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** How many times each call is spoken (a chime before the first). */
  repeat: z.number().int().min(1).max(3),
  /** Use the machine's Chinese speech-synthesis voice when it has one; otherwise (or false) the recorded clips. */
  preferSpeechSynthesis: z.boolean(),
  /** Speaking rate for speech synthesis, 0.5 to 1.5. */
  rate: z.number().min(0.5).max(1.5),
  chime: z.boolean(),
});
export type VoiceSettings = z.infer<typeof voiceSettingsSchema>;

/** The hall's queue settings, kept by the hub and edited by a manager there. */
export const hallSettingsSchema = z
  .strictObject({
    /** The hall's name on tickets and the board. */
    hallName: z.string().trim().min(1).max(32),
    services: z.array(serviceSchema).min(1).max(26),
    counters: z.array(counterSchema).max(99),
    /** A called customer who has not come after this many recalls may be marked no-show 过号. */
    recallsBeforeNoShow: z.number().int().min(0).max(10),
    voice: voiceSettingsSchema,
    /** Printed at the foot of each ticket. */
    ticketFooter: z.string().trim().max(64),
  })
  .superRefine((value, check) => {
    const codes = value.services.map((service) => service.code);
    if (new Set(codes).size !== codes.length) check.addIssue({ code: 'custom', path: ['services'], message: 'service codes must differ' });
    const counterNos = value.counters.map((counter) => counter.counterNo);
    if (new Set(counterNos).size !== counterNos.length) check.addIssue({ code: 'custom', path: ['counters'], message: 'counter numbers must differ' });
    value.counters.forEach((counter, index) => {
      for (const code of counter.services) {
        if (!codes.includes(code)) check.addIssue({ code: 'custom', path: ['counters', index, 'services'], message: `unknown service ${code}` });
      }
    });
  });
export type HallSettings = z.infer<typeof hallSettingsSchema>;

export const DEFAULT_HALL_SETTINGS: HallSettings = {
  hallName: '蜀山营业厅',
  services: [
    { code: 'A', nameZh: '缴费', nameEn: 'Bill payment', enabled: true },
    { code: 'B', nameZh: '充值', nameEn: 'Card top-up', enabled: true },
    { code: 'C', nameZh: '开户/过户', nameEn: 'Open / transfer', enabled: true },
    { code: 'D', nameZh: '报修/投诉/咨询', nameEn: 'Repair / complaint / enquiry', enabled: true },
  ],
  counters: [
    { counterNo: 1, services: ['A', 'B', 'C', 'D'] },
    { counterNo: 2, services: ['A', 'B'] },
    { counterNo: 3, services: ['A', 'B', 'C'] },
    { counterNo: 4, services: ['C', 'D'] },
  ],
  recallsBeforeNoShow: 2,
  voice: { enabled: true, repeat: 2, preferSpeechSynthesis: true, rate: 0.9, chime: true },
  ticketFooter: '请留意叫号，过号请重新取号',
};

export const ticketStateSchema = z.enum(['waiting', 'called', 'serving', 'done', 'no-show']);
export type TicketState = z.infer<typeof ticketStateSchema>;

/** Where a transfer sends a ticket: another service's queue, or one counter (only it calls the ticket). */
export const transferTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('service'), service: serviceCodeSchema }),
  z.strictObject({ kind: z.literal('counter'), counterNo: counterNoSchema }),
]);
export type TransferTarget = z.infer<typeof transferTargetSchema>;

/**
 * What the hub records, in order (`seq` from 1 each day). The queue's state is a fold over the
 * day's events (queue-state.ts), so a hub that restarts rebuilds exactly what it had.
 */
const eventBase = {
  day: localDateSchema,
  seq: z.number().int().min(1),
  at: instantSchema,
  /** The request that made it (null for none): a retry of the same request finds it. */
  requestId: requestIdSchema.nullable(),
  /** The device that asked: a kiosk for 'issued', a counter for the rest. */
  deviceId: z.string().min(1).max(40),
};
export const hallEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...eventBase, kind: z.literal('issued'), ticketId: ticketIdSchema, number: ticketNumberSchema, service: serviceCodeSchema, priority: prioritySchema }),
  z.strictObject({ ...eventBase, kind: z.literal('called'), ticketId: ticketIdSchema, counterNo: counterNoSchema }),
  z.strictObject({ ...eventBase, kind: z.literal('recalled'), ticketId: ticketIdSchema, counterNo: counterNoSchema }),
  z.strictObject({ ...eventBase, kind: z.literal('started'), ticketId: ticketIdSchema, counterNo: counterNoSchema }),
  z.strictObject({ ...eventBase, kind: z.literal('finished'), ticketId: ticketIdSchema, counterNo: counterNoSchema }),
  z.strictObject({ ...eventBase, kind: z.literal('no-show'), ticketId: ticketIdSchema, counterNo: counterNoSchema }),
  z.strictObject({ ...eventBase, kind: z.literal('transferred'), ticketId: ticketIdSchema, counterNo: counterNoSchema, to: transferTargetSchema }),
]);
export type HallEvent = z.infer<typeof hallEventSchema>;
export type HallEventKind = HallEvent['kind'];

/** One ticket as everyone sees it. Times are instants; null until they happen. */
export const ticketViewSchema = z.object({
  ticketId: ticketIdSchema,
  number: ticketNumberSchema,
  /** The service it waits for now (a transfer changes it). */
  service: serviceCodeSchema,
  /** The service it was issued for. */
  issuedService: serviceCodeSchema,
  priority: prioritySchema,
  state: ticketStateSchema,
  issuedAt: instantSchema,
  /** Since when it waits in its current queue (issue, or its last transfer). */
  queuedAt: instantSchema,
  /** Only this counter may call it (a transfer to a counter); null: any counter of its service. */
  forCounter: counterNoSchema.nullable(),
  /** The counter that called it last (null while never called). */
  counterNo: counterNoSchema.nullable(),
  firstCalledAt: instantSchema.nullable(),
  calledAt: instantSchema.nullable(),
  startedAt: instantSchema.nullable(),
  finishedAt: instantSchema.nullable(),
  /** Recalls since the current call. */
  recalls: z.number().int().min(0),
  transfers: z.number().int().min(0),
});
export type TicketView = z.infer<typeof ticketViewSchema>;

/** A counter's own view: what it serves, its current ticket, how many wait for it. */
export const counterViewSchema = z.object({
  counterNo: counterNoSchema,
  services: z.array(serviceCodeSchema),
  /** The ticket called to or served at this counter now (null: free). */
  current: ticketViewSchema.nullable(),
  /** Tickets this counter could call now (its services' queues and those sent to it). */
  waitingForMe: z.number().int().min(0),
  /** Recalls still needed before no-show is allowed (0: allowed now). */
  recallsBeforeNoShow: z.number().int().min(0),
});
export type CounterView = z.infer<typeof counterViewSchema>;

export const callViewSchema = z.object({ ticketId: ticketIdSchema, number: ticketNumberSchema, service: serviceCodeSchema, counterNo: counterNoSchema, at: instantSchema, recall: z.boolean() });
export type CallView = z.infer<typeof callViewSchema>;

/** The display board: current call per counter, recent calls (newest first), waiting per service. */
export const boardSnapshotSchema = z.object({
  hallName: z.string(),
  day: localDateSchema,
  counters: z.array(z.object({ counterNo: counterNoSchema, current: ticketViewSchema.nullable() })),
  recent: z.array(callViewSchema).max(20),
  waiting: z.array(z.object({ service: serviceCodeSchema, nameZh: z.string(), nameEn: z.string(), count: z.number().int().min(0) })),
  services: z.array(serviceSchema),
  voice: voiceSettingsSchema,
});
export type BoardSnapshot = z.infer<typeof boardSnapshotSchema>;

/** Durations in whole seconds. */
const statsSchema = z.object({
  /** Tickets issued (per service) or called (per counter) today. */
  tickets: z.number().int().min(0),
  served: z.number().int().min(0),
  noShows: z.number().int().min(0),
  transfersOut: z.number().int().min(0),
  /** Waiting: first call minus issue, over tickets called at least once. */
  averageWaitSeconds: z.number().min(0).nullable(),
  longestWaitSeconds: z.number().min(0).nullable(),
  /** Service: finish minus start (or minus the call when Start was skipped), over tickets finished. */
  averageServiceSeconds: z.number().min(0).nullable(),
  longestServiceSeconds: z.number().min(0).nullable(),
});
export type QueueStats = z.infer<typeof statsSchema>;

/** The manager's live screen and the day's figures. */
export const hallFiguresSchema = z.object({
  day: localDateSchema,
  at: instantSchema,
  /** Tickets waiting right now, and how long the longest of them has waited so far. */
  nowWaiting: z.number().int().min(0),
  nowLongestWaitSeconds: z.number().min(0).nullable(),
  total: statsSchema,
  byService: z.array(z.object({ service: serviceCodeSchema, nowWaiting: z.number().int().min(0), nowLongestWaitSeconds: z.number().min(0).nullable(), stats: statsSchema })),
  byCounter: z.array(
    z.object({
      counterNo: counterNoSchema,
      /** Null when no device of this counter is connected to the hub. */
      online: z.boolean(),
      current: ticketViewSchema.nullable(),
      waitingForMe: z.number().int().min(0),
      stats: statsSchema,
    }),
  ),
  /** Every ticket of the day with its times, oldest first (the day's report). */
  tickets: z.array(ticketViewSchema),
});
export type HallFigures = z.infer<typeof hallFiguresSchema>;

/** The ticket stamped on a ledger entry made while a counter served it. */
export const ticketStampSchema = z.object({
  ticketId: ticketIdSchema,
  number: ticketNumberSchema,
  counterNo: counterNoSchema,
  hallId: stationIdSchema,
});
export type TicketStamp = z.infer<typeof ticketStampSchema>;
