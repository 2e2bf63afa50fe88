import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PrinterTypes, ThermalPrinter } from 'node-thermal-printer';
import { SerialPort } from 'serialport';
import { socatAvailable } from '../emulator/socat.js';
import { EscPosBuilder, STATUS_REQUEST, statusRequest } from './escpos.js';
import { parseStatusBytes, type PrinterStatus } from './status.js';
import {
  startVirtualPrinter,
  startVirtualSerialPrinter,
  summarizeEscPos,
  type CapturedJob,
  type VirtualPrinter,
  type VirtualPrinterState,
  type VirtualSerialPrinter,
} from './virtual-printer.js';

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

describe('virtual printer hooks', () => {
  it('calls onJob with each completed job, and waitForJobs resolves when they are in', async () => {
    const seen: CapturedJob[] = [];
    printer = await startVirtualPrinter({ columns: 32, onJob: (job) => seen.push(job) });
    expect(printer.columns).toBe(32);
    const socket = await connect(printer.port);
    socket.write(new EscPosBuilder().init().line('一张').cut().build());
    await end(socket);
    const jobs = await printer.waitForJobs(1, 2000);
    expect(seen.map((job) => job.summary.lines)).toEqual([['一张']]);
    expect(jobs[0]?.summary).toMatchObject({ lines: ['一张'], cuts: 1 });
    await expect(printer.waitForJobs(2, 100)).rejects.toThrow(/1 of 2 jobs complete within 100 ms/);
  });

  it('setStateAfter changes the answers from the given byte on, within one connection', async () => {
    const p = await start();
    p.setStateAfter(STATUS_QUERY.length + 10, 'paper-out');
    const socket = await connect(p.port);
    const before = readBytes(socket, 3, 2000);
    socket.write(STATUS_QUERY);
    expect(parseStatusBytes(await before).paperOut).toBe(false);
    socket.write(new Uint8Array(9).fill(0x41)); // 18 bytes so far: one short of the flip
    const still = readBytes(socket, 3, 2000);
    socket.write(STATUS_QUERY);
    // Byte 19 is inside this query's DLE EOT 1, which began before the flip and is answered
    // as before; DLE EOT 2 and 4 come after it and see the paper out.
    const answers = await still;
    expect(p.state()).toBe('paper-out');
    expect([...answers]).toEqual([0x12, 0x32, 0x7e]);
  });
});

const hasSocat = socatAvailable();
const ptyTitle = (what: string): string => (hasSocat ? what : `${what} — skipped: /usr/bin/socat is missing`);

describe('virtual serial printer (socat pty)', () => {
  let serial: VirtualSerialPrinter | undefined;
  let host: SerialPort | undefined;
  afterEach(async () => {
    if (host?.isOpen) await new Promise<void>((resolve) => host?.close(() => resolve()));
    host = undefined;
    await serial?.close();
    serial = undefined;
  });

  async function openHost(path: string): Promise<SerialPort> {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    host = port;
    return port;
  }

  function readPort(port: SerialPort, n: number, timeoutMs: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      let got = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= n) {
          clearTimeout(timer);
          port.off('data', onData);
          resolve(Uint8Array.from(got.subarray(0, n)));
        }
      };
      const timer = setTimeout(() => {
        port.off('data', onData);
        reject(new Error(`timeout after ${timeoutMs} ms with ${got.length}/${n} bytes`));
      }, timeoutMs);
      port.on('data', onData);
    });
  }

  it.skipIf(!hasSocat)(ptyTitle('answers status and captures a job ended by silence'), async () => {
    const seen: number[] = [];
    serial = await startVirtualSerialPrinter({ idleMs: 100, onJob: (job) => seen.push(job.id) });
    const port = await openHost(serial.path);
    const reply = readPort(port, 3, 2000);
    port.write(Buffer.from(STATUS_QUERY));
    expect(parseStatusBytes(await reply).online).toBe(true);
    port.write(Buffer.from(new EscPosBuilder().init().line('串口打印').cut().build()));
    const [job] = await serial.waitForJobs(1, 2000);
    expect(job?.summary).toMatchObject({ lines: ['串口打印'], statusRequests: [1, 2, 4], cuts: 1 });
    expect(seen).toEqual([1]);

    serial.setState('cover-open');
    const second = readPort(port, 3, 2000);
    port.write(Buffer.from(STATUS_QUERY));
    expect(parseStatusBytes(await second).coverOpen).toBe(true);
    expect((await serial.waitForJobs(2, 2000)).map((j) => j.id)).toEqual([1, 2]);
    serial.clear();
    expect(serial.jobs()).toEqual([]);
  });

  it.skipIf(!hasSocat)(ptyTitle('stalls (reads and answers nothing) and catches up'), async () => {
    serial = await startVirtualSerialPrinter({ idleMs: 100 });
    const port = await openHost(serial.path);
    serial.setState('stalled');
    port.write(Buffer.from(STATUS_QUERY));
    await expect(readPort(port, 1, 300)).rejects.toThrow(/timeout/);
    expect(serial.jobs()).toEqual([]);
    const reply = readPort(port, 3, 2000);
    serial.setState('ok');
    expect(parseStatusBytes(await reply).online).toBe(true);
  });
});
