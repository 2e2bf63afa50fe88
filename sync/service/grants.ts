/**
 * Number-range grants: the writes. The decisions are in core/sync/ranges.ts.
 *
 * Crash safety. A receipt grant needs no allocator (receipt numbers are per station): its id is
 * deterministic (grantNo = highest grant + 1) and its range follows from the station's earlier
 * grants and usage, so a retry writes the same document or finds it there.
 * Account numbers are utility-wide: `allocator:account` is written first, with its revision (two
 * writers cannot both win) and with the grant it pays for recorded as `pending`; then the grant is
 * written under its deterministic id; then `pending` is cleared. A service that stops anywhere in
 * between finds `pending` on its next run and writes that same grant before allocating anything
 * else: no number is handed out twice, and none is lost.
 */
import { CURRENT_SCHEMA_VERSION, docId, rangeGrantDocSchema } from '../../core/schema/documents.js';
import type { RangeGrantDoc } from '../../core/schema/documents.js';
import { ACCOUNT_NUMBERS_START, needsRefill, nextAccountBlock, nextGrantNo, nextReceiptBlock } from '../../core/sync/ranges.js';
import type { GrantedRange, RangeKind } from '../../core/sync/ranges.js';
import type { Database } from './database.js';
import { docsWithPrefix, getOrNull, isConflict, putOnce } from './database.js';

export const ACCOUNT_ALLOCATOR_ID = 'allocator:account';

export interface UsageState {
  /** The highest number the station was seen using, anywhere. */
  highest: number | null;
  /** The highest number it was seen using inside one of its grants. */
  highestInGrants: number | null;
}
export type StationUsage = Record<RangeKind, UsageState>;
export const emptyUsage = (): StationUsage => ({
  receipt: { highest: null, highestInGrants: null },
  account: { highest: null, highestInGrants: null },
});

export type Grant = GrantedRange & { readonly at: string };

interface PendingGrant {
  stationId: string;
  grantNo: number;
  from: number;
  to: number;
  at: string;
}

interface AllocatorDoc {
  _id: string;
  _rev?: string;
  type: 'range-allocator';
  kind: 'account';
  next: number;
  pending: PendingGrant | null;
}

export async function readGrants(inbox: Database, stationId: string, kind: RangeKind): Promise<Grant[]> {
  const grants: Grant[] = [];
  for (const doc of await docsWithPrefix(inbox, docId.rangeGrantPrefix(stationId, kind))) {
    const parsed = rangeGrantDocSchema.safeParse(doc);
    if (parsed.success) grants.push({ grantNo: parsed.data.grantNo, from: parsed.data.from, to: parsed.data.to, at: parsed.data.at });
  }
  return grants.sort((a, b) => a.grantNo - b.grantNo);
}

function grantDoc(stationId: string, kind: RangeKind, grantNo: number, from: number, to: number, at: string): RangeGrantDoc {
  return {
    _id: docId.rangeGrant(stationId, kind, grantNo),
    type: 'range-grant',
    schemaVersion: CURRENT_SCHEMA_VERSION['range-grant'],
    stationId,
    kind,
    grantNo,
    from,
    to,
    at,
  };
}

export interface GrantContext {
  readonly central: Database;
  readonly inboxFor: (stationId: string) => Database;
  readonly now: () => Date;
  readonly log: (line: string) => void;
  /** Checked before each write: a service that lost its lease stops. */
  readonly mayWork: () => boolean;
}

/** Gives the station a grant of each kind it is short of. Returns the grants written. */
export async function ensureGrants(context: GrantContext, stationId: string, usage: StationUsage): Promise<RangeGrantDoc[]> {
  const written: RangeGrantDoc[] = [];
  const receipt = await grantReceipts(context, stationId, usage.receipt);
  if (receipt) written.push(receipt);
  written.push(...(await grantAccounts(context, stationId, usage.account)));
  return written;
}

