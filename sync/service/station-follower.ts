/**
 * Follows one station database (`td-station-<id>`) from the checkpoint central keeps for it
 * (`checkpoint:<stationId>` in td-central, saved after each batch) and does, per batch:
 * - copies of `ledger:` and `cardwrite:` documents into the district ledger, with the station's
 *   own revisions (`new_edits: false`): a copy made twice is one document at one revision;
 * - the audit head (`station-head:<stationId>`);
 * - the station's number usage (receipts, account openings), kept in the checkpoint;
 * - master-data events, applied one at a time (so in order per account), each answered once
 *   with an `event-outcome` in the station's inbox.
 * Every step is idempotent, so a batch done again after a crash before its checkpoint changes nothing.
 */
import { accountDocSchema, auditRecordDocSchema, docId } from '../../core/schema/documents.js';
import type { AccountDoc } from '../../core/schema/documents.js';
import { classifyMasterEvent, decideMasterEvent, eventAccountNo, eventOutcomeDoc } from '../../core/sync/events.js';
import type { MasterEvent } from '../../core/sync/events.js';
import { dbName, CENTRAL_DB } from '../../core/sync/layout.js';
import { higher, higherInGrants } from '../../core/sync/ranges.js';
import { advanceHead, emptyHead } from './audit-head.js';
import type { HeadState } from './audit-head.js';
import type { Database, StoredDoc } from './database.js';
import { errorText, getOrNull, isConflict, putOnce } from './database.js';
import { emptyUsage, readGrants } from './grants.js';
import type { Grant, StationUsage } from './grants.js';

export interface DirectoryEntry {
  readonly stationId: string;
  readonly district: string;
  readonly name: string;
  readonly kind: string;
  readonly receiptPrefix: string;
}

export interface PendingEvent {
  readonly docId: string;
  /** Passes that found no account for it so far. */
  readonly attempts: number;
}

export interface CheckpointDoc {
  _id: string;
  _rev?: string;
  type: 'service-checkpoint';
  stationId: string;
  since: number | string;
  usage: StationUsage;
  /** Events that found no account yet (its opening may come later in some feed); retried each pass. */
  pendingEvents: PendingEvent[];
  updatedAt: string;
}

/** How many passes an event that finds no account waits before it is rejected 'no-account'. */
export const NO_ACCOUNT_ATTEMPTS = 5;
export const DEFAULT_BATCH_SIZE = 200;

export const checkpointId = (stationId: string) => `checkpoint:${stationId}`;
export const stationHeadId = (stationId: string) => `station-head:${stationId}`;

export interface FollowContext {
  readonly db: (name: string) => Database;
  readonly now: () => Date;
  readonly log: (line: string) => void;
  readonly mayWork: () => boolean;
  readonly batchSize: number;
}

export async function readCheckpoint(central: Database, stationId: string): Promise<CheckpointDoc> {
  const doc = await getOrNull(central, checkpointId(stationId));
  if (doc === null) {
    return { _id: checkpointId(stationId), type: 'service-checkpoint', stationId, since: 0, usage: emptyUsage(), pendingEvents: [], updatedAt: '' };
  }
  return doc as unknown as CheckpointDoc;
}

/** Follows the station to the end of its changes feed. Returns the checkpoint it ended at and how many documents it read. */
export async function followStation(context: FollowContext, entry: DirectoryEntry): Promise<{ checkpoint: CheckpointDoc; docs: number }> {
  const central = context.db(CENTRAL_DB);
  const station = context.db(dbName.station(entry.stationId));
  let checkpoint = await readCheckpoint(central, entry.stationId);
  let retried = false;
  let read = 0;
  for (;;) {
    if (!context.mayWork()) break;
    const feed = await station.changes({ since: checkpoint.since, limit: context.batchSize, include_docs: true });
    const retry = retried ? [] : checkpoint.pendingEvents;
    if (feed.results.length === 0 && retry.length === 0) break;
    retried = true;
    const docs: StoredDoc[] = [];
    for (const change of feed.results) if (!change.deleted && change.doc) docs.push(change.doc);
    read += docs.length;
    const next = await processBatch(context, entry, checkpoint, docs, retry);
    next.since = feed.results.length === 0 ? checkpoint.since : feed.last_seq;
    next.updatedAt = context.now().toISOString();
    if (!context.mayWork()) break;
    const saved = await central.put({ ...next });
    checkpoint = { ...next, _rev: saved.rev };
    if (feed.results.length === 0) break;
  }
  return { checkpoint, docs: read };
}

