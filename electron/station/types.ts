/** What the station services offer to their hosts (Electron main, the plain-Node station host, tests, bench). */
import type { StationDispatcher } from '../../core/contract/wire.js';
import type { StationDatabases } from './database.js';

export interface RunningStation {
  readonly dispatcher: StationDispatcher;
  readonly stationId: string;
  /** Accounts currently in the in-memory search index. */
  accountsIndexed(): number;
  /** The station's PouchDB databases, for tests and tools in the same process (LevelDB has one owner). */
  databases(): StationDatabases;
  /** Drains the write queue, stops the changes feed and closes the databases. */
  close(): Promise<void>;
}
