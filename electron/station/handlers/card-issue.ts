import { err } from '../../../core/contract/result.js';
import { issueCard } from '../card-issue-service.js';
import { requireSession } from '../context.js';
import { approve } from './session.js';
import type { CommandHandlers } from './types.js';

/** Roles whose credentials approve a replacement card 补卡. */

export const cardIssueHandlers = {
  'card.issue': ({ accountNo }, call, ctx) => {
    const { operator } = requireSession(call);
    return issueCard(ctx, { staffNo: operator.staffNo, name: operator.name }, { accountNo, replacement: null });
  },

  'card.replace': async ({ accountNo, reason, approver }, call, ctx) => {
    const { operator } = requireSession(call);
    // A replacement makes the customer's old card worthless: a second person answers for it.
    if (approver.staffNo === operator.staffNo) return err('APPROVER_IS_MAKER', 'a replacement card is approved by a supervisor other than the operator');
    const approvedBy = await approve(ctx, approver, { requestedBy: operator.staffNo, subject: accountNo, action: 'card-replace' });
    if (!approvedBy) return err('APPROVAL_REFUSED', 'the approving credentials are wrong or not a supervisor’s');
    return issueCard(ctx, { staffNo: operator.staffNo, name: operator.name }, { accountNo, replacement: { reason, approvedBy } });
  },
} satisfies Pick<CommandHandlers, 'card.issue' | 'card.replace'>;