function isCopied(id: string): boolean {
  return id.startsWith('ledger:') || id.startsWith('cardwrite:');
}

async function processBatch(
  context: FollowContext,
  entry: DirectoryEntry,
  checkpoint: CheckpointDoc,
  docs: readonly StoredDoc[],
  retry: readonly PendingEvent[],
): Promise<CheckpointDoc> {
  const central = context.db(CENTRAL_DB);
  const station = context.db(dbName.station(entry.stationId));
  const inbox = context.db(dbName.inbox(entry.stationId));

  await copyToDistrictLedger(context, entry, docs.filter((doc) => isCopied(doc._id)));

  await recordAuditHead(context, central, entry.stationId, docs);

  const accountGrants = await readGrants(inbox, entry.stationId, 'account');
  const receiptGrants = await readGrants(inbox, entry.stationId, 'receipt');
  const usage = foldUsage(checkpoint.usage, docs, entry.stationId, receiptGrants, accountGrants);

  // Openings first: a card issued for an account opened in the same batch needs the account.
  const openings: MasterEvent[] = [];
  const others: MasterEvent[] = [];
  for (const doc of docs) {
    const event = classifyMasterEvent(doc);
    if (event === 'malformed') context.log(`${entry.stationId}: ${doc._id} does not parse as a master-data event; skipped`);
    else if (event !== null && event.doc.stationId !== entry.stationId) context.log(`${entry.stationId}: ${doc._id} names station ${event.doc.stationId}; skipped`);
    else if (event?.kind === 'account-opening') openings.push(event);
    else if (event !== null) others.push(event);
  }
  const retried: { event: MasterEvent; attempts: number }[] = [];
  for (const pending of retry) {
    const doc = await getOrNull(station, pending.docId);
    const event = doc === null ? null : classifyMasterEvent(doc);
    if (event !== null && event !== 'malformed') retried.push({ event, attempts: pending.attempts });
  }
  const queue = [...openings.map((event) => ({ event, attempts: 0 })), ...retried, ...others.map((event) => ({ event, attempts: 0 }))];
  const pendingEvents: PendingEvent[] = [];
  for (const { event, attempts } of queue) {
    if (!context.mayWork()) break;
    const result = await applyEvent(context, entry, event, accountGrants, attempts + 1 >= NO_ACCOUNT_ATTEMPTS);
    if (result === 'retry') pendingEvents.push({ docId: event.doc._id, attempts: attempts + 1 });
  }
  return { ...checkpoint, usage, pendingEvents };
}

async function copyToDistrictLedger(context: FollowContext, entry: DirectoryEntry, docs: readonly StoredDoc[]): Promise<void> {
  if (docs.length === 0) return;
  const station = context.db(dbName.station(entry.stationId));
  // With revs, each document carries `_revisions`: the copy keeps the station's revision history.
  const fetched = await station.bulkGet({ docs: docs.map((doc) => ({ id: doc._id, rev: doc._rev })), revs: true });
  const copies: StoredDoc[] = [];
  for (const result of fetched.results) {
    for (const item of result.docs) {
      if ('ok' in item) copies.push(item.ok);
      else throw new Error(`${entry.stationId}: cannot read ${result.id} to copy it: ${errorText(item.error)}`);
    }
  }
  // A cardwrite has no accountNo; it belongs with its entry, in the station's district.
  const results = await context.db(dbName.districtLedger(entry.district)).bulkDocs(copies, { new_edits: false });
  const failed = results.filter((r) => 'error' in r);
  if (failed.length > 0) throw new Error(`${entry.stationId}: ${failed.length} ledger copies failed: ${errorText(failed[0])}`);
}

