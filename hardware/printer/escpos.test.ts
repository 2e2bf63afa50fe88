import { describe, expect, it } from 'vitest';
import { EscPosBuilder, QR_MAX_BYTES, STATUS_REQUEST, statusRequest } from './escpos.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('EscPosBuilder', () => {
  it('builds a short Chinese receipt byte for byte', () => {
    const bytes = new EscPosBuilder()
      .init()
      .chineseOn()
      .align('center')
      .bold(true)
      .doubleSize(true)
      .line('通达')
      .doubleSize(false)
      .bold(false)
      .align('left')
      .line('实收 ￥5')
      .qr('P1', { size: 4 })
      .feed(2)
      .cut()
      .drawerKick()
      .build();

    const golden = [
      '1b40', // ESC @
      '1c26', // FS & Chinese mode on
      '1b6101', // ESC a 1 centre
      '1b4501', // ESC E 1 bold
      '1d2111', // GS ! 0x11 double size
      'cda8b4ef', '0a', // 通达 LF
      '1d2100', // GS ! 0
      '1b4500', // ESC E 0
      '1b6100', // ESC a 0
      'cab5cad520a3a435', '0a', // 实收 ￥5 LF
      '1d286b0400314132' + '00', // QR model 2
      '1d286b03003143' + '04', // module size 4
      '1d286b03003145' + '31', // error level M
      '1d286b050031503050' + '31', // store "P1" (pL = 2 + 3)
      '1d286b03003151' + '30', // print
      '0a0a', // feed 2
      '1d564200', // GS V 66 0
      '1b700019fa', // ESC p 0 25 250
    ].join('');
    expect(hex(bytes)).toBe(golden);
  });

  it('turns Chinese mode on by itself before non-ASCII text, and again after ESC @', () => {
    const bytes = new EscPosBuilder().text('A').text('通').text('B').init().text('达').build();
    expect(hex(bytes)).toBe('41' + '1c26' + 'cda8' + '42' + '1b40' + '1c26' + 'b4ef');
  });

  it('leaves Chinese mode with FS . and re-enters when needed', () => {
    const bytes = new EscPosBuilder().text('通').chineseOff().text('达').build();
    expect(hex(bytes)).toBe('1c26cda8' + '1c2e' + '1c26b4ef');
  });

  it('encodes 4-byte GB18030 characters inside Chinese mode', () => {
    expect(hex(new EscPosBuilder().text('𠀀').build())).toBe('1c26' + '95328236');
  });

  it('replaces control characters in text so data cannot inject commands', () => {
    expect(hex(new EscPosBuilder().text('a\x1bp\x00\nb').build())).toBe('6120702020' + '62');
  });

  it('encodes the QR length over 255 bytes in pL pH', () => {
    const bytes = new EscPosBuilder().qr('x'.repeat(300)).build();
    // Store command starts after model (9 bytes), size (8) and level (8).
    expect([...bytes.subarray(25, 33)]).toEqual([0x1d, 0x28, 0x6b, 303 & 0xff, 303 >> 8, 0x31, 0x50, 0x30]);
    expect(bytes.length).toBe(9 + 8 + 8 + 8 + 300 + 8);
  });

  it('sends QR data as UTF-8 and checks the error level capacity', () => {
    const bytes = new EscPosBuilder().qr('缴费').build();
    expect(hex(bytes.subarray(33, 39))).toBe(Buffer.from('缴费', 'utf8').toString('hex'));
    expect(() => new EscPosBuilder().qr('x'.repeat(QR_MAX_BYTES.M + 1))).toThrow(RangeError);
    expect(() => new EscPosBuilder().qr('x'.repeat(QR_MAX_BYTES.M + 1), { errorLevel: 'L' })).not.toThrow();
    expect(() => new EscPosBuilder().qr('')).toThrow(RangeError);
    expect(() => new EscPosBuilder().qr('x', { size: 17 })).toThrow(RangeError);
    expect(() => new EscPosBuilder().qr('x', { size: 0 })).toThrow(RangeError);
  });

  it('builds the real-time status requests', () => {
    expect(hex(statusRequest(STATUS_REQUEST.PRINTER))).toBe('100401');
    expect(hex(statusRequest(STATUS_REQUEST.OFFLINE_CAUSE))).toBe('100402');
    expect(hex(statusRequest(STATUS_REQUEST.PAPER_ROLL))).toBe('100404');
    expect(hex(new EscPosBuilder().statusRequest(4).build())).toBe('100404');
  });

  it('rejects bad feeds and raw values', () => {
    expect(() => new EscPosBuilder().feed(-1)).toThrow(RangeError);
    expect(() => new EscPosBuilder().raw([256])).toThrow(RangeError);
    expect(hex(new EscPosBuilder().raw([0x1b, 0x64, 3]).build())).toBe('1b6403');
  });
});
