/**
 * Ledger entries by account, in memory, built from the station database (and, when syncing, the
 * district ledger pulled from central: every station's entries for the district) at start and
 * kept current from their changes feeds and, for this station's own commits, at once after the write.
 */
import type { CardWriteDoc, LedgerEntryDoc } from '../../core/schema/documents.js';

export class LedgerIndex {
  private readonly byAccount = new Map<string, LedgerEntryDoc[]>();
  private readonly byId = new Map<string, LedgerEntryDoc>();
  private readonly reversals = new Map<string, LedgerEntryDoc>();
  private readonly cardWrites = new Map<string, CardWriteDoc>();
  private readonly byTicket = new Map<string, LedgerEntryDoc[]>();

  /** Adds an entry; a second add of the same id is ignored (entries are immutable). */
  add(entry: LedgerEntryDoc): boolean {
    if (this.byId.has(entry.entryId)) return false;
    this.byId.set(entry.entryId, entry);
    const list = this.byAccount.get(entry.accountNo);
    if (list) list.push(entry);
    else this.byAccount.set(entry.accountNo, [entry]);
    if (entry.ticket !== undefined) {
      const served = this.byTicket.get(entry.ticket.ticketId);
      if (served) served.push(entry);
      else this.byTicket.set(entry.ticket.ticketId, [entry]);
    }
    if (entry.reversal !== null) {
      const earlier = this.reversals.get(entry.reversal.reversesEntryId);
      if (!earlier || entry.at < earlier.at) this.reversals.set(entry.reversal.reversesEntryId, entry);
    }
    return true;
  }

  get(entryId: string): LedgerEntryDoc | undefined {
    return this.byId.get(entryId);
  }

  /** Records that a card holds an entry's record (idempotent). */
  addCardWrite(doc: CardWriteDoc): void {
    if (!this.cardWrites.has(doc.entryId)) this.cardWrites.set(doc.entryId, doc);
  }

  cardWriteOf(entryId: string): CardWriteDoc | undefined {
    return this.cardWrites.get(entryId);
  }

  /**
   * `stationId`'s top-ups whose card write is not confirmed and that were not reversed. Only the
   * station that sold one may finish it from the card: the index also holds other stations'
   * entries pulled from the district ledger, whose card-writes may not have arrived yet.
   */
  unfinishedTopups(stationId: string): LedgerEntryDoc[] {
    const unfinished: LedgerEntryDoc[] = [];
    for (const entry of this.byId.values()) {
      if (entry.kind === 'top-up' && entry.stationId === stationId && !this.cardWrites.has(entry.entryId) && !this.reversals.has(entry.entryId)) unfinished.push(entry);
    }
    return unfinished.sort((a, b) => (a.at < b.at ? -1 : 1));
  }

  /**
   * Top-ups of `stationId` made at or after `since` (all when null) and not reversed: what the
   * offline limits count. One made in the very millisecond of the last sync counts too (it may not
   * have been in that push): the limit errs on the safe side.
   */
  topupsSince(stationId: string, since: string | null): LedgerEntryDoc[] {
    const found: LedgerEntryDoc[] = [];
    for (const entry of this.byId.values()) {
      if (entry.kind === 'top-up' && entry.stationId === stationId && (since === null || entry.at >= since) && !this.reversals.has(entry.entryId)) found.push(entry);
    }
    return found;
  }

  /** Every 'card-issue' entry (cards issued and replaced), for start-up's reconciliation with master. */
  cardIssues(): LedgerEntryDoc[] {
    return [...this.byId.values()].filter((entry) => entry.kind === 'card-issue');
  }

  /** The reversal that cancelled `entryId`, if one is known. */
  reversalOf(entryId: string): LedgerEntryDoc | undefined {
    return this.reversals.get(entryId);
  }

  /** Entries stamped with a hall ticket (at any station of the district), oldest first. */
  forTicket(ticketId: string): LedgerEntryDoc[] {
    return [...(this.byTicket.get(ticketId) ?? [])].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  forAccount(accountNo: string): readonly LedgerEntryDoc[] {
    return this.byAccount.get(accountNo) ?? [];
  }

  get size(): number {
    return this.byId.size;
  }
}
