/**
 * Local calendar dates as day numbers, for demo data only. Dates here are wall-calendar dates
 * (no time zone is involved), so UTC arithmetic on midnight is exact and needs no clock.
 */

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new Error(`not a YYYY-MM-DD date: "${date}"`);
  const [, y = '', m = '', d = ''] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const back = new Date(ms);
  if (back.getUTCDate() !== Number(d) || back.getUTCMonth() !== Number(m) - 1) throw new Error(`no such date: "${date}"`);
  return Math.round(ms / MS_PER_DAY);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The `YYYY-MM-DD` of a day number. */
export function formatDay(day: number): string {
  const date = new Date(day * MS_PER_DAY);
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

/** `YYYYMMDD` as printed inside an ID number. */
export function compactDay(day: number): string {
  const date = new Date(day * MS_PER_DAY);
  return `${date.getUTCFullYear()}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}`;
}

/** Months since year 0 (year × 12 + month − 1): periods as integers. */
export function monthIndexOfDay(day: number): number {
  const date = new Date(day * MS_PER_DAY);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

/** `YYYY-MM` of a month index. */
export function formatPeriod(monthIndex: number): string {
  return `${Math.floor(monthIndex / 12)}-${pad2((monthIndex % 12) + 1)}`;
}

/** Day number of a given day of the month `monthIndex`. */
export function dayOfMonth(monthIndex: number, dayInMonth: number): number {
  return Math.round(Date.UTC(Math.floor(monthIndex / 12), monthIndex % 12, dayInMonth) / MS_PER_DAY);
}
