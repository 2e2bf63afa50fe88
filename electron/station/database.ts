/**
 * The station's PouchDB databases on LevelDB:
 * - `master`: accounts, tariffs, bills and operators (central's master data, pulled by sync);
 * - `station`: this station's ledger entries and audit records (pushed to central), written only
 *   through the WriteQueue;
 * - `district`: the district ledger pulled from central (every station's entries and card-writes
 *   for the district's accounts); only replication writes it (sync/README.md).
 * A ledger entry and its audit record live in the same database so one bulkDocs writes both in
 * one synced LevelDB batch.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { TongdaSyncedLeveldown } from './durable-leveldown.js';

export type Database = PouchDB.Database;

export interface StationDatabases {
  readonly master: Database;
  readonly station: Database;
  readonly district: Database;
  close(): Promise<void>;
}

/** A PouchDB on LevelDB whose every write is synced to disk before it answers. */
export function openDurable(path: string): Database {
  // The `db` option is PouchDB's hook for a custom leveldown constructor.
  return new PouchDB(path, { adapter: 'leveldb', db: TongdaSyncedLeveldown, auto_compaction: false });
}

export function openStationDatabases(dataDir: string): StationDatabases {
  const dbDir = join(dataDir, 'db');
  mkdirSync(dbDir, { recursive: true });
  const master = openDurable(join(dbDir, 'master'));
  const station = openDurable(join(dbDir, 'station'));
  const district = openDurable(join(dbDir, 'district'));
  return {
    master,
    station,
    district,
    async close() {
      await Promise.all([master.close(), station.close(), district.close()]);
    },
  };
}

/**
 * Every document whose id starts with `prefix`, in id order, a page at a time. The next page is
 * requested before the caller works on this one, so LevelDB reads (in libuv's pool) overlap the
 * caller's indexing on the main thread: at a million accounts the start-up scan is most of the
 * start-up time.
 */
export async function* scanPrefix(db: Database, prefix: string, pageSize = 5000): AsyncGenerator<PouchDB.ExistingDocument[]> {
  const fetchPage = (startkey: string, skip: number) => db.allDocs({ startkey, endkey: `${prefix}\uffff`, include_docs: true, limit: pageSize, skip });
  let next: Promise<PouchDB.AllDocsResponse> | null = fetchPage(prefix, 0);
  while (next) {
    const page: PouchDB.AllDocsResponse = await next;
    const last = page.rows[page.rows.length - 1];
    next = page.rows.length === pageSize && last ? fetchPage(last.id, 1) : null;
    const docs: PouchDB.ExistingDocument[] = [];
    for (const row of page.rows) if (row.doc) docs.push(row.doc);
    if (docs.length > 0) yield docs;
  }
}

export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'status' in error && (error).status === 404;
}

/** The document with this id, or null when there is none. */
export async function getOrNull(db: Database, id: string): Promise<Record<string, unknown> | null> {
  try {
    return await db.get(id);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
