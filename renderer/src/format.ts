/** Dates and times as the counter shows them: always in the station's zone, never the PC's. */
import { DEFAULT_TIME_ZONE, localDateTimeOf } from '../../core/time/local-date.js';

function localDateTime(instant: Date, timeZone: string): string {
  try {
    return localDateTimeOf(instant, timeZone);
  } catch {
    // An unknown zone name from a misconfigured station: China has one zone, use it.
    return localDateTimeOf(instant, DEFAULT_TIME_ZONE);
  }
}

/** `2025-03-14 09:05` for a UTC instant from the ledger. */
export function formatInstant(iso: string, timeZone: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  return localDateTime(instant, timeZone).slice(0, 16);
}

/** `2025-03-14 09:05:07` for the status bar clock. */
export function formatClock(instant: Date, timeZone: string): string {
  return localDateTime(instant, timeZone);
}
