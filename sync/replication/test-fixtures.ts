/**
 * Documents and helpers for the replication tests and the sync benchmark (test/bench/sync.ts):
 * realistic ledger entries with their audit records (~1 KB each, as a station writes them),
 * databases on a central reached over HTTP as its admin, and a district snapshot built the way
 * the central service builds one (header seq read before the dump).
 */
import { gzipSync } from 'node:zlib';
import PouchDB from 'pouchdb';
import { docId } from '../../core/schema/documents.js';
import { encodeSnapshotDoc, encodeSnapshotHeader, SNAPSHOT_ATTACHMENT, SNAPSHOT_CONTENT_TYPE, snapshotDocId } from '../../core/sync/snapshot-format.js';
import { dbName } from '../../core/sync/layout.js';

export interface Admin {
  readonly username: string;
  readonly password: string;
}

function basic(admin: Admin): string {
  return `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`;
}

/** Creates the databases (admin only, as the setup command does); an existing one is fine. */
export async function createCentralDatabases(url: string, admin: Admin, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const response = await fetch(`${url}/${encodeURIComponent(name)}`, { method: 'PUT', headers: { Authorization: basic(admin) } });
    if (!response.ok && response.status !== 412) throw new Error(`PUT ${name}: ${response.status} ${await response.text()}`);
  }
}

/** Every database a station replicates with, for one station and its district. */
export function stationDatabaseNames(stationId: string, district: string): string[] {
  return ['td-operators', 'td-snapshots', dbName.master(district), dbName.station(stationId), dbName.inbox(stationId), dbName.districtLedger(district)];
}

/** A database on central as its admin. */
export function adminDb(url: string, admin: Admin, name: string): PouchDB.Database {
  return new PouchDB(`${url}/${encodeURIComponent(name)}`, { auth: { username: admin.username, password: admin.password }, skip_setup: true });
}

/**
 * The `i`-th bill payment of `stationId` with its audit record: what one payments.confirm writes.
 * About 1 KB of JSON together, like the real ones.
 */
export function ledgerPair(stationId: string, i: number): [Record<string, unknown> & { _id: string }, Record<string, unknown> & { _id: string }] {
  const entryId = `${stationId}:20261121:${String(i).padStart(6, '0')}`;
  const accountNo = `11${String(100_000 + (i % 90_000)).padStart(8, '0')}`;
  const at = new Date(Date.UTC(2026, 10, 21, 1, 0, 0) + i * 37_000).toISOString();
  const amount = 1000 + ((i * 7919) % 50_000);
  const entry = {
    _id: docId.ledger(entryId),
    type: 'ledger-entry',
    schemaVersion: 1,
    entryId,
    kind: 'bill-payment',
    stationId,
    at,
    operator: { staffNo: '1001', name: '王丽' },
    accountNo,
    tariffCode: 'RES-GAS',
    tariffVersionId: 'tariff:RES-GAS:0003',
    amount,
    method: 'cash',
    reference: null,
    tendered: amount + 500,
    change: 500,
    bills: [
      { billId: `bill:${accountNo}:2026-09`, period: '2026-09', amount: Math.floor(amount / 2), lateFee: 0 },
      { billId: `bill:${accountNo}:2026-10`, period: '2026-10', amount: amount - Math.floor(amount / 2), lateFee: 0 },
    ],
    creditDelta: 0,
    reversal: null,
    auditSeq: i + 1,
  };
  const audit = {
    _id: docId.audit(stationId, i + 1),
    type: 'audit-record',
    schemaVersion: 1,
    stationId,
    seq: i + 1,
    at,
    kind: 'ledger-entry',
    actor: '1001',
    subject: entryId,
    detail: { accountNo, amount, method: 'cash', bills: 2 },
    prevHash: (i * 2654435761).toString(16).padStart(64, '0').slice(-64),
    hash: ((i + 1) * 2654435761).toString(16).padStart(64, '0').slice(-64),
  };
  return [entry, audit];
}

/** `count` station documents (entries and audit records alternating), ids unique per station. */
export function ledgerDocs(stationId: string, count: number, from = 0): (Record<string, unknown> & { _id: string })[] {
  const docs: (Record<string, unknown> & { _id: string })[] = [];
  for (let i = from; docs.length < count; i += 1) docs.push(...ledgerPair(stationId, i));
  return docs.slice(0, count);
}

export async function bulkWrite(db: PouchDB.Database, docs: readonly object[], batch = 2000): Promise<void> {
  for (let i = 0; i < docs.length; i += batch) {
    const results = await db.bulkDocs(docs.slice(i, i + batch));
    const failed = results.find((result) => 'error' in result);
    if (failed) throw new Error(`bulkDocs: ${JSON.stringify(failed)}`);
  }
}

/**
 * Builds `snapshot:<district>` from central's master database as the central service does:
 * update_seq read first, then every document, gzip NDJSON as the attachment.
 */
export async function publishSnapshot(url: string, admin: Admin, district: string, createdAt: string): Promise<{ readonly seq: number | string; readonly docCount: number; readonly bytes: number }> {
  const master = adminDb(url, admin, dbName.master(district));
  const seq = (await master.info()).update_seq;
  const lines: string[] = [];
  let startkey: string | undefined;
  for (;;) {
    const page = await master.allDocs({ include_docs: true, limit: 5000, ...(startkey === undefined ? {} : { startkey, skip: 1 }) });
    for (const row of page.rows) if (row.doc && !row.id.startsWith('_design/')) lines.push(encodeSnapshotDoc(row.doc));
    const last = page.rows[page.rows.length - 1];
    if (!last || page.rows.length < 5000) break;
    startkey = last.id;
  }
  const header = encodeSnapshotHeader({ format: 'tongda-snapshot-1', district, db: dbName.master(district), seq, docCount: lines.length, createdAt });
  const gz = gzipSync(Buffer.from(header + lines.join(''), 'utf8'));
  const snapshots = adminDb(url, admin, 'td-snapshots');
  await snapshots.put({
    _id: snapshotDocId(district),
    type: 'district-snapshot',
    district,
    db: dbName.master(district),
    seq,
    docCount: lines.length,
    createdAt,
    bytes: gz.byteLength,
    _attachments: { [SNAPSHOT_ATTACHMENT]: { content_type: SNAPSHOT_CONTENT_TYPE, data: gz.toString('base64') } },
  });
  return { seq, docCount: lines.length, bytes: gz.byteLength };
}

/** Every document id → revision of a database (design documents aside). */
export async function revisions(db: PouchDB.Database): Promise<Map<string, string>> {
  const revs = new Map<string, string>();
  const page = await db.allDocs();
  for (const row of page.rows) if (!row.id.startsWith('_design/')) revs.set(row.id, row.value.rev);
  return revs;
}