async function grantReceipts(context: GrantContext, stationId: string, usage: UsageState): Promise<RangeGrantDoc | null> {
  const inbox = context.inboxFor(stationId);
  const grants = await readGrants(inbox, stationId, 'receipt');
  if (!needsRefill('receipt', grants, usage.highestInGrants) || !context.mayWork()) return null;
  const block = nextReceiptBlock(grants, usage.highest);
  const doc = grantDoc(stationId, 'receipt', nextGrantNo(grants), block.from, block.to, context.now().toISOString());
  // 'existed': another instance wrote this grant number a moment ago; the next pass re-reads it.
  if ((await putOnce(inbox, { ...doc })) === 'existed') return null;
  context.log(`granted receipts ${block.from}-${block.to} to ${stationId} (grant ${doc.grantNo})`);
  return doc;
}

async function readAllocator(central: Database): Promise<AllocatorDoc> {
  const doc = await getOrNull(central, ACCOUNT_ALLOCATOR_ID);
  if (doc === null) return { _id: ACCOUNT_ALLOCATOR_ID, type: 'range-allocator', kind: 'account', next: ACCOUNT_NUMBERS_START, pending: null };
  const next = typeof doc['next'] === 'number' ? doc['next'] : ACCOUNT_NUMBERS_START;
  const pending = (doc['pending'] ?? null) as PendingGrant | null;
  return { _id: ACCOUNT_ALLOCATOR_ID, _rev: doc._rev, type: 'range-allocator', kind: 'account', next, pending };
}

/** Writes the allocator; false when another writer changed it first (re-read and start over). */
async function writeAllocator(central: Database, doc: AllocatorDoc): Promise<boolean> {
  try {
    await central.put({ ...doc });
    return true;
  } catch (error: unknown) {
    if (isConflict(error)) return false;
    throw error;
  }
}

async function writePendingGrant(context: GrantContext, pending: PendingGrant): Promise<RangeGrantDoc | null> {
  const doc = grantDoc(pending.stationId, 'account', pending.grantNo, pending.from, pending.to, pending.at);
  const inbox = context.inboxFor(pending.stationId);
  if ((await putOnce(inbox, { ...doc })) === 'created') {
    context.log(`granted account numbers ${pending.from}-${pending.to} to ${pending.stationId} (grant ${pending.grantNo})`);
    return doc;
  }
  const existing = rangeGrantDocSchema.safeParse(await getOrNull(inbox, doc._id));
  if (!existing.success || existing.data.from !== pending.from || existing.data.to !== pending.to) {
    // The block stays unused rather than being handed out twice.
    context.log(`account grant ${doc._id} already exists with another range; block ${pending.from}-${pending.to} is left unused`);
  }
  return null;
}

async function clearPending(central: Database, pending: PendingGrant): Promise<void> {
  for (;;) {
    const allocator = await readAllocator(central);
    const mine = allocator.pending !== null && allocator.pending.stationId === pending.stationId && allocator.pending.grantNo === pending.grantNo && allocator.pending.from === pending.from;
    if (!mine || (await writeAllocator(central, { ...allocator, pending: null }))) return;
  }
}

/** Finishes a grant a previous run reserved in the allocator but may not have written. */
export async function completePendingAccountGrant(context: GrantContext): Promise<RangeGrantDoc | null> {
  for (;;) {
    const allocator = await readAllocator(context.central);
    if (allocator.pending === null || !context.mayWork()) return null;
    const written = await writePendingGrant(context, allocator.pending);
    if (await writeAllocator(context.central, { ...allocator, pending: null })) return written;
  }
}

async function grantAccounts(context: GrantContext, stationId: string, usage: UsageState): Promise<RangeGrantDoc[]> {
  const written: RangeGrantDoc[] = [];
  for (;;) {
    if (!context.mayWork()) return written;
    const allocator = await readAllocator(context.central);
    if (allocator.pending !== null) {
      const done = await completePendingAccountGrant(context);
      if (done) written.push(done);
      continue;
    }
    const grants = await readGrants(context.inboxFor(stationId), stationId, 'account');
    if (!needsRefill('account', grants, usage.highestInGrants)) return written;
    const block = nextAccountBlock(allocator.next);
    const pending: PendingGrant = { stationId, grantNo: nextGrantNo(grants), from: block.from, to: block.to, at: context.now().toISOString() };
    // The allocator moves first: from here on the block is this grant's, even if we stop now.
    if (!(await writeAllocator(context.central, { ...allocator, next: block.next, pending }))) continue;
    const done = await writePendingGrant(context, pending);
    if (done) written.push(done);
    await clearPending(context.central, pending);
    return written;
  }
}
