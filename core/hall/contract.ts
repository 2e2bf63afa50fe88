/**
 * The hall contract: what kiosks, display boards and counters may ask the hall hub, over the
 * hall network (a WebSocket on the hub's configured address), and what the hub pushes to them.
 * Same envelope as the station contract (WireRequest/WireResponse/WireEvent, Result), but no
 * operator session: a device authenticates once per connection with its lasting credential, and
 * its kind decides which commands it may call (a board only reads, a kiosk only issues tickets).
 */
import { z } from 'zod';
import { printerSettingsSchema } from '../contract/printing.js';
import { instantSchema } from '../schema/primitives.js';
import {
  boardSnapshotSchema,
  callViewSchema,
  counterNoSchema,
  counterViewSchema,
  hallEventSchema,
  hallFiguresSchema,
  prioritySchema,
  requestIdSchema,
  serviceCodeSchema,
  serviceSchema,
  ticketIdSchema,
  ticketNumberSchema,
  ticketViewSchema,
  transferTargetSchema,
} from './model.js';

export const deviceKindSchema = z.enum(['kiosk', 'board', 'counter']);
export type DeviceKind = z.infer<typeof deviceKindSchema>;

/** A device as the admin sees it (never its secret: the hub keeps only a hash). */
export const deviceViewSchema = z.object({
  deviceId: z.string().regex(/^[a-z0-9]{6,40}$/),
  kind: deviceKindSchema,
  name: z.string().min(1).max(32),
  /** A counter device is one counter 窗口. */
  counterNo: counterNoSchema.nullable(),
  /** A kiosk prints its tickets here (the hub drives the printer); null: no printer (the number is shown on screen). */
  printer: printerSettingsSchema.nullable(),
  issuedAt: instantSchema,
  issuedBy: z.string(),
  revokedAt: instantSchema.nullable(),
  lastSeenAt: instantSchema.nullable(),
  online: z.boolean(),
});
export type DeviceView = z.infer<typeof deviceViewSchema>;

/** `tdh1.<deviceId>.<secret>`: what a device holds. Shown to the admin once, when issued. */
export const deviceCredentialSchema = z.string().regex(/^tdh1\.[a-z0-9]{6,40}\.[A-Za-z0-9_-]{32,64}$/, 'malformed device credential');

const empty = z.strictObject({});
const mutation = { requestId: requestIdSchema };
const onTicket = { ...mutation, ticketId: ticketIdSchema };

export interface HallCommandSpec {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  readonly kinds: readonly DeviceKind[];
}

export const kioskServiceSchema = serviceSchema.extend({ waiting: z.number().int().min(0) });

export const issuedTicketSchema = z.object({
  ticket: ticketViewSchema,
  /** Tickets ahead of it that a counter of its service would call first. */
  waitingAhead: z.number().int().min(0),
  /** What became of the paper ticket: the kiosk shows the number either way. */
  print: z.object({ state: z.enum(['printed', 'failed', 'no-printer']), problem: z.string().nullable() }),
});
export type IssuedTicket = z.infer<typeof issuedTicketSchema>;

/** A ticket's whole story: its view and every queue event of it, oldest first. */
export const ticketHistorySchema = z.object({ ticket: ticketViewSchema, events: z.array(hallEventSchema) });
export type TicketHistory = z.infer<typeof ticketHistorySchema>;

