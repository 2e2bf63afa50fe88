import { describe, expect, it } from 'vitest';
import { StatusByteError, isStatusByte, parseStatus, parseStatusBytes, statusAnswersFor, type PrinterCondition, type PrinterStatus } from './status.js';

const OK: PrinterStatus = { online: true, coverOpen: false, paperOut: false, paperNearEnd: false, error: false };

describe('DLE EOT status parsing', () => {
  it('reads an idle printer (0x12 0x12 0x12) as ok', () => {
    expect(parseStatusBytes(Uint8Array.of(0x12, 0x12, 0x12))).toEqual(OK);
  });

  it('reads the offline bit of n=1', () => {
    expect(parseStatus({ printer: 0x1a, offlineCause: 0x12, paperRoll: 0x12 })).toEqual({ ...OK, online: false });
  });

  it('ignores n=1 bits other than offline (drawer pin 3, feed button)', () => {
    expect(parseStatus({ printer: 0x12 | 0x04 | 0x40, offlineCause: 0x12, paperRoll: 0x12 })).toEqual(OK);
  });

  it('reads cover open, paper end stop and error from n=2', () => {
    expect(parseStatus({ printer: 0x1a, offlineCause: 0x16, paperRoll: 0x12 })).toEqual({ ...OK, online: false, coverOpen: true });
    expect(parseStatus({ printer: 0x1a, offlineCause: 0x32, paperRoll: 0x12 })).toEqual({ ...OK, online: false, paperOut: true });
    expect(parseStatus({ printer: 0x1a, offlineCause: 0x52, paperRoll: 0x12 })).toEqual({ ...OK, online: false, error: true });
    // Feed button held: offline, but nothing is wrong.
    expect(parseStatus({ printer: 0x1a, offlineCause: 0x1a, paperRoll: 0x12 })).toEqual({ ...OK, online: false });
  });

  it('reads near end and paper end from n=4, either bit of a pair', () => {
    expect(parseStatus({ printer: 0x12, offlineCause: 0x12, paperRoll: 0x1e })).toEqual({ ...OK, paperNearEnd: true });
    expect(parseStatus({ printer: 0x12, offlineCause: 0x12, paperRoll: 0x16 })).toEqual({ ...OK, paperNearEnd: true });
    expect(parseStatus({ printer: 0x12, offlineCause: 0x12, paperRoll: 0x72 })).toEqual({ ...OK, paperOut: true });
    expect(parseStatus({ printer: 0x12, offlineCause: 0x12, paperRoll: 0x32 })).toEqual({ ...OK, paperOut: true });
  });

  it('refuses bytes without the fixed bits', () => {
    expect(isStatusByte(0x12)).toBe(true);
    for (const bad of [0x00, 0x13, 0x92, 0x10, 0x02, 0x11, 0x100, -1]) expect(isStatusByte(bad)).toBe(false);
    expect(() => parseStatus({ printer: 0x12, offlineCause: 0x13, paperRoll: 0x12 })).toThrow(StatusByteError);
    expect(() => parseStatusBytes(Uint8Array.of(0x12, 0x12))).toThrow(RangeError);
  });

  it.each<[PrinterCondition, PrinterStatus]>([
    ['ok', OK],
    ['paper-out', { ...OK, online: false, paperOut: true, paperNearEnd: true }],
    ['cover-open', { ...OK, online: false, coverOpen: true }],
    ['offline', { ...OK, online: false, error: true }],
  ])('statusAnswersFor(%s) parses back', (condition, expected) => {
    expect(parseStatus(statusAnswersFor(condition))).toEqual(expected);
  });
});
