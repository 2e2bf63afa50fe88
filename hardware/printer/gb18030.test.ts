import { describe, expect, it } from 'vitest';
import { CharacterSet, PrinterTypes, ThermalPrinter } from 'node-thermal-printer';
import { decodeGb18030, encodeGb18030 } from './gb18030.js';

const SAMPLES = [
  '通达燃气营业厅',
  '用户：张堃 户号 0012345678', // 堃 is GBK but not GB2312
  '地址：㙍村 3 号', // 㙍 U+364D, CJK Extension A: 4 bytes in GB18030
  '𠀀', // U+20000, outside the BMP: 4 bytes
  '实收 ￥128.50', // full-width yen sign, the one we print
  'ASCII only 0123456789 !@#$%^&*()',
  '',
];

describe('GB18030 codec', () => {
  it.each(SAMPLES)('round-trips %j', (text) => {
    expect(decodeGb18030(encodeGb18030(text))).toBe(text);
  });

  it('uses the GB18030 byte forms', () => {
    expect([...encodeGb18030('A')]).toEqual([0x41]);
    expect([...encodeGb18030('通')]).toEqual([0xcd, 0xa8]);
    expect([...encodeGb18030('堃')]).toEqual([0x88, 0xd2]);
    expect([...encodeGb18030('￥')]).toEqual([0xa3, 0xa4]);
    expect([...encodeGb18030('㙍')]).toEqual([0x82, 0x30, 0xab, 0x33]);
    expect([...encodeGb18030('𠀀')]).toEqual([0x95, 0x32, 0x82, 0x36]);
  });

  it('returns a plain Uint8Array, not a Buffer', () => {
    expect(Object.getPrototypeOf(encodeGb18030('通'))).toBe(Uint8Array.prototype);
  });

  // Documents why we do not use node-thermal-printer's Chinese support.
  it("node-thermal-printer's CharacterSet.CHINA loses characters outside GBK", () => {
    const printer = new ThermalPrinter({
      type: PrinterTypes.EPSON,
      characterSet: CharacterSet.CHINA,
      interface: 'tcp://127.0.0.1:9', // required by the types; never connected here
    });
    const header = printer.getBuffer().length; // ESC R 15 from the character set
    printer.print('㙍𠀀');
    const body = printer.getBuffer().subarray(header);
    expect(body).not.toEqual(Buffer.from(encodeGb18030('㙍𠀀')));
    // 㙍 became '?', and 𠀀 switched the printer to code page 0 (ESC t 0) and became '??'.
    expect([...body]).toEqual([0x3f, 0x1b, 0x74, 0x00, 0x3f, 0x3f]);
  });
});
