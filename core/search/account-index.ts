/**
 * In-memory account lookup for the counter's one search box, sized for a big utility:
 * 1.2 million accounts, answers in milliseconds, well under 1.5 GB of heap, kept current one
 * document at a time from the database's changes feed.
 *
 * DESIGN
 *
 * Ordinals and columns. Each indexed version of an account gets an ordinal (0, 1, 2, …) and its
 * fields live in parallel columns (string arrays, typed arrays). One object per account would
 * cost a header and hidden-class slots each, and postings would have to hold pointers; with
 * ordinals, postings are Int32Arrays.
 *
 * Immutable ordinals. An ordinal's searchable strings (name, address, phone, meter number, card
 * serial) never change. An upsert that changes any of them retires the old ordinal (marks it
 * dead) and appends a new one; an upsert that changes only display fields (ID number, district,
 * meter kind, status) updates the columns in place. So:
 *   - every posting list is sorted by ordinal (ordinals only grow, each is posted once, when it is
 *     created), which makes intersections and unions linear merges with no de-duplication set;
 *   - a posting list is never wrong about a live ordinal; dead ones are skipped by one flag test.
 * Dead ordinals cost memory until `compact()` renumbers the live ones; it runs by itself when a
 * quarter of the ordinals are dead (a station sees few renames, so this is rare).
 *
 * Why positional postings. The first design checked every candidate's string (name.includes,
 * address.includes). At 1.2M accounts those strings are scattered over a 600 MB heap, so each
 * check is a cache miss or two; "蜀山区" (240,000 accounts) took ~40 ms on the target machine.
 * Now text matching never touches a string: postings carry the position of each gram, and a
 * phrase matches where its grams sit at consecutive positions (a merge of sorted lists with
 * galloping cursors over typed arrays). Ranking needs only typed columns too (the name's length,
 * a numeric sort key of the account number), so strings are read for the final `limit` results
 * only. Totals stay exact, because positional phrase matching is exact.
 *
 * Keys.
 *   - account number, meter number, card serial: Maps to the live ordinal (exact lookups);
 *   - phone: 10,000 buckets by the last four digits. Exact phone and phone-tail queries (4-10
 *     digits) read one bucket (~120 ordinals at 1.2M) and check the phone strings; no Map of
 *     1.2M phone strings is needed;
 *   - account-number prefix (a query of 6 or more digits matches accounts whose longer number
 *     starts with it): buckets by the first 6 and first 8 characters, checked with startsWith.
 *     It lets a clerk type the first digits of a number read off an old receipt; it ranks after
 *     every exact hit and after phone tails, which clerks use far more;
 *   - owner name: positional postings per character (UTF-16 code unit). Names are 2-4
 *     characters (shop names longer), so ~3 postings each; a surname is the common query;
 *   - address: positional postings per character bigram. Every address contains 路, 号, 区 or 村,
 *     so single characters would select nearly everything; bigrams are selective ("长江", "5栋").
 *     An address query therefore needs at least two characters.
 *
 * Query. The query is folded (full-width ASCII to half-width, ASCII letters to upper case, as
 * are the indexed names and addresses), split on whitespace into terms, and an account matches
 * when EVERY term matches one of its fields. A term of letters and digits only (dashes dropped)
 * is an identifier (account, meter, card, phone, phone tail, account prefix); anything else is
 * text (name contains, or address contains). Each term yields a sorted list of (ordinal, best
 * rank); the lists are intersected, or, when one term is very selective, its few hits are
 * checked against the other terms' strings. `total` counts every distinct live match exactly;
 * the best `limit` are kept in a bounded max-heap (no sort of the whole match set).
 *
 * Ranking (best first): exact account number, exact meter number, exact card serial, exact
 * phone, exact full name, name starts with the query (surname), name contains it, phone tail,
 * account-number prefix, address contains it. An account's rank is its best field over all
 * terms; `matchedOn` names that field. Ties go by account number, so results are deterministic.
 */
import type { AccountSummary, SearchMatch, SearchResult } from '../contract/views.js';
import { maskIdNumber, maskPhone } from '../identity/id-number.js';
import type { AccountStatus, MeterKind } from '../schema/primitives.js';

export interface IndexedAccount {
  readonly accountNo: string;
  readonly ownerName: string;
  readonly idNumber: string;
  readonly phone: string;
  readonly address: string;
  readonly districtName: string;
  readonly meterNo: string;
  readonly cardSerial: string | null;
  readonly meterKind: MeterKind;
  readonly status: AccountStatus;
}

