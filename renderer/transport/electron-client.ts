/** StationClient over the Electron preload bridge: one IPC round trip per command. */
import type { ElectronBridge, StationClient } from '../../core/contract/client.js';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { EventName, EventPayload } from '../../core/contract/events.js';
import { err, type Result } from '../../core/contract/result.js';
import { EventHub, StateHub, isRecord } from './listeners.js';
import { readResponse } from './response.js';

export class ElectronStationClient implements StationClient {
  private readonly hub = new EventHub();
  // IPC to our own main process never drops, so the state is always open.
  private readonly state = new StateHub('open');
  private session: string | null = null;
  private nextId = 1;

  constructor(private readonly bridge: ElectronBridge) {
    bridge.onEvent((message) => {
      this.hub.emitWire(message);
    });
  }

  async call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<Result<CommandOutput<C>>> {
    const id = this.nextId++;
    const message = this.session === null ? { type: 'request', id, command, input } : { type: 'request', id, command, input, session: this.session };
    let reply: unknown;
    try {
      reply = await this.bridge.request(message);
    } catch (error: unknown) {
      // Only the message of an Error survives IPC; the station itself never throws.
      return err('INTERNAL', `IPC request failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!isRecord(reply) || reply['id'] !== id) return err('INTERNAL', 'IPC reply did not match the request');
    return readResponse<CommandOutput<C>>(reply);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.hub.on(event, listener);
  }

  setSession(token: string | null): void {
    this.session = token;
  }

  onConnectionState(listener: Parameters<StationClient['onConnectionState']>[0]): () => void {
    return this.state.subscribe(listener);
  }
}
