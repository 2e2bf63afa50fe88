/**
 * A leveldown whose every write is issued with `sync: true`.
 *
 * PouchDB's LevelDB adapter never asks LevelDB to sync, so a committed payment could sit in the
 * OS page cache and vanish in a power cut. LevelDB's `sync` option makes each write call
 * fdatasync on its log before it completes. PouchDB writes one `bulkDocs` as ONE LevelDB batch
 * (pouchdb-adapter-leveldb-core's LevelTransaction.execute), so a ledger entry and its audit
 * record written together reach the disk together, or not at all.
 *
 * PouchDB takes the leveldown constructor through its `db` option and caches stores by the
 * constructor's function name, hence the fixed name `TongdaSyncedLeveldown`.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface WriteOptions {
  sync?: boolean;
  [key: string]: unknown;
}
type Callback = (error?: Error | null) => void;

interface LevelDownChainedBatch {
  _write(options: WriteOptions, callback: Callback): void;
}

interface LevelDownInstance {
  _put(key: unknown, value: unknown, options: WriteOptions, callback: Callback): void;
  _del(key: unknown, options: WriteOptions, callback: Callback): void;
  _batch(operations: unknown[], options: WriteOptions, callback: Callback): void;
  _chainedBatch(): LevelDownChainedBatch;
}

type LevelDownFactory = (location: string) => LevelDownInstance;

export type DurableWriteKind = 'put' | 'del' | 'batch' | 'chained-batch';

/** What tests see: each low-level write as issued (with its sync flag) and as completed. */
export interface DurableWriteEvent {
  readonly kind: DurableWriteKind;
  readonly sync: boolean;
  readonly phase: 'issued' | 'completed';
  readonly operations: number;
}

const observers = new Set<(event: DurableWriteEvent) => void>();

/** Observes every write that reaches LevelDB; returns an unsubscribe. For tests and the bench. */
export function observeDurableWrites(observer: (event: DurableWriteEvent) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

function notify(event: DurableWriteEvent): void {
  for (const observer of observers) observer(event);
}

function wrapCallback(kind: DurableWriteKind, operations: number, callback: Callback): Callback {
  return (error) => {
    if (!error) notify({ kind, sync: true, phase: 'completed', operations });
    callback(error);
  };
}

function synced(options: WriteOptions | undefined): WriteOptions {
  return { ...(options ?? {}), sync: true };
}

const leveldown = require('leveldown') as LevelDownFactory;

/** The leveldown constructor to hand PouchDB as `{ db: TongdaSyncedLeveldown }`. */
export function TongdaSyncedLeveldown(location: string): LevelDownInstance {
  const db = leveldown(location);
  const put = db._put.bind(db);
  const del = db._del.bind(db);
  const batch = db._batch.bind(db);
  const chainedBatch = db._chainedBatch.bind(db);

  db._put = (key, value, options, callback) => {
    const forced = synced(options);
    notify({ kind: 'put', sync: forced.sync === true, phase: 'issued', operations: 1 });
    put(key, value, forced, wrapCallback('put', 1, callback));
  };
  db._del = (key, options, callback) => {
    const forced = synced(options);
    notify({ kind: 'del', sync: forced.sync === true, phase: 'issued', operations: 1 });
    del(key, forced, wrapCallback('del', 1, callback));
  };
  db._batch = (operations, options, callback) => {
    const forced = synced(options);
    notify({ kind: 'batch', sync: forced.sync === true, phase: 'issued', operations: operations.length });
    batch(operations, forced, wrapCallback('batch', operations.length, callback));
  };
  db._chainedBatch = () => {
    const chained = chainedBatch();
    const write = chained._write.bind(chained);
    chained._write = (options, callback) => {
      const forced = synced(options);
      notify({ kind: 'chained-batch', sync: forced.sync === true, phase: 'issued', operations: -1 });
      write(forced, wrapCallback('chained-batch', -1, callback));
    };
    return chained;
  };
  return db;
}
