/** What the station services offer to their hosts (Electron main, the plain-Node station host, tests, bench). */
import type { StationDispatcher } from '../../core/contract/wire.js';

export interface RunningStation {
  readonly dispatcher: StationDispatcher;
  readonly stationId: string;
  /** Accounts currently in the in-memory search index. */
  accountsIndexed(): number;
  /** Drains the write queue, stops the changes feed and closes the databases. */
  close(): Promise<void>;
}
