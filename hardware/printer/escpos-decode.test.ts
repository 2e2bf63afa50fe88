import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { EscPosBuilder, STATUS_REQUEST, statusRequest } from './escpos.js';
import { commandLength, decodeEscPos, summarizeEscPos } from './escpos-decode.js';
import { encodeGb18030 } from './gb18030.js';
import { statusAnswersFor } from './status.js';
import { startVirtualPrinter } from './virtual-printer.js';

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
      rasters: [],
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

/** GS v 0 m with `rows` rows of `stride` bytes. */
function rasterBand(m: number, stride: number, data: readonly number[]): Uint8Array {
  const rows = data.length / stride;
  return Uint8Array.from([0x1d, 0x76, 0x30, m, stride & 0xff, stride >> 8, rows & 0xff, rows >> 8, ...data]);
}

// Data that reads as DLE EOT 1, LF, ESC @, GS V and FS & if taken for commands.
const TRICKY = [0x10, 0x04, 0x01, 0x0a, 0x1b, 0x40, 0x1d, 0x56, 0x00, 0x1c, 0x26, 0x41];

describe('GS v 0 raster images', () => {
  it('decodes a band as an image and never reads its data as commands', () => {
    const bytes = rasterBand(0, 3, TRICKY);
    expect(commandLength(bytes, 0)).toBe(8 + TRICKY.length);
    expect(decodeEscPos(bytes)).toEqual([{ kind: 'raster', width: 24, height: 4, data: Uint8Array.from(TRICKY) }]);
    expect(summarizeEscPos(decodeEscPos(bytes))).toEqual({ lines: [], qr: [], rasters: [{ width: 24, height: 4 }], cuts: 0, drawerKicks: 0, statusRequests: [], unknown: 0 });
  });

  it('applies double width and height (m = 1..3, 49..51) to the dots', () => {
    // One row 1000 0001: quadruple (m = 3) makes it 2 rows of 1100 0000 0000 0011.
    const [quad] = decodeEscPos(rasterBand(3, 1, [0x81]));
    expect(quad).toEqual({ kind: 'raster', width: 16, height: 2, data: Uint8Array.of(0xc0, 0x03, 0xc0, 0x03) });
    expect(decodeEscPos(rasterBand(0x31, 1, [0x81]))[0]).toMatchObject({ width: 16, height: 1 });
    expect(decodeEscPos(rasterBand(0x32, 1, [0x81]))[0]).toMatchObject({ width: 8, height: 2, data: Uint8Array.of(0x81, 0x81) });
  });

  it('prints a held line before the image and reports a cut-off image as truncated', () => {
    const bytes = Uint8Array.from([...new EscPosBuilder().text('held').build(), ...rasterBand(0, 1, [0xff])]);
    expect(decodeEscPos(bytes).map((e) => e.kind)).toEqual(['text', 'raster']);
    expect(decodeEscPos(rasterBand(0, 2, [1, 2, 3, 4]).subarray(0, 10))).toEqual([{ kind: 'truncated', offset: 0 }]);
  });

  it('the virtual printer does not answer DLE EOT bytes inside raster data, even split across packets', async () => {
    const printer = await startVirtualPrinter();
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(printer.port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    try {
      const received: number[] = [];
      socket.on('data', (chunk: Buffer) => received.push(...chunk));
      const band = rasterBand(0, 3, [...TRICKY, ...TRICKY]);
      // The first packet ends just before the data's DLE EOT 1, so a scanner that forgot the
      // band's length would see a complete status request at the start of the second.
      socket.write(band.subarray(0, 8 + TRICKY.length));
      await new Promise((r) => setTimeout(r, 50));
      socket.write(band.subarray(8 + TRICKY.length));
      await new Promise((r) => setTimeout(r, 50));
      expect(received).toEqual([]);
      socket.write(statusRequest(STATUS_REQUEST.PRINTER));
      for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      expect(received).toEqual([statusAnswersFor('ok').printer]);
      expect(summarizeEscPos(printer.jobs()[0]?.events ?? [])).toMatchObject({ rasters: [{ width: 24, height: 8 }], statusRequests: [1], unknown: 0 });
    } finally {
      socket.destroy();
      await printer.close();
    }
  });
});
