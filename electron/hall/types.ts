/**
 * The seams inside the hall hub (electron/hall): the queue service (the one writer of queue
 * events), the device registry (credentials), and the hall server in front of both. Each part is
 * built and tested on its own against these types.
 */
import type { Result } from '../../core/contract/result.js';
import type { DeviceKind, DeviceView, IssuedTicket, TicketHistory } from '../../core/hall/contract.js';
import type {
  BoardSnapshot,
  CallView,
  CounterNo,
  CounterView,
  HallFigures,
  HallService,
  HallSettings,
  Priority,
  ServiceCode,
  TicketView,
  TransferTarget,
} from '../../core/hall/model.js';
import type { PrinterSettings } from '../../core/contract/printing.js';

/** An authenticated device, as the server hands it to the queue. */
export interface HallDevice {
  readonly deviceId: string;
  readonly kind: DeviceKind;
  readonly name: string;
  /** Set for (and only for) a counter device. */
  readonly counterNo: CounterNo | null;
  /** A kiosk's ticket printer. */
  readonly printer: PrinterSettings | null;
}

/** What changed after a write: boards re-read the snapshot, and a call is announced. */
export interface HallChange {
  /** Set when the change was a call or a recall. */
  readonly called: CallView | null;
}

/**
 * The hub's queue. Every mutation is serialised inside the service (one at a time, in arrival
 * order) and durably written before it answers, so two counters calling at once get two
 * different tickets, and a hub that restarts has exactly what it answered. A request id seen
 * before (today) gets the first answer again and changes nothing.
 */
export interface HallQueue {
  readonly hallId: string;
  settings(): HallSettings;
  saveSettings(settings: HallSettings): Promise<Result<HallSettings>>;
  /** The queue day (local date in the hall's time zone) as of now. */
  day(): string;
  issueTicket(device: HallDevice, input: { readonly requestId: string; readonly service: ServiceCode; readonly priority: Priority }): Promise<Result<Omit<IssuedTicket, 'print'>>>;
  callNext(device: HallDevice, requestId: string): Promise<Result<CounterView>>;
  recall(device: HallDevice, requestId: string, ticketId: string): Promise<Result<CounterView>>;
  start(device: HallDevice, requestId: string, ticketId: string): Promise<Result<CounterView>>;
  finish(device: HallDevice, requestId: string, ticketId: string): Promise<Result<CounterView>>;
  noShow(device: HallDevice, requestId: string, ticketId: string): Promise<Result<CounterView>>;
  transfer(device: HallDevice, requestId: string, ticketId: string, to: TransferTarget): Promise<Result<CounterView>>;
  counterView(counterNo: CounterNo): Result<CounterView>;
  allCounterViews(): CounterView[];
  board(): BoardSnapshot;
  kiosk(): { hallName: string; services: (HallService & { waiting: number })[] };
  /** `online`: counters with a device connected now (the server knows). */
  figures(online: ReadonlySet<CounterNo>): HallFigures;
  ticket(query: { readonly number: string } | { readonly ticketId: string }): Result<TicketHistory>;
  /** Today's tickets (for tests and the day's report). */
  tickets(): TicketView[];
  onChange(listener: (change: HallChange) => void): () => void;
  close(): Promise<void>;
}

/** Credentials of the hall's devices, kept (hashed) in the hub's hall database. */
export interface DeviceRegistry {
  list(): DeviceView[];
  issue(input: { readonly kind: DeviceKind; readonly name: string; readonly counterNo: CounterNo | null; readonly printer: PrinterSettings | null; readonly issuedBy: string }): Promise<{ device: DeviceView; credential: string }>;
  /** Idempotent; null for an unknown device. Listeners hear of it so open sockets close at once. */
  revoke(deviceId: string): Promise<DeviceView | null>;
  /** The device a credential belongs to, or why not (constant-time secret check). */
  authenticate(credential: string): { ok: true; device: HallDevice } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };
  /** The server reports connections so the admin list and the figures know who is online. */
  markSeen(deviceId: string, online: boolean): void;
  onRevoked(listener: (deviceId: string) => void): () => void;
}
