/**
 * Operator sessions. A session is a bearer token held by the UI's transport and sent with every
 * request, so it survives a WebSocket reconnect and works the same over Electron IPC. Sessions
 * live in memory: a restarted station asks everyone to log in again.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/time/local-date.js';
import type { OperatorView } from '../../core/contract/views.js';

export interface Session {
  readonly token: string;
  readonly operator: OperatorView;
  lastActivity: number;
  locked: boolean;
}

export type SessionLookup =
  | { readonly kind: 'none' }
  | { readonly kind: 'active'; readonly session: Session }
  | { readonly kind: 'locked'; readonly session: Session };

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    private readonly idleLockSeconds: number,
  ) {}

  open(operator: OperatorView): Session {
    const session: Session = { token: randomBytes(32).toString('hex'), operator, lastActivity: this.clock.now().getTime(), locked: false };
    this.sessions.set(session.token, session);
    return session;
  }

  /** Looks a token up; an idle session locks itself here, before the request is served. */
  lookup(token: string | undefined, touch: boolean): SessionLookup {
    if (token === undefined) return { kind: 'none' };
    const session = this.sessions.get(token);
    if (!session) return { kind: 'none' };
    const now = this.clock.now().getTime();
    if (!session.locked && now - session.lastActivity > this.idleLockSeconds * 1000) session.locked = true;
    if (session.locked) return { kind: 'locked', session };
    if (touch) session.lastActivity = now;
    return { kind: 'active', session };
  }

  lock(session: Session): void {
    session.locked = true;
  }

  unlock(session: Session): void {
    session.locked = false;
    session.lastActivity = this.clock.now().getTime();
  }

  end(session: Session): void {
    this.sessions.delete(session.token);
  }
}

/**
 * Failed logins per staff number: after MAX_FAILURES within WINDOW_MS the number is refused for
 * LOCKOUT_MS, so a password cannot be guessed at the counter.
 */
const MAX_FAILURES = 5;
const WINDOW_MS = 5 * 60_000;
const LOCKOUT_MS = 60_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  isThrottled(staffNo: string): boolean {
    const now = this.clock.now().getTime();
    const recent = (this.failures.get(staffNo) ?? []).filter((at) => now - at < WINDOW_MS);
    this.failures.set(staffNo, recent);
    const last = recent[recent.length - 1];
    return recent.length >= MAX_FAILURES && last !== undefined && now - last < LOCKOUT_MS;
  }

  recordFailure(staffNo: string): void {
    const list = this.failures.get(staffNo) ?? [];
    list.push(this.clock.now().getTime());
    this.failures.set(staffNo, list.slice(-MAX_FAILURES));
  }

  recordSuccess(staffNo: string): void {
    this.failures.delete(staffNo);
  }
}