export const hallCommands = {
  /** Who this device is, and the hall's day: every kind. */
  'hall.hello': {
    input: empty,
    output: z.object({ device: deviceViewSchema, hallId: z.string(), hallName: z.string(), day: z.string(), at: instantSchema }),
    kinds: ['kiosk', 'board', 'counter'],
  },
  /** The kiosk's buttons: enabled services with how many wait for each. */
  'hall.kiosk': { input: empty, output: z.object({ hallName: z.string(), services: z.array(kioskServiceSchema) }), kinds: ['kiosk'] },
  'hall.issueTicket': {
    input: z.strictObject({ ...mutation, service: serviceCodeSchema, priority: prioritySchema }),
    output: issuedTicketSchema,
    kinds: ['kiosk'],
  },
  'hall.board': { input: empty, output: boardSnapshotSchema, kinds: ['board', 'counter'] },
  /** This counter's view (the counter number comes from the device, never from the input). */
  'hall.counter': { input: empty, output: counterViewSchema, kinds: ['counter'] },
  /** Calls the next ticket for this counter: those sent to it, then priority, then oldest of its services. */
  'hall.callNext': { input: z.strictObject(mutation), output: counterViewSchema, kinds: ['counter'] },
  'hall.recall': { input: z.strictObject(onTicket), output: counterViewSchema, kinds: ['counter'] },
  'hall.start': { input: z.strictObject(onTicket), output: counterViewSchema, kinds: ['counter'] },
  'hall.finish': { input: z.strictObject(onTicket), output: counterViewSchema, kinds: ['counter'] },
  'hall.noShow': { input: z.strictObject(onTicket), output: counterViewSchema, kinds: ['counter'] },
  'hall.transfer': { input: z.strictObject({ ...onTicket, to: transferTargetSchema }), output: counterViewSchema, kinds: ['counter'] },
  'hall.figures': { input: empty, output: hallFiguresSchema, kinds: ['counter'] },
  /** One ticket of today by number (A012) or id. */
  'hall.ticket': {
    input: z.union([z.strictObject({ number: ticketNumberSchema }), z.strictObject({ ticketId: ticketIdSchema })]),
    output: ticketHistorySchema,
    kinds: ['counter'],
  },
} as const satisfies Record<string, HallCommandSpec>;

export type HallCommands = typeof hallCommands;
export type HallCommandName = keyof HallCommands;
export type HallCommandInput<C extends HallCommandName> = z.input<HallCommands[C]['input']>;
export type HallParsedInput<C extends HallCommandName> = z.output<HallCommands[C]['input']>;
export type HallCommandOutput<C extends HallCommandName> = z.output<HallCommands[C]['output']>;

export function isHallCommandName(value: unknown): value is HallCommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(hallCommands, value);
}

export const hallEvents = {
  /** The board changed (a call, a ticket, a finish): the whole snapshot, small enough to resend. */
  'hall.board': { payload: boardSnapshotSchema, kinds: ['board', 'counter', 'kiosk'] },
  /** A call or recall to announce: boards speak it. */
  'hall.called': { payload: callViewSchema, kinds: ['board', 'counter'] },
  /** Every counter's view: each counter takes its own. */
  'hall.counters': { payload: z.object({ counters: z.array(counterViewSchema) }), kinds: ['counter'] },
  /** The device's credential was revoked: the hub closes the socket right after this. */
  'hall.revoked': { payload: z.object({ deviceId: z.string() }), kinds: ['kiosk', 'board', 'counter'] },
} as const satisfies Record<string, { readonly payload: z.ZodType; readonly kinds: readonly DeviceKind[] }>;

export type HallEvents = typeof hallEvents;
export type HallEventName = keyof HallEvents;
export type HallEventPayload<E extends HallEventName> = z.output<HallEvents[E]['payload']>;

/** The WebSocket path on the hub; the credential goes in the `device` query parameter (browsers cannot set headers on a WebSocket). */
export const HALL_WS_PATH = '/hall/ws';
/** Pages the hub serves on the hall network: the kiosk and the board (`#device=<credential>` the first time). */
export const HALL_PAGE_PATHS = { kiosk: '/kiosk', board: '/board' } as const;

/** Service names for a code, or the code itself for one no longer configured. */
export function serviceName(services: readonly z.output<typeof serviceSchema>[], code: string, lang: 'zh' | 'en'): string {
  const service = services.find((s) => s.code === code);
  if (!service) return code;
  return lang === 'zh' ? service.nameZh : service.nameEn;
}
