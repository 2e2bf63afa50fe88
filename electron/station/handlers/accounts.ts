import { err, ok } from '../../../core/contract/result.js';
import { openAccount } from '../account-opening.js';
import { accountDetail, loadAccount } from '../account-view.js';
import { requireSession } from '../context.js';
import type { CommandHandlers } from './types.js';

export const accountHandlers = {
  'accounts.search': ({ query, limit }, _call, ctx) => Promise.resolve(ok(ctx.accounts.search(query, limit ?? 20))),

  'accounts.get': async ({ accountNo }, _call, ctx) => {
    const account = await loadAccount(ctx, accountNo);
    if (!account) return err('ACCOUNT_NOT_FOUND', `no account ${accountNo}`);
    return ok(await accountDetail(ctx, account));
  },

  'accounts.open': (input, call, ctx) => {
    const { operator } = requireSession(call);
    return openAccount(ctx, { staffNo: operator.staffNo, name: operator.name }, input);
  },
} satisfies Pick<CommandHandlers, 'accounts.search' | 'accounts.get' | 'accounts.open'>;
