/**
 * The account as this station shows it: master's document (a pure copy of central, never
 * written here) with what the station did that central has not applied yet laid over it.
 *
 * - An account opened here and not yet in master: the account inside the `account-opening`
 *   document.
 * - A card issued for the account (here, or at another station of the district, whose entries
 *   arrive in the LedgerIndex from the district ledger) with a generation master does not know
 *   yet: the newest such 'card-issue' entry's serial and generation.
 * - An ownership transfer 过户 made here that central has not answered (no `outcome:` document
 *   in master yet): the newest one's new owner, marked pending. A rejected one is shown as such
 *   and master's owner stays. An applied one whose account update has not been pulled yet still
 *   shows its new owner (the outcome and the account come from two central databases).
 *
 * Nothing here writes: the overlay is recomputed from the documents, so a pull never conflicts
 * with a local edit and a station without central works as before (its own openings and cards
 * are visible through the overlay).
 */
import type { IndexedAccount } from '../../core/search/account-index.js';
import type { TransferView } from '../../core/contract/transfer.js';
import { maskIdNumber } from '../../core/identity/id-number.js';
import { docId, type AccountDoc, type EventOutcomeDoc, type LedgerEntryDoc, type OwnershipTransferDoc } from '../../core/schema/documents.js';
import { readDocument } from '../../core/schema/upgrades.js';
import type { StationContext } from './context.js';
import { getOrNull, scanPrefix } from './database.js';

export interface TransferWithOutcome {
  readonly transfer: OwnershipTransferDoc;
  readonly outcome: EventOutcomeDoc | null;
}

export interface EffectiveAccount {
  /** What the station shows and works with. */
  readonly account: AccountDoc;
  /** Where the base came from: central's copy, or this station's opening central has not applied yet. */
  readonly source: 'master' | 'opening';
  /** This station's transfer central has not decided (its new owner is in `account`). */
  readonly pendingTransfer: TransferWithOutcome | null;
  /** This station's transfers of the account, newest first, with central's answers. */
  readonly transfers: readonly TransferWithOutcome[];
}

/** This station's transfer documents by account, loaded once per station from the station database. */
class TransferBook {
  private readonly byAccount = new Map<string, OwnershipTransferDoc[]>();
  private readonly ids = new Set<string>();

  add(doc: OwnershipTransferDoc): void {
    if (this.ids.has(doc._id)) return;
    this.ids.add(doc._id);
    const list = this.byAccount.get(doc.accountNo) ?? [];
    list.push(doc);
    list.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.eventId < b.eventId ? 1 : -1));
    this.byAccount.set(doc.accountNo, list);
  }

  forAccount(accountNo: string): readonly OwnershipTransferDoc[] {
    return this.byAccount.get(accountNo) ?? [];
  }

  accounts(): string[] {
    return [...this.byAccount.keys()];
  }

  all(): OwnershipTransferDoc[] {
    return [...this.byAccount.values()].flat();
  }
}

const books = new WeakMap<StationContext, Promise<TransferBook>>();
/** The same books once loaded, for the synchronous check below. */
const loadedBooks = new WeakMap<StationContext, TransferBook>();

function transferBook(ctx: StationContext): Promise<TransferBook> {
  let book = books.get(ctx);
  if (!book) {
    book = (async () => {
      const loaded = new TransferBook();
      for await (const page of scanPrefix(ctx.dbs.station, 'transfer:')) {
        for (const doc of page) {
          const parsed = readDocument('ownership-transfer', doc);
          if (parsed.success) loaded.add(parsed.data);
        }
      }
      loadedBooks.set(ctx, loaded);
      return loaded;
    })();
    books.set(ctx, book);
  }
  return book;
}

/** Learns of a transfer this station just wrote (call after its bulkDocs). */
export async function rememberTransfer(ctx: StationContext, doc: OwnershipTransferDoc): Promise<void> {
  (await transferBook(ctx)).add(doc);
}

async function outcomeOf(ctx: StationContext, transfer: OwnershipTransferDoc): Promise<EventOutcomeDoc | null> {
  const parsed = readDocument('event-outcome', await getOrNull(ctx.dbs.master, docId.eventOutcome(transfer._id)));
  return parsed.success ? parsed.data : null;
}

/** This station's transfers of one account, newest first, each with central's answer if it came. */
export async function transfersOf(ctx: StationContext, accountNo: string): Promise<TransferWithOutcome[]> {
  const book = await transferBook(ctx);
  return Promise.all(book.forAccount(accountNo).map(async (transfer) => ({ transfer, outcome: await outcomeOf(ctx, transfer) })));
}

/** Every transfer of this station, newest first, with central's answers. */
export async function allTransfers(ctx: StationContext): Promise<TransferWithOutcome[]> {
  const book = await transferBook(ctx);
  const all = book.all().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return Promise.all(all.map(async (transfer) => ({ transfer, outcome: await outcomeOf(ctx, transfer) })));
}

export function transferView(item: TransferWithOutcome): TransferView {
  const { transfer, outcome } = item;
  return {
    eventId: transfer.eventId,
    accountNo: transfer.accountNo,
    at: transfer.at,
    operator: transfer.operator,
    previousOwnerName: transfer.previousOwner.name,
    newOwnerName: transfer.newOwner.name,
    newOwnerIdMasked: maskIdNumber(transfer.newOwner.idNumber),
    documentsSeen: [...transfer.documentsSeen],
    feeEntryId: transfer.feeEntryId,
    state: outcome === null ? 'pending' : outcome.outcome,
    reason: outcome?.reason ?? null,
    detail: outcome?.detail ?? null,
    decidedAt: outcome?.at ?? null,
  };
}

/**
 * The newest 'card-issue' entry master does not know yet: a higher generation, or the same
 * generation while master still has no card (the first card is generation 0).
 */
