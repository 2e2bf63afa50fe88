/**
 * The station's side of the contract: checks the envelope, the session and the role, validates
 * the input against the command's schema, runs the handler, and always answers with a
 * `{ ok, value } | { ok:false, error }` result. Bad input is refused before any handler runs,
 * so it changes nothing.
 */
import { commands, isCommandName, type CommandName, type CommandOutput, type ParsedInput } from '../../core/contract/commands.js';
import type { EventName, EventPayload } from '../../core/contract/events.js';
import { err, type Result } from '../../core/contract/result.js';
import { requestSchema, type ConnectionContext, type StationDispatcher, type WireEvent, type WireResponse } from '../../core/contract/wire.js';
import type { CallContext, StationContext } from './context.js';
import type { Session } from './sessions.js';
import type { CommandHandlers } from './handlers/types.js';
import { WriteQueueClosedError } from './write-queue.js';

function idOf(raw: unknown): number {
  if (typeof raw === 'object' && raw !== null && 'id' in raw) {
    const id = (raw).id;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  }
  return 0;
}

function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export type EventListener = (event: WireEvent) => void;

export class EventHub {
  private readonly listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const message = { type: 'event', event, payload } as WireEvent;
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // A listener's failure (a closed socket) must not stop the others or the commit that emitted.
      }
    }
  }
}

export interface DispatcherLog {
  error(message: string, error: unknown): void;
}

export function createDispatcher(ctx: StationContext, handlers: CommandHandlers, events: EventHub, log: DispatcherLog): StationDispatcher {
  async function run<C extends CommandName>(command: C, input: ParsedInput<C>, call: CallContext): Promise<Result<CommandOutput<C>>> {
    // TypeScript cannot correlate the handler map's key with its argument types through a
    // generic index; the map's own type guarantees each handler matches its command.
    const handler = handlers[command] as unknown as (i: ParsedInput<C>, c: CallContext, x: StationContext) => Promise<Result<CommandOutput<C>>>;
    return handler(input, call, ctx);
  }

  async function dispatch(raw: unknown, connection: ConnectionContext): Promise<WireResponse> {
    const id = idOf(raw);
    const respond = (result: Result<unknown>): WireResponse => ({ type: 'response', id, result } as WireResponse);
    const envelope = requestSchema.safeParse(raw);
    if (!envelope.success) return respond(err('BAD_REQUEST', 'not a well-formed request', { issues: issuesOf(envelope.error) }));
    const { command, session: token } = envelope.data;
    if (!isCommandName(command)) return respond(err('BAD_REQUEST', `unknown command ${command}`));
    const spec = commands[command];

    let session: Session | null = null;
    if (spec.access.kind === 'session') {
      const lookup = ctx.sessions.lookup(token, true);
      if (lookup.kind === 'none') return respond(err('UNAUTHENTICATED', 'log in first'));
      if (lookup.kind === 'locked' && !('whileLocked' in spec && spec.whileLocked)) return respond(err('SESSION_LOCKED', 'the screen is locked: unlock it'));
      session = lookup.session;
      const roles = spec.access.roles;
      if (roles !== 'any' && !(roles as readonly string[]).includes(session.operator.role)) {
        return respond(err('FORBIDDEN', `${session.operator.role} may not ${command}`));
      }
    }

    const input = spec.input.safeParse(envelope.data.input ?? {});
    if (!input.success) return respond(err('INVALID_INPUT', `invalid input for ${command}`, { issues: issuesOf(input.error) }));

    try {
      return respond(await run(command, input.data as ParsedInput<typeof command>, { connection, session }));
    } catch (error) {
      if (error instanceof WriteQueueClosedError) return respond(err('STORAGE_FAILED', 'the station is shutting down; nothing was written'));
      log.error(`command ${command} failed`, error);
      return respond(err('INTERNAL', 'the station hit an internal error; nothing was committed unless the history shows it'));
    }
  }

  return { dispatch, onEvent: (listener) => events.on(listener) };
}
