/**
 * Makes the configured reader: a GCR-1 on a serial port, or the GCR-1 emulator as its own
 * process on one end of a socat pty pair (the demo station, when no real reader is configured),
 * or the emulator in this process (tests).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Gcr1Reader } from '../../hardware/gcr1/driver.js';
import { ControlClient } from '../../hardware/emulator/control-client.js';
import { READY_PREFIX } from '../../hardware/emulator/control-protocol.js';
import { startEmulatorService, type ServiceOptions } from '../../hardware/emulator/service.js';
import type { DemoCardControl, DemoDeckSpecs, ReaderBackend, ReaderBackendFactory, ReaderConfig } from './reader-service.js';

export type EmulatorDeck = DemoDeckSpecs;

function demoControl(client: ControlClient, deck: EmulatorDeck): DemoCardControl {
  let current: string | null = null;
  return {
    cards: () => Promise.resolve(deck.specs.map((spec) => ({ name: spec.name, label: deck.labels.get(spec.name) ?? spec.name, accountNo: 'accountNo' in spec ? spec.accountNo : null }))),
    async insert(name) {
      if (current !== null) await client.remove();
      await client.insert(name);
      current = name;
    },
    async remove() {
      await client.remove();
      current = null;
    },
    async useInMeter() {
      if (current === null) throw new Error('no card in the reader');
      // Out of the reader, into the meter, and back: the reader sees a removal and an insertion.
      await client.useInMeter(current, true);
    },
  };
}

function serialBackend(config: ReaderConfig): ReaderBackend {
  if (config.path === null) throw new Error('no serial port configured for the reader');
  const port = new Gcr1Reader({ path: config.path, baudRate: config.baudRate });
  return { port, path: config.path, demo: null, close: () => Promise.resolve() };
}

export interface EmulatorProcessOptions {
  /** dist/emulator/main.mjs */
  readonly entry: string;
  readonly cardKeyHex: string;
  readonly workDir: string;
  readonly pacing: boolean;
  readonly log: (line: string) => void;
}

/** The emulator as its own process (the card key reaches it by environment, not in `ps`). */
async function emulatorProcessBackend(config: ReaderConfig, deck: EmulatorDeck, options: EmulatorProcessOptions): Promise<ReaderBackend> {
  const deckFile = join(options.workDir, 'emulator-deck.json');
  writeFileSync(deckFile, JSON.stringify(deck.specs));
  // A fresh folder for the pty links each start: an emulator of the previous run that is still
  // shutting down removes its own links, never the new ones.
  const ptyDir = mkdtempSync(join(tmpdir(), 'tongda-reader-'));
  const args = [options.entry, '--socat', '--socat-dir', ptyDir, '--deck', deckFile, ...(options.pacing ? [] : ['--no-pacing'])];
  // Inside Electron, process.execPath is the Electron binary: ELECTRON_RUN_AS_NODE makes it plain Node.
  const electronAsNode = process.versions['electron'] === undefined ? {} : { ELECTRON_RUN_AS_NODE: '1' };
  const child = spawn(process.execPath, args, { env: { ...process.env, ...electronAsNode, TONGDA_CARD_KEY: options.cardKeyHex, TONGDA_EXIT_WITH_PARENT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (chunk: Buffer) => options.log(`[emulator] ${chunk.toString('utf8').trimEnd()}`));
  const ready = await new Promise<{ hostPath: string; control: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the card reader emulator did not start in 15 s')), 15_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith(READY_PREFIX)) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice(READY_PREFIX.length)) as { hostPath: string; control: number });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the card reader emulator exited (${String(code)})`));
    });
  });
  const client = await ControlClient.connect(ready.control);
  const port = new Gcr1Reader({ path: ready.hostPath, baudRate: config.baudRate });
  return {
    port,
    path: ready.hostPath,
    demo: demoControl(client, deck),
    async close() {
      client.close();
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export interface InProcessEmulator {
  readonly control: ControlClient;
  readonly hostPath: string;
  stop(): Promise<void>;
}

/** The emulator in this process, on a real pty pair: for tests that inject faults precisely. */
export async function startInProcessEmulator(deck: EmulatorDeck, service: Omit<ServiceOptions, 'socat' | 'deck'>): Promise<InProcessEmulator> {
  const running = await startEmulatorService({ ...service, socat: true, deck: deck.specs, controlPort: 0 });
  if (running.hostPath === null || running.controlPort === null) throw new Error('emulator started without a pty or control port');
  const control = await ControlClient.connect(running.controlPort);
  return {
    control,
    hostPath: running.hostPath,
    async stop() {
      control.close();
      await running.stop();
    },
  };
}

/**
 * A reader on an emulator that outlives it: closing the backend closes only the station's port,
 * so a test can restart the station (a crash) while the cards keep what was written to them.
 */
export function backendOnEmulator(config: ReaderConfig, deck: EmulatorDeck, emulator: InProcessEmulator): ReaderBackend {
  return {
    port: new Gcr1Reader({ path: emulator.hostPath, baudRate: config.baudRate }),
    path: emulator.hostPath,
    demo: demoControl(emulator.control, deck),
    close: () => Promise.resolve(),
  };
}

export interface BackendOptions {
  /** How to run the emulator when the configuration asks for it; null: refuse. */
  readonly emulator: (() => EmulatorProcessOptions) | null;
}

export function readerBackendFactory(options: BackendOptions): ReaderBackendFactory {
  return (config, deck) => {
    switch (config.kind) {
      case 'none':
        return Promise.resolve(null);
      case 'serial':
        return Promise.resolve(serialBackend(config));
      case 'emulator': {
        if (!options.emulator) return Promise.reject(new Error('the card reader emulator is not available in this build'));
        return emulatorProcessBackend(config, deck, options.emulator());
      }
      default: {
        const unreachable: never = config.kind;
        return Promise.reject(new Error(`unknown reader kind ${String(unreachable)}`));
      }
    }
  };
}
