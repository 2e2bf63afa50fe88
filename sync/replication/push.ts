/**
 * The station's push: its own documents (`isPushedDocId`: everything but its counters) to
 * `td-station-<station>`. Every pushed document is written once at revision 1, so the pass
 * sends each one once; a pass cut mid-batch and retried sends `_revs_diff` first and central
 * answers that it already has what landed.
 */
import type PouchDB from 'pouchdb';
import { isPushedDocId } from '../../core/sync/layout.js';
import { readCheckpoint } from './checkpoint.js';
import { startPass, type Pass } from './replicate-once.js';

export const PUSH_CHECKPOINT = 'push-station';

export function startPush(options: { readonly station: PouchDB.Database; readonly remote: PouchDB.Database; readonly batchSize: number; readonly stallMs: number; readonly now: () => string; readonly onBatch?: (read: number) => void }): Pass {
  return startPass({
    source: options.station,
    target: options.remote,
    checkpointDb: options.station,
    checkpointName: PUSH_CHECKPOINT,
    batchSize: options.batchSize,
    stallMs: options.stallMs,
    filter: (doc) => isPushedDocId(doc._id),
    now: options.now,
    onBatch: (progress) => options.onBatch?.(progress.read),
  });
}

/** Station documents (pushed kinds) changed since the push checkpoint: what central has not got yet. */
export async function pendingPushCount(station: PouchDB.Database, pageSize = 5000): Promise<number> {
  let since = (await readCheckpoint(station, PUSH_CHECKPOINT)) ?? 0;
  let count = 0;
  for (;;) {
    const page = await station.changes({ since, limit: pageSize });
    for (const change of page.results) if (isPushedDocId(change.id)) count += 1;
    if (page.results.length < pageSize) return count;
    since = page.last_seq;
  }
}
