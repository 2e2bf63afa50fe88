import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PrinterTypes, ThermalPrinter } from 'node-thermal-printer';
import { EscPosBuilder, STATUS_REQUEST, statusRequest } from './escpos.js';
import { parseStatusBytes, type PrinterStatus } from './status.js';
import { startVirtualPrinter, summarizeEscPos, type VirtualPrinter, type VirtualPrinterState } from './virtual-printer.js';

let printer: VirtualPrinter | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await printer?.close();
  printer = undefined;
});

async function start(): Promise<VirtualPrinter> {
  printer = await startVirtualPrinter();
  return printer;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** Read exactly n bytes, or reject after timeoutMs (how a driver treats a hung printer). */
function readBytes(socket: net.Socket, n: number, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const done = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
    };
    const onData = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= n) {
        done();
        resolve(Uint8Array.from(got.subarray(0, n)));
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timeout after ${timeoutMs} ms with ${got.length}/${n} bytes`));
    }, timeoutMs);
    socket.on('data', onData);
  });
}

function end(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.end();
  });
}

async function untilClosed(p: VirtualPrinter, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (p.jobs().filter((j) => j.closed).length >= count) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('jobs did not close');
}

const STATUS_QUERY = Uint8Array.from([
  ...statusRequest(STATUS_REQUEST.PRINTER),
  ...statusRequest(STATUS_REQUEST.OFFLINE_CAUSE),
  ...statusRequest(STATUS_REQUEST.PAPER_ROLL),
]);

describe('virtual printer', () => {
  it('captures a receipt per connection and decodes it', async () => {
    const p = await start();
    const receipt = new EscPosBuilder().init().align('center').bold(true).line('通达燃气').bold(false).align('left').line('实收 ￥128.50').qr('PAY-0012345678').cut().build();
    const socket = await connect(p.port);
    socket.write(receipt);
    await end(socket);
    const second = await connect(p.port);
    second.write(new EscPosBuilder().line('第二张').cut().build());
    await end(second);
    await untilClosed(p, 2);

    const [first, next] = p.jobs();
    expect(first?.id).toBe(1);
    expect(first?.bytes).toEqual(receipt);
    expect(summarizeEscPos(first?.events ?? [])).toMatchObject({ lines: ['通达燃气', '实收 ￥128.50'], qr: ['PAY-0012345678'], cuts: 1 });
    expect(summarizeEscPos(next?.events ?? []).lines).toEqual(['第二张']);

    p.clear();
    expect(p.jobs()).toEqual([]);
  });

  it('reassembles a receipt split across writes, answering a status request once it is complete', async () => {
    const p = await start();
    const socket = await connect(p.port);
    const reply = readBytes(socket, 1, 2000);
    socket.write(Uint8Array.of(0x10, 0x04));
    await new Promise((r) => setTimeout(r, 20));
    socket.write(Uint8Array.of(0x04));
    expect([...(await reply)]).toEqual([0x12]);
  });

  it.each<[Exclude<VirtualPrinterState, 'stalled'>, PrinterStatus]>([
    ['ok', { online: true, coverOpen: false, paperOut: false, paperNearEnd: false, error: false }],
    ['paper-out', { online: false, coverOpen: false, paperOut: true, paperNearEnd: true, error: false }],
    ['cover-open', { online: false, coverOpen: true, paperOut: false, paperNearEnd: false, error: false }],
    ['offline', { online: false, coverOpen: false, paperOut: false, paperNearEnd: false, error: true }],
  ])('answers DLE EOT 1/2/4 when %s', async (state, expected) => {
    const p = await start();
    p.setState(state);
    const socket = await connect(p.port);
    const reply = readBytes(socket, 3, 2000);
    socket.write(STATUS_QUERY);
    expect(parseStatusBytes(await reply)).toEqual(expected);
    expect(summarizeEscPos(p.jobs()[0]?.events ?? []).statusRequests).toEqual([1, 2, 4]);
  });

  it('never answers when stalled, and catches up when it recovers', async () => {
    const p = await start();
    p.setState('stalled');
    const socket = await connect(p.port);
    socket.write(STATUS_QUERY);
    await expect(readBytes(socket, 1, 300)).rejects.toThrow(/timeout/);
    expect(p.jobs()[0]?.bytes.length).toBe(0); // accepted, but nothing read

    const reply = readBytes(socket, 3, 2000);
    p.setState('ok');
    expect(parseStatusBytes(await reply).online).toBe(true);
  });

  it("receives our bytes through node-thermal-printer's TCP interface unchanged", async () => {
    const p = await start();
    const thermal = new ThermalPrinter({ type: PrinterTypes.EPSON, interface: `tcp://127.0.0.1:${p.port}` });
    expect(await thermal.isPrinterConnected()).toBe(true);
    const receipt = new EscPosBuilder().init().line('张堃 㙍 𠀀 ￥1.00').cut().build();
    thermal.clear();
    thermal.add(Buffer.from(receipt));
    await thermal.execute();
    await untilClosed(p, 2); // the isPrinterConnected probe is a connection too
    const job = p.jobs().find((j) => j.bytes.length > 0);
    expect(job?.bytes).toEqual(receipt);
    expect(summarizeEscPos(job?.events ?? []).lines).toEqual(['张堃 㙍 𠀀 ￥1.00']);
  });
});
