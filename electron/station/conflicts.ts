/**
 * CouchDB conflicts in the station's local databases, for a manager to see and resolve, never
 * silently dropped. PouchDB picks a winning revision deterministically and keeps the others as
 * `_conflicts`; a document that shows the wrong one until someone looks is what this list is for.
 *
 * Ledger documents, card-writes and everything in the station database are written once, at
 * revision 1, and never updated: such a document with a conflict means something wrote where it
 * must not, so it is listed for central to investigate and never resolved at the counter. The
 * same holds for central's event answers (`outcome:`, `range-grant:`). Master data (accounts,
 * bills, tariffs, operators) may be resolved by keeping one revision.
 */
import type { ConflictList, ConflictView, SyncDb } from '../../core/contract/transfer.js';
import { err, ok, type Result } from '../../core/contract/result.js';
import type { OperatorRef } from '../../core/schema/primitives.js';
import type { StationContext } from './context.js';
import type { Database } from './database.js';

const PAGE = 2000;
const RESOLVABLE_PREFIXES = ['account:', 'bill:', 'tariff:', 'operator:'];

export function isResolvable(db: SyncDb, id: string): boolean {
  return db === 'master' && RESOLVABLE_PREFIXES.some((prefix) => id.startsWith(prefix));
}

function databaseOf(ctx: StationContext, db: SyncDb): Database | null {
  // The district database arrives with the station's sync (database.ts); older builds have two.
  const dbs = ctx.dbs as { readonly master: Database; readonly station: Database; readonly district?: Database };
  switch (db) {
    case 'master':
      return dbs.master;
    case 'station':
      return dbs.station;
    case 'district':
      return dbs.district ?? null;
    default: {
      const unreachable: never = db;
      return unreachable;
    }
  }
}

