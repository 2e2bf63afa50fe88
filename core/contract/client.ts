/** The interface the renderer programs against; implemented over Electron IPC and over WebSocket. */
import type { CommandInput, CommandName, CommandOutput } from './commands.js';
import type { EventName, EventPayload } from './events.js';
import type { Result } from './result.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StationClient {
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<Result<CommandOutput<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** The session token sent with each request; set after login, cleared on logout. */
  setSession(token: string | null): void;
  onConnectionState(listener: (state: ConnectionState) => void): () => void;
}

/** The object Electron's preload puts on `window.tongdaBridge`: raw wire messages only. */
export interface ElectronBridge {
  request(message: unknown): Promise<unknown>;
  onEvent(listener: (message: unknown) => void): () => void;
}
