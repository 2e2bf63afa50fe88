/**
 * A real station with a real GCR-1 emulator on a socat pty pair, the emulator in this process
 * so tests can put cards in, carry them to the meter and pull them mid-write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { Result } from '../../core/contract/result.js';
import { manualClock, type ManualClock } from '../../core/time/local-date.js';
import type { ControlClient } from '../../hardware/emulator/control-client.js';
import { DEMO_CARD_KEY_HEX, type StationConfig } from '../../electron/station/config.js';
import { openStation } from '../../electron/station/open-station.js';
import { backendOnEmulator, startInProcessEmulator, type InProcessEmulator } from '../../electron/station/reader-backends.js';
import type { TopupFaults } from '../../electron/station/card-service.js';
import type { RunningStation } from '../../electron/station/types.js';
import { TEST_NOW, TEST_SEED } from './station-fixture.js';

export interface CardStation {
  readonly dataDir: string;
  readonly clock: ManualClock;
  station: RunningStation;
  /** The emulator's control channel (insert, use-in-meter, pull-after, …). */
  control(): ControlClient;
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<Result<CommandOutput<C>>>;
  login(staffNo: string): Promise<void>;
  /** Closes the station and opens it again on the same folder, with a fresh emulator holding the same cards. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

const quiet = { info: () => undefined, error: () => undefined };

export async function openCardStation(options: { pacing?: boolean; accounts?: number; faults?: TopupFaults; baudRate?: StationConfig['reader']['baudRate'] } = {}): Promise<CardStation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongda-card-'));
  const clock = manualClock(TEST_NOW);
  let emulator: InProcessEmulator | null = null;
  let session: string | undefined;
  let nextId = 1;
  const open = () =>
    openStation({
      dataDir,
      clock,
      demo: { accounts: options.accounts ?? 1500, seed: TEST_SEED },
      log: quiet,
      // The demo's reader runs at 115200 unless asked for another rate (the bench's 9600).
      ...(options.baudRate ? { overrides: { reader: { kind: 'emulator' as const, path: null, baudRate: options.baudRate } } } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
      readerBackends: async (config, deck) => {
        // One emulator for the fixture's life: a station restart keeps the cards as they are.
        emulator ??= await startInProcessEmulator(deck, { cardKeyHex: DEMO_CARD_KEY_HEX, timing: { pacing: options.pacing ?? false } });
        return backendOnEmulator(config, deck, emulator);
      },
    });
  const fixture: CardStation = {
    dataDir,
    clock,
    station: await open(),
    control() {
      if (!emulator) throw new Error('no emulator');
      return emulator.control;
    },
    async call(command, input) {
      const request = { type: 'request', id: nextId++, command, input, ...(session ? { session } : {}) };
      const response = await fixture.station.dispatcher.dispatch(request, { connectionId: 'card-test', transport: 'websocket' });
      return response.result as Result<CommandOutput<typeof command>>;
    },
    async login(staffNo) {
      session = undefined;
      const result = await fixture.call('session.login', { staffNo, password: '123456' });
      if (!result.ok) throw new Error(`login failed: ${result.error.code}`);
      session = result.value.session;
    },
    async restart() {
      await fixture.station.close();
      fixture.station = await open();
    },
    async dispose() {
      await fixture.station.close();
      await emulator?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}
