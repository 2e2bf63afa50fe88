/**
 * The per-station audit log, chained by hashes.
 *
 * Every record carries the hash of the one before it (`prevHash`) and its own hash over its
 * contents, so editing a record breaks its hash, removing one leaves a gap in `seq` and a
 * broken link, and reordering breaks both. Cutting records off the end leaves a shorter chain
 * that is still internally sound; only an anchor (a head seq and hash remembered elsewhere,
 * e.g. by central or on the day-end report) can reveal that.
 *
 * Hashing is injected because core may not import node:crypto; every host passes SHA-256.
 */
import { docId } from '../schema/documents.js';
import type { AuditRecordDoc } from '../schema/documents.js';
import type { AuditCheck } from '../contract/views.js';

export type Sha256Hex = (text: string) => string;

export const GENESIS_HASH = '0'.repeat(64);

/**
 * An audit record before its hash is known. Written as a key-filtering mapped type rather than
 * `Omit` because the document type is a loose object with an index signature, and `Omit` over
 * such a type keeps only the index signature, losing every named field.
 */
export type UnsealedAuditRecord = {
  [K in keyof AuditRecordDoc as K extends 'hash' | '_rev' ? never : K]: AuditRecordDoc[K];
};

/**
 * Deterministic JSON: object keys sorted (by UTF-16 code units) at every depth, no whitespace,
 * arrays in order, undefined object properties left out. Anything JSON cannot represent
 * faithfully throws instead of being silently changed, because a value that serialises
 * differently after a round trip through the database would make an intact record look edited.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set<object>(), '$');
}

function serialise(value: unknown, ancestors: Set<object>, path: string): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path}`);
      return JSON.stringify(value);
    case 'undefined':
      throw new TypeError(`canonicalJson: undefined at ${path}`);
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new TypeError(`canonicalJson: ${typeof value} at ${path}`);
    case 'object':
      break;
    default:
      // typeof cannot narrow `unknown` to never; a future typeof result lands here.
      throw new TypeError(`canonicalJson: unexpected ${typeof value} at ${path}`);
  }
  if (value === null) return 'null';
  if (ancestors.has(value)) throw new TypeError(`canonicalJson: circular reference at ${path}`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: unknown[] = value;
      return `[${items.map((item, index) => serialise(item, ancestors, `${path}[${index}]`)).join(',')}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    // Dates, Maps and class instances would become strings or {} and not come back the same.
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`canonicalJson: only plain objects and arrays are allowed, not ${describe(value)} at ${path}`);
    }
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      members.push(`${JSON.stringify(key)}:${serialise(member, ancestors, `${path}.${key}`)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function describe(value: object): string {
  const name: unknown = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'an exotic object';
}

/**
 * The text a record's hash is taken over. The fields are listed explicitly so that storage
 * fields (`_rev`, and `hash` itself) never enter it. `_id` is not listed because it is derived
 * from stationId and seq, which are; `verifyAuditChain` checks that it matches. Fields added by
 * later schema versions are not covered until this list is extended for that schemaVersion.
 */
export function auditHashInput(record: UnsealedAuditRecord): string {
  return canonicalJson({
    stationId: record.stationId,
    seq: record.seq,
    at: record.at,
    kind: record.kind,
    actor: record.actor,
    subject: record.subject,
    detail: record.detail,
    prevHash: record.prevHash,
    schemaVersion: record.schemaVersion,
    type: record.type,
  });
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The record with its hash filled in. */
export function sealAuditRecord(record: UnsealedAuditRecord, sha: Sha256Hex): AuditRecordDoc {
  // Sealing a record with the wrong id would write a chain that fails its own check.
  const expectedId = docId.audit(record.stationId, record.seq);
  if (record._id !== expectedId) throw new Error(`audit record _id ${record._id} should be ${expectedId}`);
  const hash = sha(auditHashInput(record));
  if (!HEX64.test(hash)) throw new Error('the hash function must return 64 lower-case hex digits');
  return { ...record, hash };
}

interface Problem {
  seq: number;
  problem: string;
}

/**
 * Checks a station's whole audit log, given in any order. An anchor is a (seq, hash) the
 * caller trusts from elsewhere; without one, removal of the newest records cannot be seen.
 */
export function verifyAuditChain(
  records: readonly AuditRecordDoc[],
  sha: Sha256Hex,
  anchor?: { seq: number; hash: string },
): AuditCheck {
  const problems: Problem[] = [];
  const usable: AuditRecordDoc[] = [];
  for (const record of records) {
    if (Number.isSafeInteger(record.seq) && record.seq >= 1) usable.push(record);
    else problems.push({ seq: 0, problem: `invalid seq ${String(record.seq)} in ${record._id}` });
  }
  const sorted = usable.sort((a, b) => a.seq - b.seq);

  const bySeq = new Map<number, AuditRecordDoc[]>();
  for (const record of sorted) {
    const group = bySeq.get(record.seq);
    if (group) group.push(record);
    else bySeq.set(record.seq, [record]);
  }

  const stationId = sorted[0]?.stationId;
  let previousSeq = 0;
  for (const [seq, group] of bySeq) {
    if (seq !== previousSeq + 1) {
      const missing = seq - 1 === previousSeq + 1 ? `record ${previousSeq + 1} is` : `records ${previousSeq + 1}–${seq - 1} are`;
      problems.push({ seq, problem: `${missing} missing` });
    }
    if (group.length > 1) problems.push({ seq, problem: `${group.length} records share this seq` });

    // A link can only be checked when the previous record is present; a gap is reported above.
    const previous = seq === 1 ? [GENESIS_HASH] : (bySeq.get(seq - 1)?.map((r) => r.hash) ?? null);
    for (const record of group) {
      if (record.stationId !== stationId) {
        problems.push({ seq, problem: `station ${record.stationId} in a chain of station ${String(stationId)}` });
      }
      if (record._id !== docId.audit(record.stationId, record.seq)) {
        problems.push({ seq, problem: `_id ${record._id} does not match station and seq` });
      }
      if (previous !== null && !previous.includes(record.prevHash)) {
        problems.push({ seq, problem: seq === 1 ? 'first record does not start from the genesis hash' : 'prevHash does not match the previous record' });
      }
      let recomputed: string | null = null;
      try {
        recomputed = sha(auditHashInput(record));
      } catch (error: unknown) {
        problems.push({ seq, problem: `cannot be hashed: ${error instanceof Error ? error.message : String(error)}` });
      }
      if (recomputed !== null && recomputed !== record.hash) {
        problems.push({ seq, problem: 'hash does not match the contents (record edited)' });
      }
    }
    previousSeq = seq;
  }

  if (anchor !== undefined) {
    if (anchor.seq === 0) {
      if (anchor.hash !== GENESIS_HASH) problems.push({ seq: 0, problem: 'anchor at seq 0 must carry the genesis hash' });
    } else {
      const atAnchor = bySeq.get(anchor.seq);
      if (atAnchor === undefined) {
        problems.push({ seq: anchor.seq, problem: 'anchored record is missing (log cut short?)' });
      } else if (!atAnchor.some((r) => r.hash === anchor.hash)) {
        problems.push({ seq: anchor.seq, problem: 'anchored record has a different hash' });
      }
    }
  }

  const head = sorted[sorted.length - 1];
  return {
    ok: problems.length === 0,
    records: records.length,
    headSeq: head?.seq ?? 0,
    headHash: head?.hash ?? GENESIS_HASH,
    problems,
  };
}
