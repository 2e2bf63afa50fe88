/**
 * One pass of one pair (source → target) from our checkpoint to the source's current end, with
 * PouchDB's replicator doing the transfer: `_changes`, `_revs_diff`, `_bulk_get` and
 * `_bulk_docs` with `new_edits: false`. That protocol is what makes a retried push harmless: a
 * revision the target already has is not sent again, and one sent twice is stored once, with the
 * same revision. PouchDB's own checkpoints are off (`checkpoint: false`); ours advance after
 * every batch that is in the target, so an interrupted pass resumes at the last whole batch.
 */
import PouchDB from 'pouchdb';
import { checkpointWriter, readCheckpoint, type Seq } from './checkpoint.js';

export interface PassOptions {
  readonly source: PouchDB.Database;
  readonly target: PouchDB.Database;
  /** The local database that holds the checkpoint (the target for a pull, the source for a push). */
  readonly checkpointDb: PouchDB.Database;
  readonly checkpointName: string;
  readonly batchSize: number;
  readonly filter?: (doc: PouchDB.ExistingDocument) => boolean;
  readonly now: () => string;
  /** After each batch written: documents read and written in this pass so far. */
  readonly onBatch?: (progress: { readonly read: number; readonly written: number; readonly ids: readonly string[] }) => void;
  /**
   * A pass with no step for this long is abandoned and fails. A connection cut in the middle of
   * a response body can leave PouchDB's fetch waiting forever (node-fetch 2 does not always see
   * the early close), and a silent mobile link does the same; without this the station would
   * show "syncing" for ever and never retry.
   */
  readonly stallMs: number;
}

export interface PassResult {
  readonly since: Seq;
  readonly lastSeq: Seq;
  readonly read: number;
  readonly written: number;
  /** Documents the target refused (validation, permissions): retrying will not help; reported, not retried. */
  readonly refused: number;
  readonly cancelled: boolean;
}

export interface Pass {
  readonly done: Promise<PassResult>;
  cancel(): void;
}

/**
 * The source as the replicator sees it. PouchDB's replicator calls the source's info() after
 * each batch, for progress figures only, and never handles its failure: a connection cut at that
 * moment would be an unhandled rejection, which ends a Node process. Here info() falls back to
 * an empty answer instead; every other call goes to the database itself.
 */
function forReplicator(source: PouchDB.Database): PouchDB.Database {
  const view = Object.create(source) as PouchDB.Database;
  view.info = async () => {
    try {
      return await source.info();
    } catch {
      return { db_name: source.name, doc_count: 0, update_seq: 0 };
    }
  };
  return view;
}

export function startPass(options: PassOptions): Pass {
  let replication: PouchDB.Replication | null = null;
  let cancelled = false;
  const done = (async (): Promise<PassResult> => {
    const since = (await readCheckpoint(options.checkpointDb, options.checkpointName)) ?? 0;
    if (cancelled) return { since, lastSeq: since, read: 0, written: 0, refused: 0, cancelled: true };
    const checkpoints = checkpointWriter(options.checkpointDb, options.checkpointName, options.now);
    const run = PouchDB.replicate(forReplicator(options.source), options.target, {
      since,
      checkpoint: false,
      retry: false,
      batch_size: options.batchSize,
      // Two batches in flight at most: enough to overlap reading the source with writing the
      // target, small enough that a cut connection loses little.
      batches_limit: 2,
      ...(options.filter ? { filter: options.filter } : {}),
    });
    replication = run;
    let watchdog: ReturnType<typeof setTimeout> | null = null;
    const stalled = new Promise<never>((_, reject) => {
      const arm = (): void => {
        if (watchdog) clearTimeout(watchdog);
        watchdog = setTimeout(() => reject(new Error(`no answer from central for ${Math.round(options.stallMs / 1000)} s`)), options.stallMs);
      };
      arm();
      // PouchDB reports every step (a change read, a revs_diff, a batch written) as 'checkpoint'.
      run.on('checkpoint', (info) => {
        arm();
        if (info.checkpoint !== undefined) checkpoints.write(info.checkpoint);
      });
    });
    stalled.catch(() => undefined);
    run.on('change', (info) => {
      options.onBatch?.({ read: info.docs_read, written: info.docs_written, ids: (info.docs ?? []).map((doc) => doc._id) });
    });
    try {
      const result = await Promise.race([Promise.resolve(run), stalled]);
      if (watchdog) clearTimeout(watchdog);
      const wasCancelled = cancelled || result.status === 'cancelled';
      // A cancelled pass may stop between a batch and its checkpoint; only a complete one has
      // reached the source's end.
      if (!wasCancelled) checkpoints.write(result.last_seq);
      checkpoints.close();
      await checkpoints.flush();
      return { since, lastSeq: result.last_seq, read: result.docs_read, written: result.docs_written, refused: result.doc_write_failures, cancelled: wasCancelled };
    } catch (error) {
      if (watchdog) clearTimeout(watchdog);
      // The batches that did land keep their checkpoints: the next pass starts after them.
      checkpoints.close();
      run.cancel();
      await checkpoints.flush().catch(() => undefined);
      throw error;
    }
  })();
  return {
    done,
    cancel() {
      cancelled = true;
      replication?.cancel();
    },
  };
}
