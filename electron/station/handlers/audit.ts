import { ok } from '../../../core/contract/result.js';
import type { CommandHandlers } from './types.js';

export const auditHandlers = {
  'audit.check': async (_input, _call, ctx) => ok(await ctx.audit.verify()),
} satisfies Pick<CommandHandlers, 'audit.check'>;
