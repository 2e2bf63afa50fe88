/**
 * Wires the emulated world to the outside: a serial port (one end of a socat pty pair, or any
 * path) for the host's bytes, and the JSON-lines control channel (control-protocol.ts) on
 * 127.0.0.1. main.ts is a thin command line over `startEmulatorService`; tests call it
 * in-process.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { SerialPort } from 'serialport';
import { controlCommandSchema, type ControlReply } from './control-protocol.js';
import type { DemoCardSpec } from './deck.js';
import { ControlError, Emulator } from './emulator.js';
import type { ReaderTiming } from './reader.js';
import { startSocat, type SocatPair } from './socat.js';

export interface ServiceOptions {
  /** Open this existing path as the reader's end (without socat). */
  readonly portPath?: string;
  /** Start socat and take its reader end; links go into `socatDir` (default: a temp dir). */
  readonly socat?: boolean;
  readonly socatDir?: string;
  /** TCP control port on 127.0.0.1: 0 picks a free one; null: no TCP (use `handleLine`). */
  readonly controlPort?: number | null;
  readonly deck?: readonly DemoCardSpec[];
  readonly cardKeyHex?: string;
  readonly timing?: Partial<ReaderTiming>;
  readonly log?: (line: string) => void;
}

export interface RunningEmulator {
  readonly emulator: Emulator;
  /** The path the host opens (socat's host end), or null when the caller gave the port. */
  readonly hostPath: string | null;
  readonly readerPath: string | null;
  readonly controlPort: number | null;
  /** One control request line in, one reply line out (the stdin channel uses this). */
  handleLine(line: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startEmulatorService(options: ServiceOptions): Promise<RunningEmulator> {
  const log = options.log ?? (() => undefined);
  let port: SerialPort | null = null;
  let portState: 'open' | 'closed' | 'none' = 'none';
  let socat: SocatPair | null = null;
  let stopping = false;
  /** Where socat's links were, so a replug recreates the same paths the host knows. */
  let lastPair: { hostPath: string; readerPath: string } | null = null;

  const openPort = async (path: string): Promise<void> => {
    const opened = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => opened.open((error) => (error ? reject(error) : resolve())));
    opened.on('data', (chunk: Buffer) => emulator.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    opened.on('error', (error: Error) => log(`port error: ${error.message}`));
    opened.on('close', (error: (Error & { disconnected?: boolean }) | null) => {
      if (port === opened) port = null;
      portState = 'closed';
      // A USB reader that is unplugged loses power: it comes back at 9600, card unpowered.
      emulator.reader.powerLoss(0);
      if (!stopping) log(`port closed${error?.disconnected === true ? ' (disconnected)' : ''}`);
    });
    port = opened;
    portState = 'open';
  };

  const emulator: Emulator = new Emulator({
    output: (bytes) => {
      // Bytes for a host that is not there are lost, as on a real line.
      if (port?.isOpen) port.write(Buffer.from(bytes));
    },
    ...(options.deck ? { deck: options.deck } : {}),
    ...(options.cardKeyHex ? { cardKeyHex: options.cardKeyHex } : {}),
    ...(options.timing ? { timing: options.timing } : {}),
    log,
    onBaud: (baud) => {
      // A pty ignores it; a real port (a null-modem cable to another machine) needs it.
      port?.update({ baudRate: baud }, (error) => {
        if (error) log(`baud ${baud}: ${error.message}`);
      });
    },
    portState: () => portState,
    ...(options.socat
      ? {
          unplug: async () => {
            const pair = socat;
            socat = null;
            await pair?.stop();
          },
          replug: async () => {
            if (socat) throw new ControlError('already plugged in');
            if (!lastPair) throw new ControlError('never plugged in');
            socat = await startSocat({ hostPath: lastPair.hostPath, readerPath: lastPair.readerPath });
            await openPort(socat.readerPath);
            return socat.hostPath;
          },
        }
      : {}),
  });

  let hostPath: string | null = null;
  let readerPath: string | null = null;
  if (options.socat) {
    socat = await startSocat(options.socatDir ? { dir: options.socatDir } : {});
    lastPair = { hostPath: socat.hostPath, readerPath: socat.readerPath };
    hostPath = socat.hostPath;
    readerPath = socat.readerPath;
    await openPort(socat.readerPath);
  } else if (options.portPath) {
    readerPath = options.portPath;
    await openPort(options.portPath);
  }

  const handleLine = async (line: string): Promise<string> => {
    let id: number | string | null = null;
    let reply: ControlReply;
    try {
      const json: unknown = JSON.parse(line);
      if (typeof json === 'object' && json !== null && 'id' in json && (typeof json.id === 'number' || typeof json.id === 'string')) id = json.id;
      const parsed = controlCommandSchema.safeParse(json);
      if (!parsed.success) throw new ControlError(`bad command: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'cmd'}: ${issue.message}`).join('; ')}`);
      reply = { id, ok: true, result: await emulator.handle(parsed.data) };
    } catch (error) {
      reply = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    return JSON.stringify(reply);
  };

  let server: Server | null = null;
  const sockets = new Set<Socket>();
  let controlPort: number | null = null;
  if (options.controlPort !== null) {
    const srv = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      // One request at a time per connection, so replies come in request order.
      let chain = Promise.resolve();
      createInterface({ input: socket }).on('line', (line) => {
        if (line.trim() === '') return;
        chain = chain.then(async () => {
          const reply = await handleLine(line);
          if (!socket.destroyed) socket.write(`${reply}\n`);
        });
      });
    });
    server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(options.controlPort ?? 0, '127.0.0.1', () => resolve());
    });
    const address = srv.address();
    controlPort = typeof address === 'object' && address !== null ? address.port : null;
  }

  return {
    emulator,
    hostPath,
    readerPath,
    controlPort,
    handleLine,
    stop: async () => {
      stopping = true;
      emulator.dispose();
      for (const socket of sockets) socket.destroy();
      if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
      const open = port;
      if (open?.isOpen) await new Promise<void>((resolve) => open.close(() => resolve()));
      await socat?.stop();
    },
  };
}
