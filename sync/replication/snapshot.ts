/**
 * Provisioning a new station's district from the snapshot central keeps (core/sync/snapshot-format.ts):
 * one download of the gzip NDJSON, written in big `new_edits: false` batches (each document keeps
 * central's revision, so later pulls continue its history), then the master checkpoint is set to
 * the snapshot's `seq` so replication only brings what changed after the dump. Document by
 * document over `_changes`/`_bulk_get`, 100,000 accounts take minutes; this takes seconds.
 *
 * A station that stopped mid-load finds its `_local/td-sync-provision` marker unfinished and
 * loads the snapshot again: writing a revision that is already there is a no-op.
 */
import type PouchDB from 'pouchdb';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseSnapshotDocLine, parseSnapshotHeader, SNAPSHOT_ATTACHMENT, snapshotDocId, type SnapshotHeader } from '../../core/sync/snapshot-format.js';
import { dbName } from '../../core/sync/layout.js';
import { readCheckpoint, readLocal, writeCheckpoint, writeLocal } from './checkpoint.js';
import { isNotFound } from './errors.js';

export const MASTER_PULL_CHECKPOINT = 'pull-master';
const PROVISION_MARKER = 'provision';

export type ProvisionDecision = 'provision' | 'resume' | 'skip';

/** Provision only a station that has nothing yet (or stopped in the middle of provisioning). */
export async function provisionDecision(master: PouchDB.Database): Promise<ProvisionDecision> {
  const marker = await readLocal(master, PROVISION_MARKER);
  if (marker) return marker.complete === true ? 'skip' : 'resume';
  if ((await readCheckpoint(master, MASTER_PULL_CHECKPOINT)) !== null) return 'skip';
  return (await master.info()).doc_count === 0 ? 'provision' : 'skip';
}

export interface ProvisionResult {
  readonly header: SnapshotHeader;
  readonly written: number;
  readonly bytes: number;
}

/**
 * Loads `snapshot:<district>` into `master`. Null when central has no snapshot for the district
 * (the caller then replicates from the start). Throws on a network failure or a damaged
 * snapshot, leaving the marker unfinished.
 */
export async function provisionFromSnapshot(options: {
  readonly snapshots: PouchDB.Database;
  readonly master: PouchDB.Database;
  readonly district: string;
  readonly batchSize?: number;
  readonly now: () => string;
  readonly onProgress?: (done: number, total: number | null) => void;
}): Promise<ProvisionResult | null> {
  const batchSize = options.batchSize ?? 2000;
  const docId = snapshotDocId(options.district);
  let gz: Uint8Array;
  try {
    gz = await options.snapshots.getAttachment(docId, SNAPSHOT_ATTACHMENT);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  const lines = createInterface({ input: Readable.from([gz]).pipe(createGunzip()), crlfDelay: Infinity });
  let header: SnapshotHeader | null = null;
  let batch: object[] = [];
  let written = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const docs = batch;
    batch = [];
    const results = await options.master.bulkDocs(docs, { new_edits: false });
    const failed = results.find((result) => 'error' in result);
    if (failed) throw new Error(`snapshot: writing ${String(failed.id)} failed: ${String(failed.reason ?? failed.error)}`);
    written += docs.length;
    options.onProgress?.(written, header?.docCount ?? null);
  };
  for await (const line of lines) {
    if (line === '') continue;
    if (header === null) {
      header = parseSnapshotHeader(line);
      const expected = dbName.master(options.district);
      if (header.db !== expected) throw new Error(`snapshot: made of ${header.db}, not ${expected}`);
      await writeLocal(options.master, PROVISION_MARKER, { complete: false, seq: header.seq, docCount: header.docCount, startedAt: options.now() });
      options.onProgress?.(0, header.docCount);
      continue;
    }
    batch.push(parseSnapshotDocLine(line));
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  if (header === null) throw new Error('snapshot: empty');
  if (written !== header.docCount) throw new Error(`snapshot: ${written} documents, its header says ${header.docCount}`);
  // The checkpoint before the marker: a stop in between loads the snapshot again (harmless),
  // never leaves a finished marker without the seq to continue from.
  await writeCheckpoint(options.master, MASTER_PULL_CHECKPOINT, header.seq, options.now());
  await writeLocal(options.master, PROVISION_MARKER, { complete: true, seq: header.seq, docCount: header.docCount, finishedAt: options.now() });
  return { header, written, bytes: gz.byteLength };
}

/** After a station decided not to provision (it has data, or central has no snapshot): never ask again. */
export async function markProvisioningSkipped(master: PouchDB.Database, now: string, reason: string): Promise<void> {
  await writeLocal(master, PROVISION_MARKER, { complete: true, skipped: reason, finishedAt: now });
}