const short = (value: unknown): string => {
  const text = value === undefined ? '—' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** Fields whose values differ between `doc` and `winner` (the revision bookkeeping left out). */
export function differences(doc: Record<string, unknown>, winner: Record<string, unknown>): { field: string; value: string; winnerValue: string }[] {
  const fields = new Set([...Object.keys(doc), ...Object.keys(winner)].filter((field) => !field.startsWith('_')));
  const found: { field: string; value: string; winnerValue: string }[] = [];
  for (const field of [...fields].sort()) {
    const value = JSON.stringify(doc[field]);
    const winnerValue = JSON.stringify(winner[field]);
    if (value !== winnerValue) found.push({ field, value: short(doc[field]), winnerValue: short(winner[field]) });
  }
  return found;
}

async function describe(db: Database, which: SyncDb, winner: Record<string, unknown> & { _id: string; _rev: string }, losers: readonly string[]): Promise<ConflictView> {
  const revisions: ConflictView['revisions'] = [{ rev: winner._rev, winner: true, differences: [] }];
  for (const rev of losers) {
    try {
      const doc = (await db.get(winner._id, { rev })) as Record<string, unknown>;
      revisions.push({ rev, winner: false, differences: differences(doc, winner) });
    } catch {
      // A leaf compacted away meanwhile: still listed, so nobody thinks it never existed.
      revisions.push({ rev, winner: false, differences: [{ field: '(unreadable)', value: '—', winnerValue: '—' }] });
    }
  }
  return {
    db: which,
    id: winner._id,
    type: typeof winner['type'] === 'string' ? winner['type'] : null,
    winningRev: winner._rev,
    revisions,
    resolvable: isResolvable(which, winner._id),
  };
}

/** The losing leaf revisions PouchDB lists with `conflicts: true`. */
function conflictsOf(doc: Record<string, unknown> | null | undefined): string[] {
  const listed = doc?.['_conflicts'];
  return Array.isArray(listed) ? listed.filter((rev): rev is string => typeof rev === 'string') : [];
}

/** Every conflicted document of one database, a page at a time. */
async function scan(db: Database, which: SyncDb): Promise<ConflictView[]> {
  const found: ConflictView[] = [];
  let startkey: string | undefined;
  for (;;) {
    const page = await db.allDocs({ include_docs: true, conflicts: true, limit: PAGE, ...(startkey === undefined ? {} : { startkey, skip: 1 }) });
    for (const row of page.rows) {
      const doc = row.doc;
      const losers = conflictsOf(doc);
      if (!doc || losers.length === 0) continue;
      found.push(await describe(db, which, doc, losers));
    }
    const last = page.rows[page.rows.length - 1];
    if (page.rows.length < PAGE || !last) return found;
    startkey = last.id;
  }
}

interface Cached {
  readonly seqs: string;
  readonly list: ConflictList;
}
const cache = new WeakMap<StationContext, Cached>();

const DATABASES: readonly SyncDb[] = ['master', 'station', 'district'];

/**
 * The conflicts list, scanned again only when one of the databases changed since the last scan
 * (its update_seq moved): a scan of master reads every document.
 */
export async function listConflicts(ctx: StationContext): Promise<ConflictList> {
  const present = DATABASES.flatMap((which) => {
    const db = databaseOf(ctx, which);
    return db === null ? [] : [{ which, db }];
  });
  const seqs = (await Promise.all(present.map(async ({ db }) => String((await db.info()).update_seq)))).join('|');
  const known = cache.get(ctx);
  if (known && known.seqs === seqs) return known.list;
  const conflicts = (await Promise.all(present.map(({ which, db }) => scan(db, which)))).flat();
  const list: ConflictList = { conflicts, scannedAt: ctx.clock.now().toISOString() };
  cache.set(ctx, { seqs, list });
  return list;
}

/**
 * Keeps `keepRev` of a conflicted master document: its body is written as a new revision on the
 * winning branch and every other leaf is deleted, in one bulkDocs; the manager's choice is audited.
 */
export async function resolveConflict(ctx: StationContext, operator: OperatorRef, which: SyncDb, id: string, keepRev: string): Promise<Result<{ resolved: true; rev: string }>> {
  if (!isResolvable(which, id)) {
    return err('CONFLICT_NOT_RESOLVABLE', `${id} in ${which} is written once and never updated: report the conflict to central`);
  }
  const db = databaseOf(ctx, which);
  if (db === null) return err('CONFLICT_NOT_FOUND', `no ${which} database at this station`);
  const page = await db.allDocs({ keys: [id], include_docs: true, conflicts: true });
  const winner = page.rows[0]?.doc;
  const losers = conflictsOf(winner);
  if (!winner || losers.length === 0) return err('CONFLICT_NOT_FOUND', `${id} has no conflict (resolved meanwhile?)`);
  if (keepRev !== winner._rev && !losers.includes(keepRev)) return err('CONFLICT_NOT_FOUND', `${keepRev} is not a revision of ${id}`);
  const kept = keepRev === winner._rev ? winner : ((await db.get(id, { rev: keepRev })) as Record<string, unknown>);
  const body = Object.fromEntries(Object.entries(kept).filter(([field]) => !field.startsWith('_')));
  const results = await db.bulkDocs([{ ...body, _id: id, _rev: winner._rev }, ...losers.map((rev) => ({ _id: id, _rev: rev, _deleted: true }))]);
  const failed = results.find((result) => 'error' in result && result.error);
  if (failed) return err('STORAGE_FAILED', `the conflict of ${id} could not be resolved: ${'message' in failed ? String(failed.message) : 'error'}`);
  const rev = results[0] && 'rev' in results[0] ? results[0].rev : '';
  await ctx.writer.run(() =>
    ctx.audit.append([{ kind: 'conflict-resolved', actor: operator.staffNo, subject: id.slice(0, 160), detail: { db: which, kept: keepRev, discarded: [winner._rev, ...losers].filter((r) => r !== keepRev), rev } }]),
  );
  return ok({ resolved: true, rev });
}
