/**
 * The hall queue 排队叫号 as the station's own UI sees it (issue 6): the counter's queue bar, the
 * manager's live figures, and the admin's hub and device settings. The station talks to the hall
 * hub itself (electron/hall); the renderer never holds a device credential.
 */
import { z } from 'zod';
import { deviceCredentialSchema, deviceKindSchema, deviceViewSchema, ticketHistorySchema } from '../hall/contract.js';
import { counterNoSchema, counterViewSchema, hallSettingsSchema, ticketNumberSchema, transferTargetSchema, ticketIdSchema } from '../hall/model.js';
import { printerSettingsSchema } from './printing.js';
import { instantSchema } from '../schema/primitives.js';
import { ledgerEntryViewSchema } from './views.js';

const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Where the hub listens on the hall network: an address of this machine (0.0.0.0: all of them), and a port. */
export const hubListenSchema = z.strictObject({
  enabled: z.boolean(),
  bindAddress: z.string().trim().regex(ipv4, 'an IPv4 address of this machine, or 0.0.0.0 for all'),
  port: z.number().int().min(1024).max(65535),
});
export type HubListen = z.infer<typeof hubListenSchema>;

/** A counter station's link to its hall's hub: the hub's address and this counter's credential. */
export const counterLinkInputSchema = z.strictObject({
  hubUrl: z.url({ protocol: /^https?$/ }).max(256),
  /** Omitted: keep the credential already saved (it is never sent back to the UI). */
  credential: deviceCredentialSchema.optional(),
});

export const hallConfigureInputSchema = z.strictObject({
  hub: hubListenSchema,
  /** Null: this station is no counter of a hall queue. */
  counter: counterLinkInputSchema.nullable(),
});
export type HallConfigureInput = z.infer<typeof hallConfigureInputSchema>;

export const hubConnectionSchema = z.enum(['connecting', 'online', 'unreachable', 'refused']);
export type HubConnection = z.infer<typeof hubConnectionSchema>;

export const queueStateSchema = z.object({
  /** This station's saved hub listener, also while it is off (the settings form starts from it). */
  hubListen: hubListenSchema,
  /** This station serves the hall's queue (null: it does not). */
  hub: z
    .object({
      listen: hubListenSchema,
      listening: z.boolean(),
      /** Addresses devices on the hall network open (kiosk and board pages, the counters' hub URL). */
      urls: z.array(z.string()),
      problem: z.string().nullable(),
    })
    .nullable(),
  /** This station is a counter of a hall queue (null: it is not; it serves walk-ins only). */
  counter: z
    .object({
      hubUrl: z.string(),
      connection: hubConnectionSchema,
      /** Since when the connection is as it is. */
      since: instantSchema,
      problem: z.string().nullable(),
      /** The counter as the hub last said (null before the first answer). */
      view: counterViewSchema.nullable(),
      /** Waiting per service in the whole hall. */
      waiting: z.array(z.object({ service: z.string(), nameZh: z.string(), nameEn: z.string(), count: z.number().int().min(0) })),
    })
    .nullable(),
});
export type QueueState = z.infer<typeof queueStateSchema>;

export const queueTicketInputSchema = z.strictObject({ ticketId: ticketIdSchema });

/** Who served a ticket and what was done: the hub's story of it and the ledger entries stamped with it. */
export const queueTicketDetailSchema = z.object({ history: ticketHistorySchema, entries: z.array(ledgerEntryViewSchema) });
export type QueueTicketDetail = z.infer<typeof queueTicketDetailSchema>;

export const issueDeviceInputSchema = z
  .strictObject({
    kind: deviceKindSchema,
    name: z.string().trim().min(1).max(32),
    counterNo: counterNoSchema.nullable(),
    printer: printerSettingsSchema.nullable(),
  })
  .superRefine((value, check) => {
    if (value.kind === 'counter' && value.counterNo === null) check.addIssue({ code: 'custom', path: ['counterNo'], message: 'a counter device needs its counter number' });
    if (value.kind !== 'counter' && value.counterNo !== null) check.addIssue({ code: 'custom', path: ['counterNo'], message: 'only a counter device has a counter number' });
    if (value.kind !== 'kiosk' && value.printer !== null) check.addIssue({ code: 'custom', path: ['printer'], message: 'only a kiosk has a ticket printer' });
  });
export type IssueDeviceInput = z.infer<typeof issueDeviceInputSchema>;

export const issuedDeviceSchema = z.object({
  device: deviceViewSchema,
  /** Shown once: the hub keeps only its hash. */
  credential: deviceCredentialSchema,
  /** For a kiosk or board: the page to open on the hall network (the credential in its fragment). */
  pageUrl: z.string().nullable(),
});
export type IssuedDevice = z.infer<typeof issuedDeviceSchema>;

export { hallSettingsSchema, transferTargetSchema, ticketNumberSchema };
