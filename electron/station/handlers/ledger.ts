import { err, ok } from '../../../core/contract/result.js';
import { reversalEntryId, reversalRefusal, cancellingAmounts, creditBalance } from '../../../core/ledger/rules.js';
import { CURRENT_SCHEMA_VERSION, docId } from '../../../core/schema/documents.js';
import { loadAccount, loadBills, toEntryView } from '../account-view.js';
import { requireSession } from '../context.js';
import { commitEntry, findCommitted, type UncommittedEntry } from '../ledger-writer.js';
import { approve } from './session.js';
import type { CommandHandlers } from './types.js';


export const ledgerHandlers = {
  'ledger.reverse': async ({ entryId, reason, approver }, call, ctx) => {
    const session = requireSession(call);
    const reversalId = reversalEntryId(ctx.config.stationId, entryId);
    const earlier = await findCommitted(ctx, reversalId);
    if (earlier) return ok({ entry: toEntryView(earlier, undefined), replayed: true });

    const original = await findCommitted(ctx, entryId);
    if (!original) return err('ENTRY_NOT_FOUND', `no ledger entry ${entryId}`);
    const refusal = reversalRefusal(original, ctx.ledger.forAccount(original.accountNo));
    if (refusal === 'not-reversible') return err('NOT_REVERSIBLE', 'a reversal cannot be reversed');
    if (refusal === 'card-required') return err('CARD_REQUIRED', 'a top-up is cancelled on its card: insert the card and use the top-up cancel');
    if (refusal === 'already-reversed') return err('ALREADY_REVERSED', 'this entry was already reversed', { reversedBy: ctx.ledger.reversalOf(entryId)?.entryId ?? null });
    if (approver.staffNo === original.operator.staffNo) {
      return err('APPROVER_IS_MAKER', 'the approver must be a supervisor other than the operator who made the entry');
    }
    const approvedBy = await approve(ctx, approver, { requestedBy: session.operator.staffNo, subject: entryId, action: 'reversal' });
    if (!approvedBy) return err('APPROVAL_REFUSED', 'the approving credentials are wrong or not a supervisor’s');

    return ctx.writer.run(async () => {
      const again = await findCommitted(ctx, reversalId);
      if (again) return ok({ entry: toEntryView(again, undefined), replayed: true });
      if (ctx.ledger.reversalOf(entryId)) return err('ALREADY_REVERSED', 'this entry was already reversed');
      const { amount, creditDelta } = cancellingAmounts(original);
      const reversal: UncommittedEntry = {
        _id: docId.ledger(reversalId),
        type: 'ledger-entry',
        schemaVersion: CURRENT_SCHEMA_VERSION['ledger-entry'],
        entryId: reversalId,
        kind: 'reversal',
        stationId: ctx.config.stationId,
        at: ctx.clock.now().toISOString(),
        operator: { staffNo: session.operator.staffNo, name: session.operator.name },
        accountNo: original.accountNo,
        tariffVersionId: original.tariffVersionId,
        amount,
        method: original.method,
        reference: null,
        tendered: null,
        change: null,
        bills: original.bills,
        creditDelta,
        reversal: { reversesEntryId: original.entryId, reason, approvedBy },
      };
      // Reversing the payment that settled a bill paid twice hands the bill to the other payment,
      // and that payment's credit goes; if the credit was spent meanwhile the account would owe it.
      const account = await loadAccount(ctx, original.accountNo);
      if (account) {
        const after = creditBalance(account.openingCredit, [...ctx.ledger.forAccount(original.accountNo), { ...reversal, auditSeq: 1 }], await loadBills(ctx, original.accountNo));
        if (after < 0) return err('CREDIT_TOO_LOW', 'reversing this entry would take back credit the account has already used', { creditAfter: after });
      }
      const result = await commitEntry(
        ctx,
        reversal,
        [{ kind: 'approval', actor: approvedBy.staffNo, subject: original.entryId, detail: { action: 'reversal', requestedBy: session.operator.staffNo, reason } }],
        { queue: true, refuseWithoutNumber: true },
      );
      if (!result.ok) return result;
      const entry = toEntryView(result.value, undefined);
      ctx.emit('ledger.committed', { accountNo: entry.accountNo, entry });
      return ok({ entry, replayed: false });
    });
  },
} satisfies Pick<CommandHandlers, 'ledger.reverse'>;