export const DEFAULT_SEARCH_LIMIT = 20;

/** Ranks, best first. Each maps to the field reported as `matchedOn`. */
const RANK = {
  accountNo: 0,
  meterNo: 1,
  cardSerial: 2,
  phone: 3,
  nameExact: 4,
  namePrefix: 5,
  nameContains: 6,
  phoneTail: 7,
  accountPrefix: 8,
  address: 9,
} as const;
const NO_MATCH = -1;
const RANK_FIELD: readonly SearchMatch[] = ['accountNo', 'meterNo', 'cardSerial', 'phone', 'name', 'name', 'name', 'phone', 'accountNo', 'address'];

const PHONE_TAIL_MIN = 4;
const PHONE_TAIL_MAX = 10;
const ACCOUNT_PREFIX_MIN = 6;
const ACCOUNT_PREFIX_LONG = 8;
/** Positions are stored in a byte; text beyond it is not indexed (the schema caps addresses at 128). */
const MAX_POSITION = 255;
/** Below this many hits for the most selective term, the other terms are checked on strings instead of merged. */
const VERIFY_THRESHOLD = 2_000;

// Flag byte per ordinal. Kind and status are small codes so a display-only update is one byte.
const ALIVE = 1;
const KIND_SHIFT = 1;
const STATUS_SHIFT = 2;
const METER_KINDS: readonly MeterKind[] = ['prepaid-card', 'post-paid'];
const STATUSES: readonly AccountStatus[] = ['active', 'suspended', 'closed'];

function meterKindCode(kind: MeterKind): number {
  switch (kind) {
    case 'prepaid-card':
      return 0;
    case 'post-paid':
      return 1;
  }
}

function statusCode(status: AccountStatus): number {
  switch (status) {
    case 'active':
      return 0;
    case 'suspended':
      return 1;
    case 'closed':
      return 2;
  }
}

/** A growable list of ordinals (phone tails, account prefixes). */
class Postings {
  data: Int32Array;
  length = 0;

  constructor(capacity = 4) {
    this.data = new Int32Array(capacity);
  }

  push(ordinal: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(Math.max(8, Math.ceil(this.data.length * 1.5)));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = ordinal;
    this.length += 1;
  }

  trim(): void {
    if (this.data.length > this.length) this.data = this.data.slice(0, this.length);
  }
}

/**
 * A growable list of (ordinal, position) pairs, sorted by ordinal then position. 1.5× growth
 * keeps slack at ~25% on average; `compact()` trims it.
 */
class PositionalPostings {
  ordinals: Int32Array;
  positions: Uint8Array;
  length = 0;

  constructor(capacity = 4) {
    this.ordinals = new Int32Array(capacity);
    this.positions = new Uint8Array(capacity);
  }

  push(ordinal: number, position: number): void {
    if (this.length === this.ordinals.length) {
      const capacity = Math.max(8, Math.ceil(this.ordinals.length * 1.5));
      const ordinals = new Int32Array(capacity);
      ordinals.set(this.ordinals);
      this.ordinals = ordinals;
      const positions = new Uint8Array(capacity);
      positions.set(this.positions);
      this.positions = positions;
    }
    this.ordinals[this.length] = ordinal;
    this.positions[this.length] = position;
    this.length += 1;
  }

  trim(): void {
    if (this.ordinals.length > this.length) {
      this.ordinals = this.ordinals.slice(0, this.length);
      this.positions = this.positions.slice(0, this.length);
    }
  }
}

/** Matches of one term: ordinals ascending, each once, with the best rank this term gives it. */
class Hits {
  ordinals: Int32Array;
  ranks: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.ordinals = new Int32Array(Math.max(1, capacity));
    this.ranks = new Uint8Array(Math.max(1, capacity));
  }

  add(ordinal: number, rank: number): void {
    this.ordinals[this.length] = ordinal;
    this.ranks[this.length] = rank;
    this.length += 1;
  }
}

const NO_HITS = new Hits(0);

type Term = { readonly kind: 'identifier'; readonly text: string; readonly digitsOnly: boolean } | { readonly kind: 'text'; readonly text: string };

const FOLDABLE = /[\uFF01-\uFF5E\u3000a-z]/;