export function newerCardIssue(account: AccountDoc, entries: readonly LedgerEntryDoc[]): LedgerEntryDoc | null {
  const generation = account.cardGeneration ?? 0;
  let newest: LedgerEntryDoc | null = null;
  for (const entry of entries) {
    const issue = entry.cardIssue;
    if (entry.kind !== 'card-issue' || !issue) continue;
    const unknown = issue.generation > generation || (issue.generation === generation && account.cardSerial === null);
    if (!unknown) continue;
    const best = newest?.cardIssue;
    if (!newest || !best || issue.generation > best.generation || (issue.generation === best.generation && (entry.at > newest.at || (entry.at === newest.at && entry.entryId > newest.entryId)))) {
      newest = entry;
    }
  }
  return newest;
}

const sameOwner = (account: AccountDoc, owner: { readonly name: string; readonly idNumber: string }) => account.ownerName === owner.name && account.idNumber === owner.idNumber;

/** The account with this station's not-yet-applied changes laid over it; null when neither master nor an opening here has it. */
export async function effectiveAccount(ctx: StationContext, accountNo: string): Promise<EffectiveAccount | null> {
  let base: AccountDoc | null = null;
  let source: EffectiveAccount['source'] = 'master';
  const fromMaster = readDocument('account', await getOrNull(ctx.dbs.master, docId.account(accountNo)));
  if (fromMaster.success) {
    base = fromMaster.data;
  } else {
    const opening = readDocument('account-opening', await getOrNull(ctx.dbs.station, docId.accountOpening(accountNo)));
    if (opening.success) {
      base = opening.data.account;
      source = 'opening';
    }
  }
  if (base === null) return null;
  const { _rev: _ignored, ...plain } = base as AccountDoc & { _rev?: string };
  let account: AccountDoc = plain;

  const card = newerCardIssue(account, ctx.ledger.forAccount(accountNo));
  if (card?.cardIssue) account = { ...account, cardSerial: card.cardIssue.serial, cardGeneration: card.cardIssue.generation };

  const transfers = await transfersOf(ctx, accountNo);
  const pending = transfers.find((item) => item.outcome === null) ?? null;
  const newestApplied = transfers.find((item) => item.outcome?.outcome === 'applied');
  const shown = pending ?? (newestApplied && sameOwner(account, newestApplied.transfer.previousOwner) ? newestApplied : null);
  if (shown) {
    const owner = shown.transfer.newOwner;
    account = { ...account, ownerName: owner.name, idNumber: owner.idNumber, phone: owner.phone };
  }
  return { account, source, pendingTransfer: pending, transfers };
}

export function toIndexed(account: AccountDoc): IndexedAccount {
  return {
    accountNo: account.accountNo,
    ownerName: account.ownerName,
    idNumber: account.idNumber,
    phone: account.phone,
    address: account.address,
    districtName: account.districtName,
    meterNo: account.meterNo,
    cardSerial: account.cardSerial,
    meterKind: account.meterKind,
    status: account.status,
  };
}

const refreshing = new WeakMap<StationContext, Promise<void>>();

/**
 * Puts the effective account into the search index (or takes it out when nothing knows it).
 * Call when an opening, card issue or transfer is committed here, and when master (an account or
 * an outcome) or the district ledger (another station's card issue) changes. Refreshes run one
 * after another, so an older computation never lands after a newer one.
 */
export function refreshAccountIndex(ctx: StationContext, accountNo: string): Promise<void> {
  const before = refreshing.get(ctx) ?? Promise.resolve();
  const run = before.then(async () => {
    const effective = await effectiveAccount(ctx, accountNo);
    if (effective === null) ctx.accounts.remove(accountNo);
    else ctx.accounts.upsert(toIndexed(effective.account));
  });
  const settled = run.catch(() => undefined);
  refreshing.set(ctx, settled);
  return run;
}

/**
 * Start-up: the accounts whose effective account differs from master's (openings here, card
 * issues, transfers) go into the index as the station shows them. The master scan has already
 * indexed master's documents.
 */
export async function loadAccountOverlay(ctx: StationContext): Promise<number> {
  const touched = new Set<string>();
  for await (const page of scanPrefix(ctx.dbs.station, 'account-opening:')) {
    for (const doc of page) {
      const parsed = readDocument('account-opening', doc);
      if (parsed.success) touched.add(parsed.data.accountNo);
    }
  }
  for (const entry of ctx.ledger.cardIssues()) touched.add(entry.accountNo);
  for (const accountNo of (await transferBook(ctx)).accounts()) touched.add(accountNo);
  for (const accountNo of touched) await refreshAccountIndex(ctx, accountNo);
  return touched.size;
}

/**
 * False only when nothing of this station can be laid over the account (no transfer made here, no
 * card issue in the ledger): then master's document is what the index shows, and the master feed
 * indexes it as it comes, without reading it again. A pull of a whole district is that case for
 * nearly every account.
 */
export function mayBeOverlaid(ctx: StationContext, accountNo: string): boolean {
  const book = loadedBooks.get(ctx);
  if (!book) return true;
  return book.forAccount(accountNo).length > 0 || ctx.ledger.forAccount(accountNo).some((entry) => entry.kind === 'card-issue');
}

/** The account number a master change is about, for `refreshAccountIndex`: an account, or an outcome of an event. */
export function accountNoOfMasterChange(id: string, doc: unknown): string | null {
  if (id.startsWith('account:')) return id.slice('account:'.length);
  if (id.startsWith('outcome:') && typeof doc === 'object' && doc !== null) {
    const accountNo = (doc as { accountNo?: unknown }).accountNo;
    return typeof accountNo === 'string' ? accountNo : null;
  }
  return null;
}
