import { ok } from '../../../core/contract/result.js';
import { requireSession } from '../context.js';
import type { CommandHandlers } from './types.js';

export const syncHandlers = {
  'sync.state': async (_input, _call, ctx) => ok(await ctx.sync.state()),

  'sync.now': async (_input, _call, ctx) => ok(await ctx.sync.syncNow()),

  'sync.configureLimits': async (limits, call, ctx) => {
    const session = requireSession(call);
    const before = { ...ctx.config.offlineLimits };
    const state = await ctx.sync.configureLimits(limits);
    // How far a van may sell unseen is a money control: who moved it, and from what, is audited.
    await ctx.writer.run(() => ctx.audit.append([{ kind: 'settings-changed', actor: session.operator.staffNo, subject: 'offlineLimits', detail: { before, after: { ...limits } } }]));
    return ok(state);
  },
} satisfies Pick<CommandHandlers, 'sync.state' | 'sync.now' | 'sync.configureLimits'>;