async function recordAuditHead(context: FollowContext, central: Database, stationId: string, docs: readonly StoredDoc[]): Promise<void> {
  const links = [];
  for (const doc of docs) {
    if (!doc._id.startsWith('audit:')) continue;
    const parsed = auditRecordDocSchema.safeParse(doc);
    if (parsed.success && parsed.data.stationId === stationId) links.push({ seq: parsed.data.seq, hash: parsed.data.hash, prevHash: parsed.data.prevHash });
    else context.log(`${stationId}: audit record ${doc._id} does not parse; not counted in the head`);
  }
  if (links.length === 0) return;
  for (;;) {
    const current = await getOrNull(central, stationHeadId(stationId));
    const head: HeadState = current === null ? emptyHead : (current as unknown as HeadState);
    const next = advanceHead({ seq: head.seq, hash: head.hash, brokenAt: head.brokenAt }, links);
    if (next.seq === head.seq && current !== null) return;
    const doc = {
      _id: stationHeadId(stationId),
      ...(current === null ? {} : { _rev: current._rev }),
      type: 'station-head',
      stationId,
      seq: next.seq,
      hash: next.hash,
      linked: next.brokenAt === null,
      brokenAt: next.brokenAt,
      lastSeenAt: context.now().toISOString(),
    };
    try {
      await central.put(doc);
      if (next.brokenAt !== null && head.brokenAt === null) context.log(`${stationId}: audit chain does not link at seq ${next.brokenAt}`);
      return;
    } catch (error: unknown) {
      if (!isConflict(error)) throw error;
    }
  }
}

function foldUsage(
  previous: StationUsage,
  docs: readonly StoredDoc[],
  stationId: string,
  receiptGrants: readonly Grant[],
  accountGrants: readonly Grant[],
): StationUsage {
  const usage: StationUsage = { receipt: { ...previous.receipt }, account: { ...previous.account } };
  for (const doc of docs) {
    if (doc['stationId'] !== stationId) continue;
    if (doc._id.startsWith('receipt:') && typeof doc['seq'] === 'number') {
      const seq = doc['seq'];
      usage.receipt = { highest: higher(usage.receipt.highest, seq), highestInGrants: higherInGrants(usage.receipt.highestInGrants, seq, receiptGrants) };
    } else if (doc._id.startsWith('account-opening:') && typeof doc['accountNo'] === 'string') {
      const no = Number(doc['accountNo']);
      if (Number.isSafeInteger(no)) {
        usage.account = { highest: higher(usage.account.highest, no), highestInGrants: higherInGrants(usage.account.highestInGrants, no, accountGrants) };
      }
    }
  }
  return usage;
}

/** Applies one event and records its outcome; 'retry' when it found no account and may wait for one. */
async function applyEvent(
  context: FollowContext,
  entry: DirectoryEntry,
  event: MasterEvent,
  accountGrants: readonly Grant[],
  lastAttempt: boolean,
): Promise<'done' | 'retry'> {
  const inbox = context.db(dbName.inbox(entry.stationId));
  const outcomeId = docId.eventOutcome(event.doc._id);
  if ((await getOrNull(inbox, outcomeId)) !== null) return 'done';
  const master = context.db(dbName.master(entry.district));
  const accountId = docId.account(eventAccountNo(event));
  for (;;) {
    const raw = await getOrNull(master, accountId);
    let current: AccountDoc | null = null;
    if (raw !== null) {
      const parsed = accountDocSchema.safeParse(raw);
      if (!parsed.success) context.log(`${accountId} in ${master.name} does not parse; applying ${event.doc._id} to it as it is`);
      current = parsed.success ? parsed.data : (raw as unknown as AccountDoc);
    }
    const decision = decideMasterEvent(current, event, { accountGrants });
    if (decision.outcome === 'rejected' && decision.reason === 'no-account' && !lastAttempt) return 'retry';
    if (decision.nextAccount !== null) {
      const { _rev: _old, ...next } = decision.nextAccount;
      try {
        await master.put(raw === null ? next : { ...next, _rev: raw._rev });
      } catch (error: unknown) {
        // Someone changed the account since we read it: decide again on what it is now.
        if (isConflict(error)) continue;
        throw error;
      }
    }
    await putOnce(inbox, { ...eventOutcomeDoc(event, decision, context.now().toISOString()) });
    context.log(
      `${entry.stationId}: ${event.kind} ${event.doc._id} ${decision.outcome}${decision.reason === null ? '' : ` (${decision.reason})`}`,
    );
    return 'done';
  }
}
