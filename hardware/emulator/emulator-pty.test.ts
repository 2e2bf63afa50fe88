/**
 * One end-to-end run over a real socat pty pair: the host side opens its end with serialport,
 * exchanges frames with the emulator process logic (in-process, pacing off), sees an event
 * caused through the control channel, and sees its port close with `disconnected: true` when
 * socat is killed (the reader unplugged).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { COMMAND, FrameParser, encodeFrame, type Frame } from '../gcr1/frame.js';
import { ControlClient } from './control-client.js';
import { startEmulatorService, type RunningEmulator } from './service.js';
import { socatAvailable } from './socat.js';

const hasSocat = socatAvailable();

/** Every wait is bounded and named, so a hang says where it hung. */
async function within<T>(what: string, promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
const title = hasSocat ? 'emulator over a socat pty pair' : 'emulator over a socat pty pair (skipped: /usr/bin/socat is missing)';

describe.skipIf(!hasSocat)(title, () => {
  let running: RunningEmulator | null = null;
  let client: ControlClient | null = null;
  afterAll(async () => {
    client?.close();
    await running?.stop();
  });

  it('answers frames, reports an inserted card, and closes the host port when socat dies', { timeout: 40_000 }, async () => {
    running = await within('start', startEmulatorService({ socat: true, controlPort: 0, timing: { pacing: false } }));
    const hostPath = running.hostPath;
    const controlPort = running.controlPort;
    if (hostPath === null || controlPort === null) throw new Error('no host path or control port');

    const port = new SerialPort({ path: hostPath, baudRate: 9600, autoOpen: false });
    await within('open', new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve()))));
    const parser = new FrameParser();
    const frames: Frame[] = [];
    let waiter: (() => void) | null = null;
    port.on('data', (chunk: Buffer) => {
      frames.push(...parser.push(new Uint8Array(chunk), performance.now()));
      waiter?.();
    });
    const next = async (): Promise<Frame> => {
      const deadline = Date.now() + 2000;
      while (frames.length === 0) {
        if (Date.now() > deadline) throw new Error('no frame within 2 s');
        await new Promise<void>((resolve) => {
          waiter = resolve;
          setTimeout(resolve, 50);
        });
      }
      const frame = frames.shift();
      if (!frame) throw new Error('unreachable');
      return frame;
    };
    const request = async (seq: number, code: number, data: readonly number[] = []): Promise<Frame> => {
      port.write(Buffer.from(encodeFrame({ seq, code, data })));
      await within('drain', new Promise<void>((resolve, reject) => port.drain((error) => (error ? reject(error) : resolve()))));
      return next();
    };

    expect(await request(1, COMMAND.CARD_STATUS)).toMatchObject({ seq: 1, code: 0, data: Uint8Array.of(0, 0, 0) });

    client = await within('connect', ControlClient.connect(controlPort));
    await within('insert', client.insert('loaded'));
    expect(await next()).toMatchObject({ seq: 0, code: 0xe0, data: Uint8Array.of(0x01) });

    expect(await request(2, COMMAND.POWER_ON)).toMatchObject({ seq: 2, code: 0, data: Uint8Array.of(0xa2, 0x13, 0x10, 0x91) });
    const header = await request(3, COMMAND.READ_MAIN, [0x00, 0x20]);
    expect(header.seq).toBe(3);
    expect(Buffer.from(header.data.subarray(8, 16)).toString('hex')).toBe('5444000000000002');
    const state = await within('state', client.state());
    expect(state.slot).toBe('loaded');
    expect(state.port).toBe('open');

    const closed = new Promise<{ disconnected: boolean }>((resolve) => {
      port.once('close', (error: (Error & { disconnected?: boolean }) | null) => resolve({ disconnected: error?.disconnected === true }));
    });
    await within('unplug', client.send({ cmd: 'unplug' }));
    // Under a loaded machine (the whole suite on two cores) the hang-up can take seconds to surface.
    expect(await within('close', closed, 20_000)).toEqual({ disconnected: true });
    expect((await within('state', client.state())).port).toBe('closed');
  });
});
