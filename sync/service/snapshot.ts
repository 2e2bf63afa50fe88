/**
 * District snapshots (format in core/sync/snapshot-format.ts): the whole district master as one
 * gzip NDJSON attachment on `snapshot:<district>` in td-snapshots, for a new station to load in
 * one download.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  encodeSnapshotDoc,
  encodeSnapshotHeader,
  parseSnapshot,
  SNAPSHOT_ATTACHMENT,
  SNAPSHOT_CONTENT_TYPE,
  SNAPSHOT_FORMAT,
  snapshotDocId,
  snapshotInfoDocSchema,
} from '../../core/sync/snapshot-format.js';
import type { SnapshotDoc, SnapshotHeader } from '../../core/sync/snapshot-format.js';
import { dbName } from '../../core/sync/layout.js';
import type { Database } from './database.js';
import { getOrNull, isConflict, seqNumber } from './database.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A snapshot is rebuilt early when master moved by more than this many updates since it was taken. */
export const SNAPSHOT_STALE_UPDATES = 1000;

export interface BuildSnapshotOptions {
  /** `td-master-<district>`. */
  readonly master: Database;
  /** `td-snapshots`. */
  readonly snapshots: Database;
  readonly district: string;
  readonly now?: () => Date;
  readonly pageSize?: number;
}

export interface SnapshotResult {
  readonly district: string;
  readonly seq: number | string;
  readonly docCount: number;
  /** Size of the gzip attachment. */
  readonly bytes: number;
  readonly createdAt: string;
}

/** Dumps the district master and stores it as `snapshot:<district>` (replacing the previous one). */
export async function buildDistrictSnapshot(options: BuildSnapshotOptions): Promise<SnapshotResult> {
  const { master, snapshots, district } = options;
  const now = options.now ?? (() => new Date());
  const pageSize = options.pageSize ?? 2000;
  // Read before the dump: a station replicating from here on sees every later change.
  const seq = (await master.info()).update_seq;
  const lines: string[] = [];
  let startkey: string | undefined;
  for (;;) {
    const page = await master.allDocs({ include_docs: true, limit: pageSize, ...(startkey === undefined ? {} : { startkey, skip: 1 }) });
    for (const row of page.rows) {
      // Design documents are central's (validation); a station's local copy has no use for them.
      if (row.doc && !row.id.startsWith('_design/')) lines.push(encodeSnapshotDoc(row.doc));
    }
    const last = page.rows[page.rows.length - 1];
    if (page.rows.length < pageSize || last === undefined) break;
    startkey = last.id;
  }
  const createdAt = now().toISOString();
  const db = dbName.master(district);
  const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, district, db, seq, docCount: lines.length, createdAt };
  const body = await gzipAsync(Buffer.from(encodeSnapshotHeader(header) + lines.join(''), 'utf8'));
  const id = snapshotDocId(district);
  for (;;) {
    const existing = await getOrNull(snapshots, id);
    try {
      await snapshots.put({
        _id: id,
        ...(existing === null ? {} : { _rev: existing._rev }),
        type: 'district-snapshot',
        district,
        db,
        seq,
        docCount: lines.length,
        createdAt,
        bytes: body.length,
        _attachments: { [SNAPSHOT_ATTACHMENT]: { content_type: SNAPSHOT_CONTENT_TYPE, data: body.toString('base64') } },
      });
      break;
    } catch (error: unknown) {
      if (!isConflict(error)) throw error;
    }
  }
  return { district, seq, docCount: lines.length, bytes: body.length, createdAt };
}

/** Whether the district's snapshot is missing, far behind master, or old and behind. */
export async function snapshotDue(master: Database, snapshots: Database, district: string, everyMs: number, now: Date): Promise<boolean> {
  const parsed = snapshotInfoDocSchema.safeParse(await getOrNull(snapshots, snapshotDocId(district)));
  if (!parsed.success) return true;
  const masterSeq = seqNumber((await master.info()).update_seq);
  const snapshotSeq = seqNumber(parsed.data.seq);
  if (masterSeq - snapshotSeq > SNAPSHOT_STALE_UPDATES) return true;
  return masterSeq !== snapshotSeq && now.getTime() - Date.parse(parsed.data.createdAt) >= everyMs;
}

/** The stored snapshot of a district, unpacked and parsed; null when there is none. */
export async function readDistrictSnapshot(snapshots: Database, district: string): Promise<{ header: SnapshotHeader; docs: SnapshotDoc[] } | null> {
  let data: Uint8Array;
  try {
    data = await snapshots.getAttachment(snapshotDocId(district), SNAPSHOT_ATTACHMENT);
  } catch (error: unknown) {
    if (typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 404) return null;
    throw error;
  }
  const text = (await gunzipAsync(data)).toString('utf8');
  return parseSnapshot(text);
}
