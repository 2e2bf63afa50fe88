/** Everything the command handlers share: one instance per running station. */
import type { EventName, EventPayload } from '../../core/contract/events.js';
import type { ConnectionContext } from '../../core/contract/wire.js';
import type { PaymentQuote } from '../../core/contract/views.js';
import type { AccountIndex } from '../../core/search/account-index.js';
import type { TariffVersionDoc } from '../../core/schema/documents.js';
import type { Clock } from '../../core/time/local-date.js';
import type { AuditLog } from './audit-log.js';
import type { StationConfig } from './config.js';
import type { StationDatabases } from './database.js';
import type { LedgerIndex } from './ledger-index.js';
import type { LoginThrottle, Session, SessionStore } from './sessions.js';
import type { WriteQueue } from './write-queue.js';
import type { TopupResult } from '../../core/contract/cards.js';
import type { Result } from '../../core/contract/result.js';
import type { PendingTopup, TopupFaults } from './card-service.js';
import type { ReaderService } from './reader-service.js';
import type { ReceiptBook } from './receipt-book.js';
import type { PrintQueue } from './print-queue.js';
import type { RangeBook } from './range-book.js';
import type { SyncService } from './sync-service.js';
import type { HallStation } from './hall-station.js';

/** A prepared payment, waiting for its confirm. Held in memory: after a restart, prepare again. */
export interface PendingPayment {
  readonly quote: PaymentQuote;
  readonly operatorStaffNo: string;
  readonly tariffVersionId: string;
  readonly expiresAtMs: number;
}

export interface StationContext {
  /** Mutable only where settings change it (the reader), and saved to station.json when they do. */
  readonly config: StationConfig;
  /** Where station.json lives; null for a station opened without a folder of its own. */
  readonly dataDir: string | null;
  readonly clock: Clock;
  readonly dbs: StationDatabases;
  readonly writer: WriteQueue;
  readonly audit: AuditLog;
  readonly ledger: LedgerIndex;
  readonly accounts: AccountIndex;
  readonly tariffs: Map<string, TariffVersionDoc>;
  readonly sessions: SessionStore;
  readonly loginThrottle: LoginThrottle;
  readonly pendingPayments: Map<string, PendingPayment>;
  readonly reader: ReaderService;
  readonly receipts: ReceiptBook;
  readonly printQueue: PrintQueue;
  /** Where receipt and account numbers come from: station.json, or central's grants when syncing. */
  readonly ranges: RangeBook;
  /** Replication with central (a standalone station's says 'standalone'), and the offline limits. */
  readonly sync: SyncService;
  /** The hall queue: the hub this station serves and its counter's link to the hub (either may be off). */
  readonly hall: HallStation;
  readonly pendingTopups: Map<string, PendingTopup>;
  /** Confirms at the card right now, by txnId: a repeat waits for the first instead of writing twice. */
  readonly inflightTopups: Map<string, Promise<Result<TopupResult>>>;
  /** Test-only crash points in the top-up sequence. */
  readonly faults?: TopupFaults;
  readonly version: string;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  randomHex(bytes: number): string;
}

export interface CallContext {
  readonly connection: ConnectionContext;
  /** Present for every command whose access is 'session' (the dispatcher checked it). */
  readonly session: Session | null;
}

export function requireSession(call: CallContext): Session {
  if (!call.session) throw new Error('handler for a session command called without a session');
  return call.session;
}
