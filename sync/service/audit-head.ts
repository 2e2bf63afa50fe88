/**
 * The audit-chain head central saw for a station (`station-head:<stationId>` in td-central): an
 * anchor for the station's chain (core/audit/chain.ts explains why a chain cut short is only
 * visible against one), and whether the records seen link up.
 */
import { GENESIS_HASH } from '../../core/audit/chain.js';

export interface HeadState {
  /** The highest audit seq seen; 0 before any. */
  readonly seq: number;
  readonly hash: string;
  /** The first seq whose prevHash did not match the record before it (among those seen), or null. */
  readonly brokenAt: number | null;
}

export interface AuditLink {
  readonly seq: number;
  readonly hash: string;
  readonly prevHash: string;
}

export const emptyHead: HeadState = { seq: 0, hash: GENESIS_HASH, brokenAt: null };

/**
 * The head after seeing more records (in any order; those at or below the head were seen before
 * and are skipped, so seeing a batch twice changes nothing). A link is checked where the record
 * before it was seen: the head itself, or a record of this batch.
 */
export function advanceHead(head: HeadState, records: readonly AuditLink[]): HeadState {
  const fresh = records.filter((r) => r.seq > head.seq).sort((a, b) => a.seq - b.seq);
  let { seq, hash, brokenAt } = head;
  const hashes = new Map<number, string>([[head.seq, head.hash]]);
  for (const record of fresh) hashes.set(record.seq, record.hash);
  for (const record of fresh) {
    const previous = record.seq === 1 ? GENESIS_HASH : hashes.get(record.seq - 1);
    if (previous !== undefined && previous !== record.prevHash && brokenAt === null) brokenAt = record.seq;
    seq = record.seq;
    hash = record.hash;
  }
  return { seq, hash, brokenAt };
}
