/**
 * Where this station's receipt and account numbers come from. A standalone station uses the
 * ranges in station.json, as before. A station that syncs uses the blocks central grants it
 * (`range-grant:<stationId>:<kind>:<grantNo>` docs, pulled from its inbox into master), in grantNo
 * order: the counter (`station-range:<stationId>:<kind>`) names the grant in use by its from/to,
 * and when that grant is used up the counter moves to the next grant in the same bulkDocs that
 * takes the number. With no grant left the station refuses (换号段: sync for a new range); it
 * never falls back to the configured range, whose numbers central may have handed to another
 * station.
 */
import { rangeIsLow, type NumberRangeUsage } from '../../core/contract/sync.js';
import type { RangeGrantDoc, StationRangeDoc } from '../../core/schema/documents.js';
import { readDocument } from '../../core/schema/upgrades.js';
import { numbersLeft, rangeFor, type Stored } from './account-opening.js';
import { scanPrefix, type Database } from './database.js';

export type RangeKind = StationRangeDoc['kind'];

export class RangeBook {
  private readonly grants: Record<RangeKind, RangeGrantDoc[]> = { account: [], receipt: [] };

  /**
   * `fromGrants`: central hands the numbers out (sync configured); else station.json does.
   * `demoFallback`: a demo station keeps station.json's ranges until its first grant arrives, so
   * `npm start` sells without `npm run central` running; a real station never does.
   */
  constructor(
    private readonly stationId: string,
    readonly fromGrants: boolean,
    private readonly demoFallback = false,
  ) {}

  /** Whether numbers come from grants right now (false: station.json's range). */
  private usingGrants(kind: RangeKind): boolean {
    return this.fromGrants && !(this.demoFallback && this.grants[kind].length === 0);
  }

  /** Reads every grant of this station from the local master copy. */
  async load(master: Database): Promise<void> {
    if (!this.fromGrants) return;
    for (const kind of ['account', 'receipt'] as const) {
      for await (const page of scanPrefix(master, `range-grant:${this.stationId}:${kind}:`)) {
        for (const doc of page) this.add(doc);
      }
    }
  }

  /** Learns a grant (from the start-up scan or master's changes feed); anything else is ignored. */
  add(doc: unknown): boolean {
    const parsed = readDocument('range-grant', doc);
    if (!parsed.success || parsed.data.stationId !== this.stationId || parsed.data.to < parsed.data.from) return false;
    const list = this.grants[parsed.data.kind];
    if (list.some((grant) => grant.grantNo === parsed.data.grantNo)) return false;
    list.push(parsed.data);
    list.sort((a, b) => a.grantNo - b.grantNo);
    return true;
  }

  grantsOf(kind: RangeKind): readonly RangeGrantDoc[] {
    return this.grants[kind];
  }

  /**
   * The counter to take the next number from: the configured range (standalone), or the grant in
   * use, or the next grant once it is used up. Null: no range at all. A counter whose `next` is
   * past its `to` is used up with nothing after it. Returned, not written.
   */
  current(kind: RangeKind, configured: { readonly from: number; readonly to: number } | null, stored: Stored<StationRangeDoc> | null, now: Date): Stored<StationRangeDoc> | null {
    if (!this.usingGrants(kind)) return rangeFor(this.stationId, kind, configured, stored, now);
    const grants = this.grants[kind];
    const at = stored === null ? -1 : grants.findIndex((grant) => grant.from === stored.from && grant.to === stored.to);
    if (stored !== null && at >= 0) {
      if (stored.next <= stored.to) return stored;
      const following = grants[at + 1];
      return following === undefined ? stored : rangeFor(this.stationId, kind, following, stored, now);
    }
    const first = grants[0];
    // No grant yet: a counter from station.json stays shut (its numbers are not central's to promise).
    if (first === undefined) return stored === null ? null : { ...stored, next: Math.max(stored.next, stored.to + 1) };
    return rangeFor(this.stationId, kind, first, stored, now);
  }

  /** Numbers left in the counter and in every grant after it, and whether to warn. */
  usage(kind: RangeKind, counter: Stored<StationRangeDoc> | null): NumberRangeUsage {
    const inCounter = counter === null ? 0 : numbersLeft(counter);
    const currentSize = counter === null ? 0 : counter.to - counter.from + 1;
    let waiting = 0;
    let later = 0;
    const grantsNow = this.usingGrants(kind);
    if (grantsNow && counter !== null) {
      const grants = this.grants[kind];
      const at = grants.findIndex((grant) => grant.from === counter.from && grant.to === counter.to);
      for (const grant of at >= 0 ? grants.slice(at + 1) : grants) {
        waiting += 1;
        later += grant.to - grant.from + 1;
      }
    }
    const left = inCounter + later;
    // Syncing, no grant at all is the lowest there is; standalone, no configured range means none is wanted.
    const low = grantsNow ? rangeIsLow(left, currentSize) : counter !== null && rangeIsLow(left, currentSize);
    return { source: grantsNow ? 'grants' : 'config', left, currentSize, low, grantsWaiting: waiting };
  }
}
