/**
 * GCR-1 reader emulator process (bundle entry: dist/emulator/main.mjs).
 *
 *   node dist/emulator/main.mjs --socat [--socat-dir DIR]     start a pty pair, hold one end
 *   node dist/emulator/main.mjs --port /dev/pts/N             hold an existing port
 *   options: --control PORT|stdin (default 0: a free TCP port on 127.0.0.1)
 *            --deck FILE.json   --card-key HEX (or TONGDA_CARD_KEY)   --no-pacing
 *            --turnaround MS    --verbose
 *
 * Prints exactly one line on stdout when ready:
 *   TONGDA_EMULATOR_READY {"hostPath": "...", "readerPath": "...", "control": 41234}
 * and, with --control stdin, one reply line per request line after it. Logs go to stderr.
 * SIGINT/SIGTERM stop socat and exit; with TONGDA_EXIT_WITH_PARENT=1 so does the parent's death.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { READY_PREFIX, type ReadyLine } from './control-protocol.js';
import { deckSchema } from './deck.js';
import { startEmulatorService, type ServiceOptions } from './service.js';

interface Args {
  readonly service: ServiceOptions;
  readonly stdinControl: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let portPath: string | undefined;
  let socat = false;
  let socatDir: string | undefined;
  let control: string = '0';
  let deckFile: string | undefined;
  let cardKeyHex = process.env['TONGDA_CARD_KEY'];
  let pacing = true;
  let turnaround: number | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined) throw new Error(`${arg ?? ''} needs a value`);
      i += 1;
      return next;
    };
    switch (arg) {
      case '--port':
        portPath = value();
        break;
      case '--socat':
        socat = true;
        break;
      case '--socat-dir':
        socatDir = value();
        break;
      case '--control':
        control = value();
        break;
      case '--deck':
        deckFile = value();
        break;
      case '--card-key':
        cardKeyHex = value();
        break;
      case '--no-pacing':
        pacing = false;
        break;
      case '--turnaround':
        turnaround = Number(value());
        break;
      case '--verbose':
        verbose = true;
        break;
      case undefined:
      default:
        throw new Error(`unknown argument ${arg ?? ''}`);
    }
  }
  if (socat === (portPath !== undefined)) throw new Error('give exactly one of --socat and --port PATH');
  const stdinControl = control === 'stdin';
  const controlPort = stdinControl ? null : Number(control);
  if (controlPort !== null && (!Number.isInteger(controlPort) || controlPort < 0 || controlPort > 65535)) throw new Error(`bad --control ${control}`);
  if (turnaround !== undefined && !(turnaround >= 0 && turnaround <= 200)) throw new Error('--turnaround must be 0..200 ms (the spec budget)');
  const deck = deckFile ? deckSchema.parse(JSON.parse(readFileSync(deckFile, 'utf8'))) : undefined;
  return {
    stdinControl,
    service: {
      ...(portPath !== undefined ? { portPath } : {}),
      socat,
      ...(socatDir !== undefined ? { socatDir } : {}),
      controlPort,
      ...(deck ? { deck } : {}),
      ...(cardKeyHex ? { cardKeyHex } : {}),
      timing: { pacing, ...(turnaround !== undefined ? { turnaroundMs: turnaround } : {}) },
      log: (line: string) => {
        if (verbose || !line.startsWith('SEQ ')) process.stderr.write(`[gcr1-emulator] ${line}\n`);
      },
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const running = await startEmulatorService(args.service);
  const ready: ReadyLine = { hostPath: running.hostPath, readerPath: running.readerPath ?? '', control: running.controlPort };
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(ready)}\n`);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // A station that dies without stopping us (a power cut of the process: SIGKILL) must not leave
  // an emulator and its socat running: once we are re-parented, the station is gone.
  const parent = process.ppid;
  if (process.env['TONGDA_EXIT_WITH_PARENT'] === '1') {
    setInterval(() => {
      if (process.ppid !== parent) void stop();
    }, 500).unref();
  }
  if (args.stdinControl) {
    let chain = Promise.resolve();
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() === '') return;
      chain = chain.then(async () => {
        process.stdout.write(`${await running.handleLine(line)}\n`);
      });
    });
    // The controlling process went away: so does the emulator (and its socat).
    lines.on('close', () => void chain.then(stop));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[gcr1-emulator] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
