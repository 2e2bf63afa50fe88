/**
 * Master-data events from stations (an account opened, a card issued, an ownership transfer 过户)
 * and the rules the central service applies them by. Pure: given the account as master holds it
 * now (or null) and the event, the decision and the account to write. The service only reads,
 * writes and records the outcome (sync/service/events-io.ts).
 *
 * Every rule is idempotent: applying an event again to the account it produced answers 'applied'
 * with nothing to write, so a service that stopped between the master write and the outcome
 * write records the same outcome when it runs again.
 */
import {
  accountOpeningDocSchema,
  CURRENT_SCHEMA_VERSION,
  docId,
  ledgerEntryDocSchema,
  ownershipTransferDocSchema,
} from '../schema/documents.js';
import type { AccountDoc, AccountOpeningDoc, EventOutcomeDoc, LedgerEntryDoc, OwnershipTransferDoc } from '../schema/documents.js';
import { openingNumberAllowed } from './ranges.js';
import type { GrantedRange } from './ranges.js';

export type CardIssue = NonNullable<LedgerEntryDoc['cardIssue']>;

export type MasterEvent =
  | { readonly kind: 'account-opening'; readonly doc: AccountOpeningDoc }
  | { readonly kind: 'card-issue'; readonly doc: LedgerEntryDoc; readonly cardIssue: CardIssue }
  | { readonly kind: 'ownership-transfer'; readonly doc: OwnershipTransferDoc };

export type MasterEventKind = MasterEvent['kind'];

/** Why central refused an event; the station names each in its own words. */
export const EVENT_REJECT_REASONS = ['account-exists', 'number-not-granted', 'card-superseded', 'no-account', 'owner-changed'] as const;
export type EventRejectReason = (typeof EVENT_REJECT_REASONS)[number];

export type EventDecision =
  | {
      readonly outcome: 'applied';
      readonly reason: null;
      readonly detail: null;
      /** The account to write to master (without `_rev`), or null when master already shows the event. */
      readonly nextAccount: AccountDoc | null;
    }
  | { readonly outcome: 'rejected'; readonly reason: EventRejectReason; readonly detail: string; readonly nextAccount: null };

export interface EventContext {
  /** The station's account-number grants, for an opening's number check. */
  readonly accountGrants: readonly (GrantedRange & { readonly at: string })[];
}

/**
 * The master-data event a station document is, if it is one. `malformed` when the id says it is
 * an event but the document does not parse: it cannot be applied, and is logged.
 */
export function classifyMasterEvent(doc: { readonly _id: string; readonly [field: string]: unknown }): MasterEvent | 'malformed' | null {
  if (doc._id.startsWith('account-opening:')) {
    const parsed = accountOpeningDocSchema.safeParse(doc);
    return parsed.success ? { kind: 'account-opening', doc: parsed.data } : 'malformed';
  }
  if (doc._id.startsWith('transfer:')) {
    const parsed = ownershipTransferDocSchema.safeParse(doc);
    return parsed.success ? { kind: 'ownership-transfer', doc: parsed.data } : 'malformed';
  }
  if (doc._id.startsWith('ledger:')) {
    // Only card issues change master; every other entry is money, which lives in the ledgers.
    if (doc['kind'] !== 'card-issue') return null;
    const parsed = ledgerEntryDocSchema.safeParse(doc);
    if (!parsed.success || parsed.data.cardIssue === undefined) return 'malformed';
    return { kind: 'card-issue', doc: parsed.data, cardIssue: parsed.data.cardIssue };
  }
  return null;
}

export function eventAccountNo(event: MasterEvent): string {
  return event.doc.accountNo;
}

const applied = (nextAccount: AccountDoc | null): EventDecision => ({ outcome: 'applied', reason: null, detail: null, nextAccount });
const rejected = (reason: EventRejectReason, detail: string): EventDecision => ({ outcome: 'rejected', reason, detail, nextAccount: null });

export function decideMasterEvent(current: AccountDoc | null, event: MasterEvent, context: EventContext): EventDecision {
  switch (event.kind) {
    case 'account-opening':
      return decideOpening(current, event.doc, context);
    case 'card-issue':
      return decideCardIssue(current, event.cardIssue);
    case 'ownership-transfer':
      return decideTransfer(current, event.doc);
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

function decideOpening(current: AccountDoc | null, opening: AccountOpeningDoc, context: EventContext): EventDecision {
  const wanted = opening.account;
  if (current !== null) {
    const same = current.ownerName === wanted.ownerName && current.idNumber === wanted.idNumber && current.meterNo === wanted.meterNo;
    return same ? applied(null) : rejected('account-exists', `account ${opening.accountNo} already exists for another customer`);
  }
  if (!openingNumberAllowed(Number(opening.accountNo), opening.at, context.accountGrants)) {
    return rejected('number-not-granted', `account number ${opening.accountNo} is not in a range granted to station ${opening.stationId}`);
  }
  const { _rev: _ignored, ...account } = wanted;
  return applied({ ...account, _id: docId.account(opening.accountNo), accountNo: opening.accountNo });
}

function decideCardIssue(current: AccountDoc | null, issue: CardIssue): EventDecision {
  if (current === null) return rejected('no-account', 'the account does not exist on central');
  const generation = current.cardGeneration ?? 0;
  if (issue.generation === generation && current.cardSerial === issue.serial) return applied(null);
  // Generation 0 is the first card: it replaces nothing, so an account without a card takes it.
  if (issue.generation > generation || (issue.generation === generation && current.cardSerial === null)) {
    return applied({ ...current, cardSerial: issue.serial, cardGeneration: issue.generation });
  }
  return rejected('card-superseded', `a newer card (generation ${generation}) was issued for the account first`);
}

function decideTransfer(current: AccountDoc | null, transfer: OwnershipTransferDoc): EventDecision {
  if (current === null) return rejected('no-account', 'the account does not exist on central');
  if (current['lastTransferEventId'] === transfer.eventId) return applied(null);
  if (current.ownerName !== transfer.previousOwner.name || current.idNumber !== transfer.previousOwner.idNumber) {
    return rejected('owner-changed', 'the account was transferred to another owner first');
  }
  return applied({
    ...current,
    ownerName: transfer.newOwner.name,
    idNumber: transfer.newOwner.idNumber,
    phone: transfer.newOwner.phone,
    // Lets a run after a crash between the master write and the outcome see it was applied.
    lastTransferEventId: transfer.eventId,
  });
}

/** The `event-outcome` document for the station's inbox. */
export function eventOutcomeDoc(event: MasterEvent, decision: EventDecision, at: string): EventOutcomeDoc {
  return {
    _id: docId.eventOutcome(event.doc._id),
    type: 'event-outcome',
    schemaVersion: CURRENT_SCHEMA_VERSION['event-outcome'],
    stationId: event.doc.stationId,
    eventDocId: event.doc._id,
    eventKind: event.kind,
    accountNo: event.doc.accountNo,
    outcome: decision.outcome,
    reason: decision.reason,
    detail: decision.detail,
    at,
  };
}
