/**
 * Command line over the control channel (bundle entry: dist/emulator/cli.mjs).
 *
 *   node dist/emulator/cli.mjs [--control PORT] <command> [args]
 *     insert <card> | remove | use-in-meter <card> [--reinsert]
 *     pull-after <bytes> [<card>] [--glitch] [--event-first]
 *     garble [index] [mask] | drop [responses] | drop-bytes <count> [offset] | clear-faults
 *     lock <card> | set-attempts <card> <7|3|1|0> | power-loss [offMs]
 *     consume <card> <volume> | pacing on|off | turnaround <ms>
 *     state | card <card> | unplug | replug
 *   PORT defaults to $TONGDA_EMULATOR_CONTROL. Prints the reply's result as JSON; exit 1 on a
 *   refusal.
 */
import type { ControlCommand } from './control-protocol.js';
import { ControlClient } from './control-client.js';

function toCommand(words: readonly string[]): ControlCommand {
  const [name, ...rest] = words;
  const flags = new Set(rest.filter((w) => w.startsWith('--')));
  const args = rest.filter((w) => !w.startsWith('--'));
  const need = (i: number, what: string): string => {
    const v = args[i];
    if (v === undefined) throw new Error(`${name ?? ''}: missing ${what}`);
    return v;
  };
  const num = (i: number, what: string): number => {
    const n = Number(need(i, what));
    if (!Number.isFinite(n)) throw new Error(`${name ?? ''}: ${what} must be a number`);
    return n;
  };
  const opt = (i: number): number | undefined => (args[i] === undefined ? undefined : Number(args[i]));
  switch (name) {
    case 'insert':
      return { cmd: 'insert', card: need(0, 'card') };
    case 'remove':
      return { cmd: 'remove' };
    case 'use-in-meter':
      return { cmd: 'use-in-meter', card: need(0, 'card'), reinsert: flags.has('--reinsert') };
    case 'pull-after': {
      const card = args[1];
      return {
        cmd: 'pull-after',
        bytes: num(0, 'bytes'),
        ...(card !== undefined ? { card } : {}),
        mode: flags.has('--glitch') ? 'power-glitch' : 'pull',
        event: flags.has('--event-first') ? 'before-response' : 'after-response',
      };
    }
    case 'garble': {
      const index = opt(0);
      const mask = opt(1);
      return { cmd: 'garble', ...(index !== undefined ? { index } : {}), ...(mask !== undefined ? { mask } : {}) };
    }
    case 'drop': {
      const responses = opt(0);
      return { cmd: 'drop', ...(responses !== undefined ? { responses } : {}) };
    }
    case 'drop-bytes': {
      const offset = opt(1);
      return { cmd: 'drop', bytes: num(0, 'count'), ...(offset !== undefined ? { offset } : {}) };
    }
    case 'clear-faults':
      return { cmd: 'clear-faults' };
    case 'lock':
      return { cmd: 'lock', card: need(0, 'card') };
    case 'set-attempts': {
      const counter = num(1, 'counter');
      if (counter !== 7 && counter !== 3 && counter !== 1 && counter !== 0) throw new Error('counter must be 7, 3, 1 or 0');
      return { cmd: 'set-attempts', card: need(0, 'card'), counter };
    }
    case 'power-loss': {
      const offMs = opt(0);
      return { cmd: 'power-loss', ...(offMs !== undefined ? { offMs } : {}) };
    }
    case 'consume':
      return { cmd: 'consume', card: need(0, 'card'), volume: num(1, 'volume') };
    case 'pacing':
      return { cmd: 'set-pacing', on: need(0, 'on|off') === 'on' };
    case 'turnaround':
      return { cmd: 'set-turnaround', ms: num(0, 'ms') };
    case 'state':
      return { cmd: 'state' };
    case 'card':
      return { cmd: 'card', card: need(0, 'card') };
    case 'unplug':
      return { cmd: 'unplug' };
    case 'replug':
      return { cmd: 'replug' };
    case undefined:
    default:
      throw new Error(`unknown command ${name ?? '(none)'}; see the header of hardware/emulator/cli.ts`);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let port = Number(process.env['TONGDA_EMULATOR_CONTROL'] ?? NaN);
  const at = argv.indexOf('--control');
  if (at >= 0) {
    port = Number(argv[at + 1]);
    argv.splice(at, 2);
  }
  if (!Number.isInteger(port) || port <= 0) throw new Error('no control port: pass --control PORT or set TONGDA_EMULATOR_CONTROL');
  const command = toCommand(argv);
  const client = await ControlClient.connect(port);
  try {
    const result = await client.send(command);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
