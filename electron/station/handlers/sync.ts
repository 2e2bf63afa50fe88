import { ok } from '../../../core/contract/result.js';
import type { CommandHandlers } from './types.js';

export const syncHandlers = {
  'sync.state': async (_input, _call, ctx) => ok(await ctx.sync.state()),

  'sync.now': async (_input, _call, ctx) => ok(await ctx.sync.syncNow()),

  'sync.configureLimits': async (limits, _call, ctx) => ok(await ctx.sync.configureLimits(limits)),
} satisfies Pick<CommandHandlers, 'sync.state' | 'sync.now' | 'sync.configureLimits'>;
