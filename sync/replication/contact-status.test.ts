import { describe, expect, it } from 'vitest';
import { afterFailure, afterSuccess, NEVER_CONTACTED, readContactStatus } from './contact-status.js';

describe('contact status', () => {
  it('goes off line at the first failure and stays off line since then', () => {
    const ok = afterSuccess(NEVER_CONTACTED, '2026-11-21T01:00:00.000Z');
    const first = afterFailure(ok, '2026-11-21T02:00:00.000Z', 'ECONNREFUSED');
    const second = afterFailure(first, '2026-11-21T03:00:00.000Z', 'ETIMEDOUT');
    expect(second).toEqual({
      online: false,
      lastSuccessAt: '2026-11-21T01:00:00.000Z',
      offlineSince: '2026-11-21T02:00:00.000Z',
      lastError: { at: '2026-11-21T03:00:00.000Z', message: 'ETIMEDOUT' },
    });
    const back = afterSuccess(second, '2026-11-21T04:00:00.000Z');
    expect(back).toEqual({ online: true, lastSuccessAt: '2026-11-21T04:00:00.000Z', offlineSince: null, lastError: second.lastError });
  });

  it('a station that never reached central is off line since its first try', () => {
    expect(afterFailure(NEVER_CONTACTED, '2026-11-21T02:00:00.000Z', 'x').offlineSince).toBe('2026-11-21T02:00:00.000Z');
  });

  it('reads a stored status leniently', () => {
    expect(readContactStatus(null)).toEqual(NEVER_CONTACTED);
    expect(readContactStatus({ online: 'yes', lastSuccessAt: 5, offlineSince: '2026-11-21T02:00:00.000Z', lastError: { at: 1 } })).toEqual({
      online: false,
      lastSuccessAt: null,
      offlineSince: '2026-11-21T02:00:00.000Z',
      lastError: null,
    });
  });
});
