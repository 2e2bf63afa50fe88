/**
 * Time for core: an injected clock and calendar-date arithmetic.
 *
 * The ledger stores instants in UTC; people see and reason in the customer's local calendar
 * (Asia/Shanghai unless a station says otherwise). Local dates are plain `YYYY-MM-DD` strings
 * so they compare correctly as strings and survive JSON unchanged. Date arithmetic is done on
 * the calendar alone (UTC day numbers), never through the host's time zone, so a van whose
 * laptop is set to the wrong zone still computes the same overdue days as the hall.
 */

/** Core never calls `new Date()` itself: time comes in through this, so tests can fix it. */
export interface Clock {
  now(): Date;
}

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(iso: string): void;
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const MS_PER_DAY = 86_400_000;

export const systemClock: Clock = {
  now: () => new Date(),
};

// An explicit Z or offset is required: "2026-01-01T08:00" would be read in the host's zone,
// and a test that passes on one machine would fail on another.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function parseInstant(iso: string): number {
  const ms = ISO_INSTANT.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO instant with a zone: "${iso}"`);
  return ms;
}

/** A clock stopped at `iso`. Each call returns a fresh Date so a caller mutating it changes nothing. */
export function fixedClock(iso: string): Clock {
  const ms = parseInstant(iso);
  return { now: () => new Date(ms) };
}

/** A clock that moves only when told to: for idle-lock, quote-expiry and overdue tests. */
export function manualClock(startIso: string): ManualClock {
  let ms = parseInstant(startIso);
  return {
    now: () => new Date(ms),
    advance(by: number) {
      if (!Number.isFinite(by)) throw new RangeError(`cannot advance a clock by ${by} ms`);
      ms += by;
    },
    set(iso: string) {
      ms = parseInstant(iso);
    },
  };
}

// Building a DateTimeFormat is far slower than using one; the search and bill views call this
// for every row.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      // h23, not hour12: false: some ICU versions print midnight as "24" with the latter.
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface LocalParts {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
  readonly second: string;
}

function localParts(instant: Date, timeZone: string): LocalParts {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid Date');
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const get = (type: string): string => {
    const value = parts[type];
    if (value === undefined) throw new RangeError(`Intl gave no ${type} for ${instant.toISOString()}`);
    return value;
  };
  return {
    year: get('year').padStart(4, '0'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** The calendar date of `instant` in `timeZone`, `YYYY-MM-DD`. */
export function localDateOf(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** `YYYY-MM-DD HH:mm:ss` in `timeZone`: what receipts and screens show. */
export function localDateTimeOf(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a calendar date, or null if it is not a real date. */
function dayNumber(date: string): number | null {
  const match = LOCAL_DATE.exec(date);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  // Date rolls 02-30 over into March; a real date comes back unchanged.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return Math.round(d.getTime() / MS_PER_DAY);
}

function requireDayNumber(date: string): number {
  const n = dayNumber(date);
  if (n === null) throw new RangeError(`not a calendar date YYYY-MM-DD: "${date}"`);
  return n;
}

/** A real calendar date written `YYYY-MM-DD` (so "2026-02-30" is not one). */
export function isLocalDate(s: string): boolean {
  return dayNumber(s) !== null;
}

/** Calendar days from `fromDate` to `toDate`; negative when `toDate` is earlier. */
export function daysBetween(fromDate: string, toDate: string): number {
  return requireDayNumber(toDate) - requireDayNumber(fromDate);
}

/** The calendar date `n` days after `date` (before it when `n` is negative). */
export function addDays(date: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`days must be an integer, got ${n}`);
  const d = new Date((requireDayNumber(date) + n) * MS_PER_DAY);
  const year = d.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) throw new RangeError(`${date} + ${n} days leaves the years 0000–9999`);
  const month = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${month}-${day}`;
}
