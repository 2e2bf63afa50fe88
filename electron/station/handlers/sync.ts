import { ok } from '../../../core/contract/result.js';
import type { CentralRejection } from '../../../core/contract/sync.js';
import { readDocument } from '../../../core/schema/upgrades.js';
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

  'sync.rejections': async (_input, _call, ctx) => {
    // Outcomes are few (one per opening, card issue or transfer of this station), and live in master.
    const page = await ctx.dbs.master.allDocs({ startkey: 'outcome:', endkey: 'outcome:\uffff', include_docs: true });
    const rejections: CentralRejection[] = [];
    for (const row of page.rows) {
      const parsed = readDocument('event-outcome', row.doc);
      if (!parsed.success) continue;
      const outcome = parsed.data;
      if (outcome.outcome !== 'rejected' || outcome.stationId !== ctx.config.stationId) continue;
      if (outcome.eventKind === 'ownership-transfer') continue;
      rejections.push({ eventDocId: outcome.eventDocId, eventKind: outcome.eventKind, accountNo: outcome.accountNo, reason: outcome.reason, detail: outcome.detail, at: outcome.at });
    }
    return ok({ rejections: rejections.sort((a, b) => (a.at < b.at ? 1 : -1)) });
  },
} satisfies Pick<CommandHandlers, 'sync.state' | 'sync.now' | 'sync.configureLimits' | 'sync.rejections'>;
