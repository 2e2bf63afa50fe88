/**
 * Messages on the wire (WebSocket frames, Electron IPC arguments). Both transports carry the
 * same objects, so the renderer cannot tell which it has.
 */
import { z } from 'zod';
import type { CommandName, CommandOutput } from './commands.js';
import type { EventName, EventPayload } from './events.js';
import type { Result } from './result.js';

export const requestSchema = z.strictObject({
  type: z.literal('request'),
  /** Chosen by the client to match the response; unique per connection. */
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  command: z.string().min(1).max(64),
  input: z.unknown(),
  /** The session token from `session.login`, for every command that needs one. */
  session: z.string().min(1).max(128).optional(),
});
export type WireRequest = z.infer<typeof requestSchema>;

export interface WireResponse<C extends CommandName = CommandName> {
  readonly type: 'response';
  readonly id: number;
  readonly result: Result<CommandOutput<C>>;
}

export interface WireEvent<E extends EventName = EventName> {
  readonly type: 'event';
  readonly event: E;
  readonly payload: EventPayload<E>;
}

export type ServerMessage = WireResponse | WireEvent;

/** What the station exposes to a transport: one function per request, plus events. */
export interface StationDispatcher {
  /** Never throws: every failure comes back as an error result. */
  dispatch(request: unknown, connection: ConnectionContext): Promise<WireResponse>;
  onEvent(listener: (event: WireEvent) => void): () => void;
}

/** What the transport knows about the caller. */
export interface ConnectionContext {
  /** Stable per window or socket, for logs and event routing. */
  readonly connectionId: string;
  readonly transport: 'electron-ipc' | 'websocket';
}

/** Name of the single Electron IPC channel the preload and main agree on. */
export const IPC_CHANNEL_REQUEST = 'tongda:request';
export const IPC_CHANNEL_EVENT = 'tongda:event';
