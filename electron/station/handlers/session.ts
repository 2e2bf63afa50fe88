import { parseDocument } from '../../../core/schema/upgrades.js';
import { err, ok } from '../../../core/contract/result.js';
import { docId, type OperatorDoc } from '../../../core/schema/documents.js';
import type { OperatorRef } from '../../../core/schema/primitives.js';
import type { StationContext } from '../context.js';
import { requireSession } from '../context.js';
import { isNotFound } from '../database.js';
import { decoyPasswordHash, verifyPassword } from '../passwords.js';
import type { CommandHandlers } from './types.js';

export async function loadOperator(ctx: StationContext, staffNo: string): Promise<OperatorDoc | null> {
  try {
    return parseDocument('operator', await ctx.dbs.master.get(docId.operator(staffNo)));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Checks a staff number and password; an unknown number costs the same time as a wrong password. */
export async function checkCredentials(ctx: StationContext, staffNo: string, password: string): Promise<OperatorDoc | null> {
  const operator = await loadOperator(ctx, staffNo);
  const passwordOk = await verifyPassword(password, operator?.passwordHash ?? (await decoyPasswordHash()));
  return operator && operator.active && passwordOk ? operator : null;
}

/** Roles whose credentials approve what a clerk may not do alone (reversals, refunds, 补卡, inspection overrides). */
const APPROVER_ROLES: ReadonlySet<string> = new Set(['supervisor', 'manager']);

/**
 * A supervisor's approval: their own credentials, a supervisor's role. A refused approval is
 * audited (someone tried a password), an accepted one is recorded by the caller with what it approved.
 */
export async function approve(
  ctx: StationContext,
  approver: { readonly staffNo: string; readonly password: string },
  about: { readonly requestedBy: string; readonly subject: string; readonly action: string },
): Promise<OperatorRef | null> {
  const approving = await checkCredentials(ctx, approver.staffNo, approver.password);
  if (approving && APPROVER_ROLES.has(approving.role)) return { staffNo: approving.staffNo, name: approving.name };
  await ctx.writer.run(() =>
    ctx.audit.append([{ kind: 'approval-refused', actor: approver.staffNo, subject: about.subject, detail: { requestedBy: about.requestedBy, action: about.action } }]),
  );
  return null;
}

export const sessionHandlers = {
  'station.info': (_input, _call, ctx) =>
    Promise.resolve(
      ok({
        stationId: ctx.config.stationId,
        stationName: ctx.config.stationName,
        stationKind: ctx.config.stationKind,
        utilityName: ctx.config.utilityName,
        demo: ctx.config.demo,
        idleLockSeconds: ctx.config.idleLockSeconds,
        timeZone: ctx.config.timeZone,
        version: ctx.version,
        serverTime: ctx.clock.now().toISOString(),
        accountsIndexed: ctx.accounts.size,
      }),
    ),

  'session.login': async ({ staffNo, password }, call, ctx) => {
    if (ctx.loginThrottle.isThrottled(staffNo)) {
      return err('LOGIN_THROTTLED', 'too many failed logins for this staff number; wait a minute');
    }
    const operator = await checkCredentials(ctx, staffNo, password);
    if (!operator) {
      ctx.loginThrottle.recordFailure(staffNo);
      await ctx.writer.run(() => ctx.audit.append([{ kind: 'login-failed', actor: staffNo, subject: null, detail: { transport: call.connection.transport } }]));
      return err('LOGIN_FAILED', 'wrong staff number or password');
    }
    ctx.loginThrottle.recordSuccess(staffNo);
    const session = ctx.sessions.open({ staffNo: operator.staffNo, name: operator.name, role: operator.role });
    await ctx.writer.run(() => ctx.audit.append([{ kind: 'login', actor: staffNo, subject: null, detail: { role: operator.role, transport: call.connection.transport } }]));
    return ok({ session: session.token, operator: session.operator, idleLockSeconds: ctx.config.idleLockSeconds });
  },

  'session.current': (_input, call) => Promise.resolve(ok(requireSession(call).operator)),

  'session.unlock': async ({ password }, call, ctx) => {
    const session = requireSession(call);
    const operator = await checkCredentials(ctx, session.operator.staffNo, password);
    if (!operator) {
      await ctx.writer.run(() => ctx.audit.append([{ kind: 'login-failed', actor: session.operator.staffNo, subject: 'unlock', detail: {} }]));
      return err('LOGIN_FAILED', 'wrong password');
    }
    ctx.sessions.unlock(session);
    await ctx.writer.run(() => ctx.audit.append([{ kind: 'unlock', actor: session.operator.staffNo, subject: null, detail: {} }]));
    return ok(session.operator);
  },

  'session.lock': (_input, call, ctx) => {
    ctx.sessions.lock(requireSession(call));
    return Promise.resolve(ok({ locked: true as const }));
  },

  'session.logout': async (_input, call, ctx) => {
    const session = requireSession(call);
    ctx.sessions.end(session);
    await ctx.writer.run(() => ctx.audit.append([{ kind: 'logout', actor: session.operator.staffNo, subject: null, detail: {} }]));
    return ok({ loggedOut: true as const });
  },
} satisfies Pick<CommandHandlers, 'station.info' | 'session.login' | 'session.current' | 'session.unlock' | 'session.lock' | 'session.logout'>;
