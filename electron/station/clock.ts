import type { Clock } from '../../core/time/local-date.js';

/**
 * A clock that starts at a chosen instant and then runs at real speed: the demo and the e2e
 * tests set `TONGDA_FAKE_NOW` so bills are overdue by a known number of days, while timeouts
 * and idle locks still work.
 */
export function startingAtClock(startIso: string): Clock {
  const start = Date.parse(startIso);
  if (Number.isNaN(start)) throw new Error(`not an instant: ${startIso}`);
  const realStart = Date.now();
  return { now: () => new Date(start + (Date.now() - realStart)) };
}

export function clockFromEnvironment(env: NodeJS.ProcessEnv): Clock | undefined {
  const fake = env['TONGDA_FAKE_NOW'];
  return fake ? startingAtClock(fake) : undefined;
}
