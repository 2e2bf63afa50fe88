/**
 * Test support for the central service: local LevelDB databases behind the DatabaseFactory
 * seam, a clock tests move, documents as stations write them, and a dump of central's state to
 * compare runs. Used by sync/service/*.test.ts only.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { GENESIS_HASH, sealAuditRecord } from '../../core/audit/chain.js';
import type { AuditRecordDoc } from '../../core/schema/documents.js';
import { docId } from '../../core/schema/documents.js';
import { v1Samples } from '../../core/schema/samples.js';
import type { Database, DatabaseFactory } from './database.js';

export interface LocalCentral {
  readonly factory: DatabaseFactory;
  readonly db: (name: string) => Database;
  close(): Promise<void>;
}

/** Databases in a temporary folder, one PouchDB object per name (shared by every service instance in the test). */
export function localCentral(): LocalCentral {
  const dir = mkdtempSync(join(tmpdir(), 'td-service-'));
  const open = new Map<string, Database>();
  const db = (name: string): Database => {
    let found = open.get(name);
    if (!found) {
      found = new PouchDB(join(dir, name), { adapter: 'leveldb' });
      open.set(name, found);
    }
    return found;
  };
  return {
    factory: db,
    db,
    async close() {
      await Promise.all([...open.values()].map((d) => d.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Fault = (dbName: string, op: 'put' | 'bulkDocs', docs: readonly { _id?: unknown }[]) => boolean;

/**
 * The same databases, but a write for which `fault` answers true throws (once it answered true,
 * every later write throws too: the process is "dead" from there on).
 */
export function faultyFactory(base: DatabaseFactory, fault: Fault): { factory: DatabaseFactory; tripped: () => boolean } {
  let dead = false;
  const check = (name: string, op: 'put' | 'bulkDocs', docs: readonly { _id?: unknown }[]) => {
    if (!dead && fault(name, op, docs)) dead = true;
    if (dead) throw new Error(`injected crash at ${op} ${name} ${docs.map((d) => String(d._id)).join(',')}`);
  };
  const wrapped = new Map<string, Database>();
  const factory: DatabaseFactory = (name) => {
    const found = wrapped.get(name);
    if (found) return found;
    const inner = base(name);
    const proxy = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'put') {
          return (doc: PouchDB.Document) => {
            check(name, 'put', [doc]);
            return target.put(doc);
          };
        }
        if (property === 'bulkDocs') {
          return (docs: readonly { _id?: unknown }[], options?: { new_edits?: boolean }) => {
            check(name, 'bulkDocs', docs);
            return target.bulkDocs(docs, options);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    wrapped.set(name, proxy);
    return proxy;
  };
  return { factory, tripped: () => dead };
}

export class TestClock {
  constructor(public ms = Date.parse('2026-03-01T08:00:00.000Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export const directoryDoc = (stationId: string, district: string) => ({
  _id: `station:${stationId}`,
  type: 'station-directory',
  stationId,
  district,
  name: `${stationId} hall`,
  kind: 'hall',
  receiptPrefix: stationId.replace(/-/g, ''),
});

export function ledgerEntry(stationId: string, suffix: string, accountNo = '3401000001', extra: Record<string, unknown> = {}) {
  const entryId = `${stationId}:${suffix}`;
  return { ...v1Samples['ledger-entry'], _id: docId.ledger(entryId), entryId, stationId, accountNo, ...extra };
}

export function cardWrite(stationId: string, suffix: string) {
  const entryId = `${stationId}:${suffix}`;
  return { ...v1Samples['card-write'], _id: docId.cardWrite(entryId), entryId, stationId };
}

export function cardIssueEntry(stationId: string, suffix: string, accountNo: string, generation: number, serial: string) {
  return ledgerEntry(stationId, suffix, accountNo, {
    kind: 'card-issue',
    amount: 0,
    method: null,
    tendered: null,
    change: null,
    bills: [],
    cardIssue: { serial, generation, replacement: generation > 0, previousSerial: null, reason: null, approvedBy: null, carried: null },
  });
}

export function accountDoc(accountNo: string, owner = { name: '王芳', idNumber: '340104198803150021' }) {
  return { ...v1Samples.account, _id: docId.account(accountNo), accountNo, ownerName: owner.name, idNumber: owner.idNumber };
}

export function opening(stationId: string, accountNo: string, at = '2026-03-01T08:00:00.000Z') {
  const sample = v1Samples['account-opening'];
  return {
    ...sample,
    _id: docId.accountOpening(accountNo),
    stationId,
    accountNo,
    at,
    account: { ...(sample['account'] as Record<string, unknown>), _id: docId.account(accountNo), accountNo },
  };
}

export function transfer(stationId: string, suffix: string, accountNo: string, previous: { name: string; idNumber: string }, next: { name: string; idNumber: string; phone: string }) {
  const eventId = `${stationId}:${suffix}`;
  return { ...v1Samples['ownership-transfer'], _id: docId.transfer(eventId), eventId, stationId, accountNo, previousOwner: previous, newOwner: next };
}

export function receipt(stationId: string, seq: number) {
  return { ...v1Samples.receipt, _id: docId.receipt(stationId, seq), stationId, seq, receiptNo: `${stationId.replace(/-/g, '')}-${seq}` };
}

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Audit records seq from..to of a station, chained from `prevHash`. */
export function auditChain(stationId: string, from: number, to: number, prevHash = GENESIS_HASH): AuditRecordDoc[] {
  const records: AuditRecordDoc[] = [];
  let previous = prevHash;
  for (let seq = from; seq <= to; seq += 1) {
    const record = sealAuditRecord(
      {
        _id: docId.audit(stationId, seq),
        type: 'audit-record',
        schemaVersion: 1,
        stationId,
        seq,
        at: '2026-03-01T08:00:00.000Z',
        kind: 'login',
        actor: '1001',
        subject: null,
        detail: {},
        prevHash: previous,
      },
      sha,
    );
    records.push(record);
    previous = record.hash;
  }
  return records;
}

const VOLATILE = new Set(['at', 'lastSeenAt', 'updatedAt', 'createdAt', 'expiresAt', 'renewedAt']);

/**
 * Every document of the named databases, for comparing two runs: revisions kept where they must
 * match (ledger copies), dropped for documents central updates in place, and timestamps dropped.
 */
export async function dumpState(db: (name: string) => Database, names: readonly string[]): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const name of names) {
    const rows = (await db(name).allDocs({ include_docs: true })).rows;
    state[name] = rows
      .filter((row) => !row.id.startsWith('lease:') && !row.id.startsWith('checkpoint:'))
      .map((row) => {
        const doc: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(row.doc ?? {})) {
          if (VOLATILE.has(key)) continue;
          if (key === '_rev' && !name.startsWith('td-ledger-')) continue;
          doc[key] = value;
        }
        return doc;
      });
  }
  return state;
}
