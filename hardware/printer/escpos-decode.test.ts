import { describe, expect, it } from 'vitest';
import { EscPosBuilder } from './escpos.js';
import { commandLength, decodeEscPos, summarizeEscPos } from './escpos-decode.js';
import { encodeGb18030 } from './gb18030.js';

function receipt(): Uint8Array {
  return new EscPosBuilder()
    .init()
    .align('center')
    .bold(true)
    .doubleSize(true)
    .line('通达燃气')
    .doubleSize(false)
    .bold(false)
    .align('left')
    .line('用户：张堃（㙍村𠀀号）')
    .line('实收 ￥128.50')
    .qr('https://pay.example.cn/r/0012345678?amt=128.50')
    .feed(2)
    .cut()
    .drawerKick()
    .build();
}

describe('decodeEscPos', () => {
  it('reads back a built receipt', () => {
    const events = decodeEscPos(receipt());
    expect(summarizeEscPos(events)).toEqual({
      lines: ['通达燃气', '用户：张堃（㙍村𠀀号）', '实收 ￥128.50', '', ''],
      qr: ['https://pay.example.cn/r/0012345678?amt=128.50'],
      cuts: 1,
      drawerKicks: 1,
      statusRequests: [],
      unknown: 0,
    });
    expect(events[1]).toEqual({ kind: 'text', text: '通达燃气', align: 'center', bold: true, width: 2, height: 2, terminated: true });
    expect(events[2]).toMatchObject({ text: '用户：张堃（㙍村𠀀号）', align: 'left', bold: false, width: 1, height: 1 });
    expect(events).toContainEqual({ kind: 'qr', data: 'https://pay.example.cn/r/0012345678?amt=128.50', size: 6, errorLevel: 'M' });
    expect(events).toContainEqual({ kind: 'cut', partial: true });
    expect(events).toContainEqual({ kind: 'drawer-kick', pin: 2, onMs: 50, offMs: 500 });
  });

  it('shows GB18030 sent outside Chinese mode as unreadable', () => {
    const bytes = Uint8Array.from([...encodeGb18030('A通'), 0x0a]);
    expect(summarizeEscPos(decodeEscPos(bytes)).lines).toEqual(['A\uFFFD\uFFFD']);
  });

  it('switches decoding at FS & and FS . inside a line', () => {
    const bytes = Uint8Array.from([0x41, 0x1c, 0x26, ...encodeGb18030('通'), 0x1c, 0x2e, 0x42, 0x0a]);
    expect(summarizeEscPos(decodeEscPos(bytes)).lines).toEqual(['A通B']);
  });

  it('prints a held line before a cut and flags text left without LF', () => {
    const bytes = new EscPosBuilder().text('held').cut().text('tail').build();
    expect(decodeEscPos(bytes)).toEqual([
      { kind: 'text', text: 'held', align: 'left', bold: false, width: 1, height: 1, terminated: true },
      { kind: 'cut', partial: true },
      { kind: 'text', text: 'tail', align: 'left', bold: false, width: 1, height: 1, terminated: false },
    ]);
  });

  it('clears the held line on ESC @, as the printer does', () => {
    expect(summarizeEscPos(decodeEscPos(new EscPosBuilder().text('lost').init().line('kept').build())).lines).toEqual(['kept']);
  });

  it('reports status requests, unknown bytes and a truncated command', () => {
    const bytes = Uint8Array.of(0x10, 0x04, 0x01, 0x10, 0x04, 0x04, 0x00, 0x1d, 0x28, 0x6b, 0x10, 0x00, 0x31);
    expect(decodeEscPos(bytes)).toEqual([
      { kind: 'status-request', n: 1 },
      { kind: 'status-request', n: 4 },
      { kind: 'unknown', offset: 6, byte: 0 },
      { kind: 'truncated', offset: 7 },
    ]);
  });

  it('skips QR payload bytes that look like commands', () => {
    // 0x10 0x04 0x01 inside the stored data must not count as a status request.
    const bytes = new EscPosBuilder().qr('\x10\x04\x01').build();
    const summary = summarizeEscPos(decodeEscPos(bytes));
    expect(summary.statusRequests).toEqual([]);
    expect(summary.qr).toEqual(['\x10\x04\x01']);
  });

  it('knows command lengths', () => {
    expect(commandLength(Uint8Array.of(0x1b, 0x70, 0, 25, 250), 0)).toBe(5);
    expect(commandLength(Uint8Array.of(0x1b, 0x70, 0), 0)).toBe('incomplete');
    expect(commandLength(Uint8Array.of(0x1d, 0x56, 66, 0), 0)).toBe(4);
    expect(commandLength(Uint8Array.of(0x1d, 0x56, 0), 0)).toBe(3);
    expect(commandLength(Uint8Array.of(0x1d, 0x76, 0x30, 0, 2, 0, 3, 0), 0)).toBe('incomplete');
    expect(commandLength(Uint8Array.of(0x1d, 0x76, 0x30, 0, 1, 0, 1, 0, 0xff), 0)).toBe(9);
    expect(commandLength(Uint8Array.of(0x1b), 0)).toBe('incomplete');
    expect(commandLength(Uint8Array.of(0x1b, 0x7f), 0)).toBe('unknown');
    expect(commandLength(Uint8Array.of(0x07), 0)).toBe('unknown');
  });
});
