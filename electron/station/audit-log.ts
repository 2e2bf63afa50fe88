/**
 * The per-station audit log: logins, approvals and every ledger entry, each record chained to
 * the one before by a SHA-256 hash (rules in core/audit/chain.ts). Records are prepared inside a
 * WriteQueue task and written in the same bulkDocs as what they describe; the in-memory head
 * moves only after the write succeeded.
 */
import { parseDocument, readDocument } from '../../core/schema/upgrades.js';
import { createHash } from 'node:crypto';
import { canonicalJson, GENESIS_HASH, sealAuditRecord, verifyAuditChain, type Sha256Hex } from '../../core/audit/chain.js';
import type { AuditCheck } from '../../core/contract/views.js';
import { CURRENT_SCHEMA_VERSION, docId, type AuditKind, type AuditRecordDoc, type LedgerEntryDoc } from '../../core/schema/documents.js';
import type { Clock } from '../../core/time/local-date.js';
import { scanPrefix, type Database } from './database.js';

export const sha256Hex: Sha256Hex = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

export function entryDigest(entry: LedgerEntryDoc): string {
  const { _rev: _ignored, ...content } = entry as LedgerEntryDoc & { _rev?: string };
  return sha256Hex(canonicalJson(content));
}

export interface AuditEvent {
  readonly kind: AuditKind;
  readonly actor: string | null;
  readonly subject: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

export class AuditLog {
  private headSeq = 0;
  private headHash = GENESIS_HASH;

  constructor(
    private readonly db: Database,
    private readonly stationId: string,
    private readonly clock: Clock,
  ) {}

  async load(): Promise<void> {
    const last = await this.db.allDocs({
      startkey: `${docId.audit(this.stationId, 0).slice(0, -10)}\uffff`,
      endkey: docId.audit(this.stationId, 0).slice(0, -10),
      descending: true,
      limit: 1,
      include_docs: true,
    });
    const row = last.rows[0];
    if (row?.doc) {
      const record = parseDocument('audit-record', row.doc);
      this.headSeq = record.seq;
      this.headHash = record.hash;
    }
  }

  get head(): { seq: number; hash: string } {
    return { seq: this.headSeq, hash: this.headHash };
  }

  /** Seals records that follow the current head, in order; call `advance` once they are written. */
  prepare(events: readonly AuditEvent[]): AuditRecordDoc[] {
    const at = this.clock.now().toISOString();
    let seq = this.headSeq;
    let prevHash = this.headHash;
    return events.map((event) => {
      seq += 1;
      const record = sealAuditRecord(
        {
          _id: docId.audit(this.stationId, seq),
          type: 'audit-record',
          schemaVersion: CURRENT_SCHEMA_VERSION['audit-record'],
          stationId: this.stationId,
          seq,
          at,
          kind: event.kind,
          actor: event.actor,
          subject: event.subject,
          detail: { ...event.detail },
          prevHash,
        },
        sha256Hex,
      );
      prevHash = record.hash;
      return record;
    });
  }

  advance(written: readonly AuditRecordDoc[]): void {
    const last = written[written.length - 1];
    if (!last) return;
    if (written[0]?.seq !== this.headSeq + 1) throw new Error('audit records written out of order');
    this.headSeq = last.seq;
    this.headHash = last.hash;
  }

  /** Writes records on their own (a login, a refused approval). Call inside a WriteQueue task. */
  async append(events: readonly AuditEvent[]): Promise<AuditRecordDoc[]> {
    const records = this.prepare(events);
    const results = await this.db.bulkDocs(records);
    for (const result of results) {
      if ('error' in result && result.error) throw new Error(`audit write failed: ${String(result.message ?? result.error)}`);
    }
    this.advance(records);
    return records;
  }

  async verify(): Promise<AuditCheck> {
    const records: AuditRecordDoc[] = [];
    for await (const page of scanPrefix(this.db, `audit:${this.stationId}:`)) {
      for (const doc of page) {
        const parsed = readDocument('audit-record', doc);
        // An unreadable record still counts: verifyAuditChain reports the gap its absence leaves.
        if (parsed.success) records.push(parsed.data);
      }
    }
    const chain = verifyAuditChain(records, sha256Hex);
    const problems = [...chain.problems, ...(await this.verifyEntries(records))];
    return { ...chain, ok: problems.length === 0, problems };
  }

  /** Each ledger-entry record carries the digest of its entry: the entry must still be there, unchanged. */
  private async verifyEntries(records: readonly AuditRecordDoc[]): Promise<{ seq: number; problem: string }[]> {
    const described = records.filter((r) => r.kind === 'ledger-entry' && r.subject !== null && typeof r.detail['digest'] === 'string');
    if (described.length === 0) return [];
    const found = await this.db.allDocs({ keys: described.map((r) => docId.ledger(r.subject ?? '')), include_docs: true });
    const problems: { seq: number; problem: string }[] = [];
    described.forEach((record, i) => {
      const doc = found.rows[i]?.doc;
      const parsed = readDocument('ledger-entry', doc);
      if (!parsed.success) problems.push({ seq: record.seq, problem: `ledger entry ${String(record.subject)} is missing or unreadable` });
      else if (entryDigest(parsed.data) !== record.detail['digest']) problems.push({ seq: record.seq, problem: `ledger entry ${String(record.subject)} was changed after it was committed` });
    });
    return problems;
  }
}
