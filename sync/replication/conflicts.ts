/**
 * What to list for a manager when a document has CouchDB conflicts. The station never resolves
 * a conflict itself: master and the district ledger are copies of central and station documents
 * are written once, so a conflict means two writers disagreed on central (or a bug), and picking
 * CouchDB's arbitrary winner silently could drop a payment or an owner change. Pure: the caller
 * reads the revisions (allDocs with `conflicts: true`) and shows or stores the listing.
 */
export type ConflictDatabase = 'master' | 'district' | 'station';

export interface ConflictListing {
  readonly database: ConflictDatabase;
  readonly docId: string;
  /** The revision every reader sees now (CouchDB's deterministic pick, not a decision). */
  readonly shownRev: string;
  /** Every other leaf revision, highest first: each one is a version somebody wrote. */
  readonly otherRevs: readonly string[];
  /** What kind of document, from the id prefix (account, ledger, tariff…), for the manager's list. */
  readonly kind: string;
  /**
   * Ledger-like documents (ledger entries, card writes, audit records…) must never have a second
   * revision, so any conflict on them is a fault to escalate, not a choice between two versions.
   */
  readonly severity: 'immutable-document-changed' | 'versions-differ';
}

const IMMUTABLE_KINDS: ReadonlySet<string> = new Set(['ledger', 'cardwrite', 'audit', 'receipt', 'print-job', 'print-attempt', 'account-opening', 'transfer', 'outcome', 'range-grant']);

function revGeneration(rev: string): number {
  const dash = rev.indexOf('-');
  const n = Number(rev.slice(0, dash));
  return dash > 0 && Number.isInteger(n) ? n : 0;
}

/** Orders revisions as CouchDB does when choosing a winner: higher generation, then higher hash. */
export function compareRevs(a: string, b: string): number {
  const byGeneration = revGeneration(b) - revGeneration(a);
  if (byGeneration !== 0) return byGeneration;
  return a < b ? 1 : a > b ? -1 : 0;
}

/** null when there is nothing to list (no other leaf revision than the winner). */
export function describeConflict(input: {
  readonly database: ConflictDatabase;
  readonly docId: string;
  readonly winningRev: string;
  readonly conflictingRevs: readonly string[] | undefined;
}): ConflictListing | null {
  const others = [...new Set(input.conflictingRevs ?? [])].filter((rev) => rev !== input.winningRev).sort(compareRevs);
  if (others.length === 0) return null;
  const colon = input.docId.indexOf(':');
  const kind = colon > 0 ? input.docId.slice(0, colon) : input.docId;
  const immutable = IMMUTABLE_KINDS.has(kind);
  return {
    database: input.database,
    docId: input.docId,
    shownRev: input.winningRev,
    otherRevs: others,
    kind,
    severity: immutable ? 'immutable-document-changed' : 'versions-differ',
  };
}

/** The listings for a page of documents read with `conflicts: true`, in id order. */
export function listConflicts(database: ConflictDatabase, docs: readonly { readonly _id: string; readonly _rev: string; readonly _conflicts?: unknown }[]): ConflictListing[] {
  const listings: ConflictListing[] = [];
  for (const doc of docs) {
    const revs = Array.isArray(doc._conflicts) ? doc._conflicts.filter((rev): rev is string => typeof rev === 'string') : undefined;
    const listing = describeConflict({ database, docId: doc._id, winningRev: doc._rev, conflictingRevs: revs });
    if (listing) listings.push(listing);
  }
  return listings.sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
}
