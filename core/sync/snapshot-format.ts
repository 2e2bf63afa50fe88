/**
 * A district snapshot: the whole `td-master-<district>` database as one download, so a new
 * station provisions its district in one request instead of document by document. Built by the
 * central service (sync/service/snapshot.ts), stored as the attachment `snapshot.ndjson.gz` of
 * `snapshot:<district>` in `td-snapshots`.
 *
 * The attachment is gzip over NDJSON: line 1 the header, then one document per line with its
 * `_id` and `_rev`. The header's `seq` is master's update_seq read BEFORE the dump, so a station
 * that loads the snapshot and then replicates from that seq misses nothing (it may see a few
 * documents twice, which replication handles). Gzip itself is done in sync/, not here.
 */
import { z } from 'zod';

export const SNAPSHOT_FORMAT = 'tongda-snapshot-1';
/** The database the snapshots live in; created by setup. */
export const SNAPSHOTS_DB = 'td-snapshots';
export const SNAPSHOT_ATTACHMENT = 'snapshot.ndjson.gz';
export const SNAPSHOT_CONTENT_TYPE = 'application/gzip';

export const snapshotDocId = (districtCode: string) => `snapshot:${districtCode}`;

export const snapshotHeaderSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  district: z.string().min(1).max(32),
  db: z.string().min(1),
  /** CouchDB gives an opaque string, PouchDB a number: kept as given, to pass back as `since`. */
  seq: z.union([z.number().int().min(0), z.string().min(1)]),
  docCount: z.number().int().min(0),
  createdAt: z.string(),
});
export type SnapshotHeader = z.infer<typeof snapshotHeaderSchema>;

const snapshotDocSchema = z.looseObject({ _id: z.string().min(1), _rev: z.string().regex(/^\d+-[0-9a-f]+$/) });
export type SnapshotDoc = z.infer<typeof snapshotDocSchema>;

/** The `snapshot:<district>` document that carries the attachment (the attachment stub aside). */
export const snapshotInfoDocSchema = z.looseObject({
  _id: z.string(),
  type: z.literal('district-snapshot'),
  district: z.string(),
  db: z.string(),
  seq: z.union([z.number(), z.string()]),
  docCount: z.number().int().min(0),
  createdAt: z.string(),
  bytes: z.number().int().min(0),
});
export type SnapshotInfoDoc = z.infer<typeof snapshotInfoDocSchema>;

export function encodeSnapshotHeader(header: SnapshotHeader): string {
  return `${JSON.stringify(snapshotHeaderSchema.parse(header))}\n`;
}

/**
 * One document's line. Storage fields other than `_id` and `_rev` (revision history,
 * conflicts, attachment stubs) are left out: the loader writes each line with `new_edits: false`.
 */
export function encodeSnapshotDoc(doc: { readonly _id: string; readonly _rev: string } & Readonly<Record<string, unknown>>): string {
  const line: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('_') && key !== '_id' && key !== '_rev') continue;
    line[key] = value;
  }
  return `${JSON.stringify(line)}\n`;
}

export function parseSnapshotHeader(line: string): SnapshotHeader {
  return snapshotHeaderSchema.parse(JSON.parse(line));
}

export function parseSnapshotDocLine(line: string): SnapshotDoc {
  return snapshotDocSchema.parse(JSON.parse(line));
}

/** The whole snapshot from its NDJSON text; throws when the document count does not match the header (a cut-off download). */
export function parseSnapshot(text: string): { header: SnapshotHeader; docs: SnapshotDoc[] } {
  const lines = text.split('\n').filter((line) => line !== '');
  const first = lines[0];
  if (first === undefined) throw new Error('empty snapshot');
  const header = parseSnapshotHeader(first);
  const docs = lines.slice(1).map(parseSnapshotDocLine);
  if (docs.length !== header.docCount) throw new Error(`snapshot has ${docs.length} documents, its header says ${header.docCount}`);
  return { header, docs };
}