/**
 * Full-width ASCII (what Chinese IMEs type) to half-width, ASCII letters to upper case. Length
 * preserving, which the positional postings rely on.
 */
function fold(text: string): string {
  if (!FOLDABLE.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    let c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
    else if (c === 0x3000) c = 0x20;
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    out += String.fromCharCode(c);
  }
  return out;
}

function parseTerms(query: string): Term[] {
  const terms: Term[] = [];
  const seen = new Set<string>();
  for (const raw of fold(query).split(/\s+/)) {
    // Phone numbers are often typed with dashes (0551-65123456, 138-1234-5678).
    const text = /^[0-9A-Z-]+$/.test(raw) ? raw.replace(/-/g, '') : raw;
    if (text === '' || seen.has(text)) continue;
    seen.add(text);
    if (/^[0-9A-Z]+$/.test(text)) terms.push({ kind: 'identifier', text, digitsOnly: /^\d+$/.test(text) });
    else terms.push({ kind: 'text', text });
  }
  return terms;
}

function last4(phone: string): number {
  const n = phone.length;
  if (n < 4) return -1;
  let value = 0;
  for (let i = n - 4; i < n; i += 1) {
    const d = phone.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The account number's first 15 characters as a base-11 number (digit + 1, 0 past the end):
 * compares exactly like the strings do, without reading them. 11^15 < 2^53, so it is exact.
 * −1 when the number has a non-digit (then the strings are compared).
 */
function sortKeyOf(accountNo: string): number {
  let key = 0;
  for (let i = 0; i < 15; i += 1) {
    let digit = 0;
    if (i < accountNo.length) {
      digit = accountNo.charCodeAt(i) - 47;
      if (digit < 1 || digit > 10) return -1;
    }
    key = key * 11 + digit;
  }
  return key;
}

/** (ordinal, position) as one number for ordered comparisons; < 2^39, exact in a double. */
function pairKey(list: PositionalPostings, i: number): number {
  return (list.ordinals[i] ?? 0) * 256 + (list.positions[i] ?? 0);
}

/** First index ≥ from whose pair is ≥ target: exponential then binary search, so a rare list skips fast through a long one. */
function seek(list: PositionalPostings, from: number, target: number): number {
  const length = list.length;
  if (from >= length || pairKey(list, from) >= target) return from;
  let lo = from;
  let step = 1;
  let hi = lo + 1;
  while (hi < length && pairKey(list, hi) < target) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > length) hi = length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (pairKey(list, mid) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Sorted-by-ordinal union of two hit lists, keeping each ordinal's better rank. */
function union(a: Hits, b: Hits): Hits {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Hits(a.length + b.length);
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const oa = a.ordinals[i] ?? 0;
    const ob = b.ordinals[j] ?? 0;
    if (oa < ob) {
      out.add(oa, a.ranks[i] ?? 0);
      i += 1;
    } else if (ob < oa) {
      out.add(ob, b.ranks[j] ?? 0);
      j += 1;
    } else {
      out.add(oa, Math.min(a.ranks[i] ?? 0, b.ranks[j] ?? 0));
      i += 1;
      j += 1;
    }
  }
  for (; i < a.length; i += 1) out.add(a.ordinals[i] ?? 0, a.ranks[i] ?? 0);
  for (; j < b.length; j += 1) out.add(b.ordinals[j] ?? 0, b.ranks[j] ?? 0);
  return out;
}

/** Sorted-by-ordinal intersection of two hit lists, keeping each ordinal's better rank. */
function intersect(a: Hits, b: Hits): Hits {
  const out = new Hits(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const oa = a.ordinals[i] ?? 0;
    const ob = b.ordinals[j] ?? 0;
    if (oa < ob) i += 1;
    else if (ob < oa) j += 1;
    else {
      out.add(oa, Math.min(a.ranks[i] ?? 0, b.ranks[j] ?? 0));
      i += 1;
      j += 1;
    }
  }
  return out;
}

export class AccountIndex {
  // Columns, indexed by ordinal.
  private accountNos: string[] = [];
  private names: string[] = [];
  private addresses: string[] = [];
  private phones: string[] = [];
  private meterNos: string[] = [];
  private cardSerials: (string | null)[] = [];
  /** Masked already: the index never needs the full ID number, so it never holds it. */
  private idMasked: string[] = [];
  private districts: string[] = [];
  private flags = new Uint8Array(1024);
  /** Folded name length (capped at 255): "exact full name" is decided without reading the name. */
  private nameLengths = new Uint8Array(1024);
  private sortKeys = new Float64Array(1024);
  private ordinals = 0;
  private dead = 0;

  /** District names repeat 1.2M times over a dozen values; keep one copy of each. */
  private districtPool = new Map<string, string>();

  private byAccountNo = new Map<string, number>();
  private byMeterNo = new Map<string, number>();
  private byCardSerial = new Map<string, number>();
  private phoneTails: (Postings | undefined)[] = new Array<Postings | undefined>(10_000);
  private accountPrefixes = new Map<string, Postings>();
  private nameChars = new Map<number, PositionalPostings>();
  private addressBigrams = new Map<number, PositionalPostings>();

  /** Live accounts. */
  get size(): number {
    return this.byAccountNo.size;
  }

  has(accountNo: string): boolean {
    return this.byAccountNo.has(accountNo);
  }

  /** Adds the account, or replaces the one with the same account number. */
  upsert(account: IndexedAccount): void {
    const existing = this.byAccountNo.get(account.accountNo);
    const cardSerial = account.cardSerial === null ? null : account.cardSerial.toUpperCase();
    if (existing !== undefined) {
      if (
        this.names[existing] === account.ownerName &&
        this.addresses[existing] === account.address &&
        this.phones[existing] === account.phone &&
        this.meterNos[existing] === account.meterNo &&
        this.cardSerials[existing] === cardSerial
      ) {
        // Nothing searchable changed: update the display columns in place, keep the ordinal.
        this.idMasked[existing] = maskIdNumber(account.idNumber);
        this.districts[existing] = this.intern(account.districtName);
        this.flags[existing] = this.flagsFor(account);
        return;
      }
      this.retire(existing);
    }
    this.appendColumns(
      account.accountNo,
      account.ownerName,
      account.address,
      account.phone,
      account.meterNo,
      cardSerial,
      maskIdNumber(account.idNumber),
      account.districtName,
      this.flagsFor(account),
    );
    this.maybeCompact();
  }

  remove(accountNo: string): void {
    const existing = this.byAccountNo.get(accountNo);
    if (existing === undefined) return;
    this.retire(existing);
    this.byAccountNo.delete(accountNo);
    this.maybeCompact();
  }

  /**
   * Renumbers the live accounts and rebuilds every posting list without dead ordinals, then
   * trims spare capacity. Runs by itself when a quarter of the ordinals are dead; a host may
   * also call it once after a bulk load to give back the growth slack.
   */
  compact(): void {
    const old = {
      count: this.ordinals,
      accountNos: this.accountNos,
      names: this.names,
      addresses: this.addresses,
      phones: this.phones,
      meterNos: this.meterNos,
      cardSerials: this.cardSerials,
      idMasked: this.idMasked,
      districts: this.districts,
      flags: this.flags,
    };
    this.reset(this.size);
    for (let ordinal = 0; ordinal < old.count; ordinal += 1) {
      const flags = old.flags[ordinal] ?? 0;
      if ((flags & ALIVE) === 0) continue;
      this.appendColumns(
        old.accountNos[ordinal] ?? '',
        old.names[ordinal] ?? '',
        old.addresses[ordinal] ?? '',
        old.phones[ordinal] ?? '',
        old.meterNos[ordinal] ?? '',
        old.cardSerials[ordinal] ?? null,
        old.idMasked[ordinal] ?? '',
        old.districts[ordinal] ?? '',
        flags,
      );
    }
    for (const postings of this.phoneTails) postings?.trim();
    for (const postings of this.accountPrefixes.values()) postings.trim();
    for (const postings of this.nameChars.values()) postings.trim();
    for (const postings of this.addressBigrams.values()) postings.trim();
  }

  /**
   * The accounts matching `query`, best first. `total` is exact; `results` holds at most
   * `limit` (default 20). An empty or blank query matches nothing.
   */
  search(query: string, limit: number = DEFAULT_SEARCH_LIMIT): SearchResult {
    const terms = parseTerms(query);
    const wanted = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : DEFAULT_SEARCH_LIMIT;
    if (terms.length === 0) return { total: 0, results: [] };
    const hits = this.matchAll(terms);

    const flags = this.flags;
    const heapOrdinals = new Int32Array(wanted);
    const heapRanks = new Int32Array(wanted);
    let heapSize = 0;
    let total = 0;
    const ordinals = hits.ordinals;
    const ranks = hits.ranks;
    for (let i = 0; i < hits.length; i += 1) {
      const ordinal = ordinals[i] ?? 0;
      if (((flags[ordinal] ?? 0) & ALIVE) === 0) continue;
      total += 1;
      if (wanted === 0) continue;
      const rank = ranks[i] ?? 0;
      if (heapSize < wanted) {
        // Sift up: the heap's root is the worst result kept so far.
        let child = heapSize;
        heapSize += 1;
        while (child > 0) {
          const parent = (child - 1) >> 1;
          const parentOrdinal = heapOrdinals[parent] ?? 0;
          const parentRank = heapRanks[parent] ?? 0;
          if (this.compare(parentRank, parentOrdinal, rank, ordinal) >= 0) break;
          heapOrdinals[child] = parentOrdinal;
          heapRanks[child] = parentRank;
          child = parent;
        }
        heapOrdinals[child] = ordinal;
        heapRanks[child] = rank;
      } else if (this.compare(rank, ordinal, heapRanks[0] ?? 0, heapOrdinals[0] ?? 0) < 0) {
        // Better than the worst kept: replace the root and sift down.
        let parent = 0;
        for (;;) {
          const left = 2 * parent + 1;
          if (left >= heapSize) break;
          const right = left + 1;
          let worst = left;
          if (right < heapSize && this.compare(heapRanks[right] ?? 0, heapOrdinals[right] ?? 0, heapRanks[left] ?? 0, heapOrdinals[left] ?? 0) > 0) {
            worst = right;
          }
          if (this.compare(heapRanks[worst] ?? 0, heapOrdinals[worst] ?? 0, rank, ordinal) <= 0) break;
          heapOrdinals[parent] = heapOrdinals[worst] ?? 0;
          heapRanks[parent] = heapRanks[worst] ?? 0;
          parent = worst;
        }
        heapOrdinals[parent] = ordinal;
        heapRanks[parent] = rank;
      }
    }

    const kept: { readonly ordinal: number; readonly rank: number }[] = [];
    for (let i = 0; i < heapSize; i += 1) kept.push({ ordinal: heapOrdinals[i] ?? 0, rank: heapRanks[i] ?? 0 });
    kept.sort((a, b) => this.compare(a.rank, a.ordinal, b.rank, b.ordinal));
    return { total, results: kept.map(({ ordinal, rank }) => this.summary(ordinal, rank)) };
  }

  // ---- matching -------------------------------------------------------------------------------

  /** Ordinals (live or dead) matching every term, ascending, with their best rank. */
  private matchAll(terms: readonly Term[]): Hits {
    if (terms.length === 1) return this.termHits(terms[0] as Term);
    // Start from the term with the smallest candidate lists.
    const ordered = terms
      .map((term) => ({ term, estimate: this.estimate(term) }))
      .sort((a, b) => a.estimate - b.estimate)
      .map(({ term }) => term);
    let hits = this.termHits(ordered[0] as Term);
    for (let t = 1; t < ordered.length && hits.length > 0; t += 1) {
      const term = ordered[t] as Term;
      if (hits.length <= VERIFY_THRESHOLD) {
        // Few candidates left: reading their strings is cheaper than building this term's hits.
        const narrowed = new Hits(hits.length);
        for (let i = 0; i < hits.length; i += 1) {
          const ordinal = hits.ordinals[i] ?? 0;
          const rank = this.match(term, ordinal);
          if (rank !== NO_MATCH) narrowed.add(ordinal, Math.min(rank, hits.ranks[i] ?? 0));
        }
        hits = narrowed;
      } else {
        hits = intersect(hits, this.termHits(term));
      }
    }
    return hits;
  }

  /** An upper bound on a term's hits, from its posting lengths, without matching. */
  private estimate(term: Term): number {
    switch (term.kind) {
      case 'identifier': {
        const q = term.text;
        let estimate = 3;
        if (term.digitsOnly && q.length >= PHONE_TAIL_MIN) estimate += this.phoneTails[last4(q)]?.length ?? 0;
        if (term.digitsOnly && q.length >= ACCOUNT_PREFIX_MIN) estimate += this.prefixBucket(q)?.length ?? 0;
        return estimate;
      }
      case 'text': {
        const q = term.text;
        let names = Infinity;
        for (let i = 0; i < q.length; i += 1) names = Math.min(names, this.nameChars.get(q.charCodeAt(i))?.length ?? 0);
        let addresses = q.length >= 2 ? Infinity : 0;
        for (let i = 0; i + 1 < q.length; i += 1) {
          addresses = Math.min(addresses, this.addressBigrams.get(q.charCodeAt(i) * 65536 + q.charCodeAt(i + 1))?.length ?? 0);
        }
        return names + addresses;
      }
    }
  }

  private prefixBucket(q: string): Postings | undefined {
    return this.accountPrefixes.get(q.length >= ACCOUNT_PREFIX_LONG ? q.slice(0, ACCOUNT_PREFIX_LONG) : q.slice(0, ACCOUNT_PREFIX_MIN));
  }

  /** Every ordinal one term matches, ascending, with its best rank. */
  private termHits(term: Term): Hits {
    switch (term.kind) {
      case 'identifier': {
        // Few candidates (exact hits, one phone bucket, one prefix bucket): check their strings.
        const q = term.text;
        const candidates: number[] = [];
        const byAccount = this.byAccountNo.get(q);
        if (byAccount !== undefined) candidates.push(byAccount);
        const byMeter = this.byMeterNo.get(q);
        if (byMeter !== undefined) candidates.push(byMeter);
        const byCard = q.length === 16 ? this.byCardSerial.get(q) : undefined;
        if (byCard !== undefined) candidates.push(byCard);
        const lists: Postings[] = [];
        if (term.digitsOnly && q.length >= PHONE_TAIL_MIN) {
          const bucket = this.phoneTails[last4(q)];
          if (bucket) lists.push(bucket);
        }
        if (term.digitsOnly && q.length >= ACCOUNT_PREFIX_MIN) {
          const bucket = this.prefixBucket(q);
          if (bucket) lists.push(bucket);
        }
        for (const list of lists) for (let i = 0; i < list.length; i += 1) candidates.push(list.data[i] ?? 0);
        candidates.sort((a, b) => a - b);
        const hits = new Hits(candidates.length);
        let previous = -1;
        for (const ordinal of candidates) {
          if (ordinal === previous) continue;
          previous = ordinal;
          const rank = this.match(term, ordinal);
          if (rank !== NO_MATCH) hits.add(ordinal, rank);
        }
        return hits;
      }
      case 'text': {
        const q = term.text;
        const names = this.phrase(this.nameChars, q, 1);
        const nameLengths = this.nameLengths;
        for (let i = 0; i < names.length; i += 1) {
          // phrase() left the first start position in ranks: 0 means the name starts with q.
          const ordinal = names.ordinals[i] ?? 0;
          names.ranks[i] = names.ranks[i] !== 0 ? RANK.nameContains : nameLengths[ordinal] === q.length ? RANK.nameExact : RANK.namePrefix;
        }
        if (q.length < 2) return names;
        const addresses = this.phrase(this.addressBigrams, q, 2);
        addresses.ranks.fill(RANK.address, 0, addresses.length);
        return union(names, addresses);
      }
    }
  }

  /**
   * Ordinals whose field contains `q`, from positional postings of `gram`-character grams:
   * q's grams must sit at consecutive positions. The rarest gram's list drives; the others are
   * probed with galloping cursors. `ranks` holds each ordinal's first start position (capped).
   */
  private phrase(map: Map<number, PositionalPostings>, q: string, gram: 1 | 2): Hits {
    const grams = q.length - gram + 1;
    const lists: PositionalPostings[] = [];
    let driver = 0;
    for (let g = 0; g < grams; g += 1) {
      const key = gram === 1 ? q.charCodeAt(g) : q.charCodeAt(g) * 65536 + q.charCodeAt(g + 1);
      const list = map.get(key);
      if (!list || list.length === 0) return NO_HITS;
      lists.push(list);
      if (list.length < (lists[driver]?.length ?? Infinity)) driver = g;
    }
    const drive = lists[driver] as PositionalPostings;
    const hits = new Hits(drive.length);
    const cursors = new Array<number>(grams).fill(0);
    let last = -1;
    for (let i = 0; i < drive.length; i += 1) {
      const ordinal = drive.ordinals[i] ?? 0;
      const start = (drive.positions[i] ?? 0) - driver;
      // Beyond MAX_POSITION grams are not indexed, so such a phrase cannot be confirmed (and the
      // pair key would overflow into the next ordinal).
      if (start < 0 || start + grams - 1 > MAX_POSITION || ordinal === last) continue;
      let found = true;
      for (let g = 0; g < grams && found; g += 1) {
        if (g === driver) continue;
        const list = lists[g] as PositionalPostings;
        const target = ordinal * 256 + start + g;
        const at = seek(list, cursors[g] ?? 0, target);
        cursors[g] = at;
        found = at < list.length && pairKey(list, at) === target;
      }
      if (!found) continue;
      hits.add(ordinal, Math.min(start, 255));
      last = ordinal;
    }
    return hits;
  }

  /** The best rank at which `term` matches the ordinal, from its strings, or NO_MATCH. */
  private match(term: Term, ordinal: number): number {
    switch (term.kind) {
      case 'identifier': {
        const q = term.text;
        const accountNo = this.accountNos[ordinal] ?? '';
        if (accountNo === q) return RANK.accountNo;
        const meterNo = this.meterNos[ordinal] ?? '';
        if (meterNo.length === q.length && meterNo.toUpperCase() === q) return RANK.meterNo;
        if (this.cardSerials[ordinal] === q) return RANK.cardSerial;
        if (!term.digitsOnly) return NO_MATCH;
        const phone = this.phones[ordinal] ?? '';
        if (phone === q) return RANK.phone;
        if (q.length >= PHONE_TAIL_MIN && q.length <= PHONE_TAIL_MAX && phone.endsWith(q)) return RANK.phoneTail;
        if (q.length >= ACCOUNT_PREFIX_MIN && q.length < accountNo.length && accountNo.startsWith(q)) return RANK.accountPrefix;
        return NO_MATCH;
      }
      case 'text': {
        const q = term.text;
        const name = fold(this.names[ordinal] ?? '');
        if (name === q) return RANK.nameExact;
        if (name.startsWith(q)) return RANK.namePrefix;
        if (name.includes(q)) return RANK.nameContains;
        if (q.length >= 2 && fold(this.addresses[ordinal] ?? '').includes(q)) return RANK.address;
        return NO_MATCH;
      }
    }
  }

  /** Result order: rank, then account number (by its numeric sort key when it has one). */
  private compare(rankA: number, ordinalA: number, rankB: number, ordinalB: number): number {
    if (rankA !== rankB) return rankA - rankB;
    const keyA = this.sortKeys[ordinalA] ?? -1;
    const keyB = this.sortKeys[ordinalB] ?? -1;
    if (keyA !== keyB && keyA >= 0 && keyB >= 0) return keyA - keyB;
    const a = this.accountNos[ordinalA] ?? '';
    const b = this.accountNos[ordinalB] ?? '';
    return a < b ? -1 : a > b ? 1 : 0;
  }

  private summary(ordinal: number, rank: number): AccountSummary {
    const flags = this.flags[ordinal] ?? 0;
    return {
      accountNo: this.accountNos[ordinal] ?? '',
      ownerName: this.names[ordinal] ?? '',
      idNumberMasked: this.idMasked[ordinal] ?? '',
      phoneMasked: maskPhone(this.phones[ordinal] ?? ''),
      address: this.addresses[ordinal] ?? '',
      districtName: this.districts[ordinal] ?? '',
      meterKind: METER_KINDS[(flags >> KIND_SHIFT) & 1] ?? 'post-paid',
      status: STATUSES[(flags >> STATUS_SHIFT) & 3] ?? 'active',
      matchedOn: RANK_FIELD[rank] ?? 'name',
    };
  }

  // ---- maintenance ----------------------------------------------------------------------------

  private intern(district: string): string {
    const pooled = this.districtPool.get(district);
    if (pooled !== undefined) return pooled;
    this.districtPool.set(district, district);
    return district;
  }

  private flagsFor(account: IndexedAccount): number {
    return ALIVE | (meterKindCode(account.meterKind) << KIND_SHIFT) | (statusCode(account.status) << STATUS_SHIFT);
  }

  private appendColumns(
    accountNo: string,
    name: string,
    address: string,
    phone: string,
    meterNo: string,
    cardSerial: string | null,
    idMasked: string,
    district: string,
    flagBits: number,
  ): void {
    const ordinal = this.ordinals;
    this.ensureCapacity(ordinal + 1);
    this.ordinals += 1;
    this.accountNos.push(accountNo);
    this.names.push(name);
    this.addresses.push(address);
    this.phones.push(phone);
    this.meterNos.push(meterNo);
    this.cardSerials.push(cardSerial);
    this.idMasked.push(idMasked);
    this.districts.push(this.intern(district));
    this.flags[ordinal] = flagBits;
    this.sortKeys[ordinal] = sortKeyOf(accountNo);

    this.byAccountNo.set(accountNo, ordinal);
    this.byMeterNo.set(meterNo.toUpperCase(), ordinal);
    if (cardSerial !== null) this.byCardSerial.set(cardSerial, ordinal);

    const tail = last4(phone);
    if (tail >= 0) {
      let bucket = this.phoneTails[tail];
      if (!bucket) {
        bucket = new Postings(16);
        this.phoneTails[tail] = bucket;
      }
      bucket.push(ordinal);
    }
    if (accountNo.length > ACCOUNT_PREFIX_MIN) this.postPrefix(accountNo.slice(0, ACCOUNT_PREFIX_MIN), ordinal);
    if (accountNo.length > ACCOUNT_PREFIX_LONG) this.postPrefix(accountNo.slice(0, ACCOUNT_PREFIX_LONG), ordinal);

    const foldedName = fold(name);
    this.nameLengths[ordinal] = Math.min(foldedName.length, 255);
    const nameEnd = Math.min(foldedName.length, MAX_POSITION + 1);
    for (let i = 0; i < nameEnd; i += 1) this.postGram(this.nameChars, foldedName.charCodeAt(i), ordinal, i);
    const foldedAddress = fold(address);
    const addressEnd = Math.min(foldedAddress.length, MAX_POSITION + 2);
    let previous = foldedAddress.charCodeAt(0);
    for (let i = 1; i < addressEnd; i += 1) {
      const current = foldedAddress.charCodeAt(i);
      this.postGram(this.addressBigrams, previous * 65536 + current, ordinal, i - 1);
      previous = current;
    }
  }

  private postPrefix(key: string, ordinal: number): void {
    let list = this.accountPrefixes.get(key);
    if (!list) {
      list = new Postings();
      this.accountPrefixes.set(key, list);
    }
    list.push(ordinal);
  }

  private postGram(map: Map<number, PositionalPostings>, key: number, ordinal: number, position: number): void {
    let list = map.get(key);
    if (!list) {
      list = new PositionalPostings();
      map.set(key, list);
    }
    list.push(ordinal, position);
  }

  private retire(ordinal: number): void {
    this.flags[ordinal] = (this.flags[ordinal] ?? 0) & ~ALIVE;
    this.dead += 1;
    const meterKey = (this.meterNos[ordinal] ?? '').toUpperCase();
    if (this.byMeterNo.get(meterKey) === ordinal) this.byMeterNo.delete(meterKey);
    const card = this.cardSerials[ordinal];
    if (card !== null && card !== undefined && this.byCardSerial.get(card) === ordinal) this.byCardSerial.delete(card);
  }

  private maybeCompact(): void {
    if (this.dead >= 1024 && this.dead * 4 >= this.ordinals) this.compact();
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.flags.length) return;
    const capacity = Math.max(needed, Math.ceil(this.flags.length * 1.5));
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
    const nameLengths = new Uint8Array(capacity);
    nameLengths.set(this.nameLengths);
    this.nameLengths = nameLengths;
    const sortKeys = new Float64Array(capacity);
    sortKeys.set(this.sortKeys);
    this.sortKeys = sortKeys;
  }

  private reset(capacity: number): void {
    this.accountNos = [];
    this.names = [];
    this.addresses = [];
    this.phones = [];
    this.meterNos = [];
    this.cardSerials = [];
    this.idMasked = [];
    this.districts = [];
    this.flags = new Uint8Array(Math.max(1024, capacity));
    this.nameLengths = new Uint8Array(Math.max(1024, capacity));
    this.sortKeys = new Float64Array(Math.max(1024, capacity));
    this.ordinals = 0;
    this.dead = 0;
    this.byAccountNo = new Map();
    this.byMeterNo = new Map();
    this.byCardSerial = new Map();
    this.phoneTails = new Array<Postings | undefined>(10_000);
    this.accountPrefixes = new Map();
    this.nameChars = new Map();
    this.addressBigrams = new Map();
  }
}
