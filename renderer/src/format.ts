/** Dates and times as the counter shows them: always in the station's zone, never the PC's. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (found === undefined) {
    try {
      found = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      // An unknown zone name from a misconfigured station: China has one zone, use it.
      found = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Shanghai',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    }
    formatters.set(timeZone, found);
  }
  return found;
}

interface Parts {
  readonly date: string;
  readonly minutes: string;
  readonly seconds: string;
}

function parts(instant: Date, timeZone: string): Parts {
  const map = new Map<string, string>();
  for (const part of formatter(timeZone).formatToParts(instant)) map.set(part.type, part.value);
  const get = (type: string): string => map.get(type) ?? '00';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  const minutes = `${get('hour')}:${get('minute')}`;
  return { date, minutes, seconds: `${minutes}:${get('second')}` };
}

/** `2025-03-14 09:05` for a UTC instant from the ledger. */
export function formatInstant(iso: string, timeZone: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  const p = parts(instant, timeZone);
  return `${p.date} ${p.minutes}`;
}

/** `2025-03-14 09:05:07` for the status bar clock. */
export function formatClock(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.date} ${p.seconds}`;
}
