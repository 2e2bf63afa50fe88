/** Opens a real station (PouchDB on LevelDB in a temp folder) for contract-level tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { Result } from '../../core/contract/result.js';
import type { ConnectionContext } from '../../core/contract/wire.js';
import { manualClock, type ManualClock } from '../../core/time/local-date.js';
import { openStation } from '../../electron/station/open-station.js';
import type { RunningStation } from '../../electron/station/types.js';
import type { StationConfig } from '../../electron/station/config.js';

/** 10:00 in Shanghai on 2026-11-21: the demo bills of September are overdue by then. */
export const TEST_NOW = '2026-11-21T02:00:00.000Z';
export const TEST_SEED = 20261121;

export interface TestStation {
  readonly dataDir: string;
  readonly clock: ManualClock;
  station: RunningStation;
  call<C extends CommandName>(command: C, input: CommandInput<C>, session?: string, connectionId?: string): Promise<Result<CommandOutput<C>>>;
  raw(message: unknown): Promise<Result<unknown>>;
  login(staffNo: string, password?: string): Promise<string>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

const quietLog = { info: () => undefined, error: () => undefined };

export interface TestStationOptions {
  /** Station settings for this run (e.g. the printer), over the demo's. */
  readonly overrides?: Partial<StationConfig>;
  readonly printPollMs?: number;
}

export async function openTestStation(accounts = 200, options: TestStationOptions = {}): Promise<TestStation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongda-station-'));
  const clock = manualClock(TEST_NOW);
  const open = () =>
    openStation({
      dataDir,
      clock,
      demo: { accounts, seed: TEST_SEED },
      log: quietLog,
      ...(options.overrides ? { overrides: options.overrides } : {}),
      ...(options.printPollMs === undefined ? {} : { printPollMs: options.printPollMs }),
    });
  let nextId = 1;
  const fixture: TestStation = {
    dataDir,
    clock,
    station: await open(),
    async call(command, input, session, connectionId = 'test-1') {
      const connection: ConnectionContext = { connectionId, transport: 'websocket' };
      const request = session === undefined ? { type: 'request', id: nextId++, command, input } : { type: 'request', id: nextId++, command, input, session };
      const response = await fixture.station.dispatcher.dispatch(request, connection);
      return response.result as Result<CommandOutput<typeof command>>;
    },
    async raw(message) {
      const response = await fixture.station.dispatcher.dispatch(message, { connectionId: 'raw', transport: 'websocket' });
      return response.result;
    },
    async login(staffNo, password = '123456') {
      const result = await fixture.call('session.login', { staffNo, password });
      if (!result.ok) throw new Error(`login ${staffNo} failed: ${result.error.code}`);
      return result.value.session;
    },
    async restart() {
      await fixture.station.close();
      fixture.station = await open();
    },
    async dispose() {
      await fixture.station.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}

export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}
