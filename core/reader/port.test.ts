import { describe, expect, it } from 'vitest';
import { HOST_ERRORS, READER_STATUS_ERRORS, fail, ok, serialOfHeader, type ReaderErrorCode } from './port.js';

describe('reader port helpers', () => {
  it('reads the card serial from header bytes 0x08..0x0F as upper-case hex', () => {
    const header = new Uint8Array(32);
    header.set([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef], 8);
    expect(serialOfHeader(header)).toBe('0123456789ABCDEF');
    expect(serialOfHeader(new Uint8Array(15))).toBeUndefined();
  });

  it('builds results that never throw', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(fail('WRONG_PSC', 'no', 2)).toEqual({ ok: false, error: { code: 'WRONG_PSC', message: 'no', attemptsLeft: 2 } });
    expect(fail('TIMEOUT', 'late')).toEqual({ ok: false, error: { code: 'TIMEOUT', message: 'late' } });
  });

  it('keeps protocol and host error codes apart', () => {
    const all: ReaderErrorCode[] = [...READER_STATUS_ERRORS, ...HOST_ERRORS];
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(['CARD_CHANGED', 'PSC_ATTEMPTS_LOW', 'READBACK_MISMATCH', 'CARD_REMOVED', 'DISCONNECTED']));
  });
});
