/**
 * Events the station pushes to every connected UI. Broadcast to all connections, so nothing
 * session-specific belongs here: a session learns it was locked from SESSION_LOCKED answers.
 */
import { z } from 'zod';
import { accountNoSchema } from '../schema/primitives.js';
import { readerStateSchema } from './cards.js';
import { printerStateSchema } from './printing.js';
import { syncStateSchema } from './sync.js';
import { queueStateSchema } from './hall.js';
import { callViewSchema } from '../hall/model.js';
import { ledgerEntryViewSchema } from './views.js';

export const events = {
  /** A ledger entry was committed on this station (any window): refresh that account's view. */
  'ledger.committed': z.object({ accountNo: accountNoSchema, entry: ledgerEntryViewSchema }),
  /** The reader connected or went away, or a card was inserted or removed: read `card.inspect` again. */
  'reader.changed': readerStateSchema,
  /** The print queue moved or stopped, or the printer settings changed. */
  'printer.changed': printerStateSchema,
  /** The replication with central moved: on or off line, pending count, progress, limits, numbers left. */
  'sync.changed': syncStateSchema,
  /**
   * An account's data changed from outside this window: another station's entry or a master change
   * arrived from central (or this station's master copy changed). An open account page reloads.
   * Coalesced (a pull of thousands of documents is a handful of events): `all` when too many
   * accounts changed to list.
   */
  'accounts.changed': z.object({ accountNos: z.array(accountNoSchema).max(500), all: z.boolean() }),
  /** This station's hall queue changed: hub link, the counter's ticket, waiting counts. */
  'queue.changed': queueStateSchema,
  /** A ticket was called or recalled somewhere in the hall (a counter may show it). */
  'queue.called': callViewSchema,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
