import { err, ok } from '../../../core/contract/result.js';
import { creditBalance, makeEntryId } from '../../../core/ledger/rules.js';
import { fen, negFen } from '../../../core/money/money.js';
import { CURRENT_SCHEMA_VERSION, docId } from '../../../core/schema/documents.js';
import { allTransfers, transferView } from '../account-overlay.js';
import { loadAccount, loadBills, tariffVersionFor, toEntryView, today } from '../account-view.js';
import { listConflicts, resolveConflict } from '../conflicts.js';
import { requireSession } from '../context.js';
import { commitEntry } from '../ledger-writer.js';
import { transferOwnership } from '../transfer-service.js';
import { approve } from './session.js';
import type { CommandHandlers } from './types.js';

export const transferHandlers = {
  'accounts.transfer': (input, call, ctx) => {
    const { operator } = requireSession(call);
    return transferOwnership(ctx, { staffNo: operator.staffNo, name: operator.name }, input);
  },

  'transfers.list': async ({ state }, _call, ctx) => {
    const wanted = state ?? 'rejected';
    const transfers = (await allTransfers(ctx)).map(transferView).filter((transfer) => transfer.state === wanted);
    return ok({ transfers });
  },

  'credit.refund': async ({ accountNo, amount, method, reference, reason, approver }, call, ctx) => {
    const session = requireSession(call);
    const account = await loadAccount(ctx, accountNo);
    if (!account) return err('ACCOUNT_NOT_FOUND', `no account ${accountNo}`);
    if (method !== 'cash' && reference === undefined) return err('REFERENCE_REQUIRED', 'a refund to a bank card or by QR needs the reference');
    const tariff = tariffVersionFor(ctx, account, today(ctx));
    if (!tariff) return err('NO_TARIFF', `no tariff ${account.tariffCode} in force`);
    if (approver.staffNo === session.operator.staffNo) return err('APPROVER_IS_MAKER', 'the approver must be a supervisor other than the operator making the refund');
    const approvedBy = await approve(ctx, approver, { requestedBy: session.operator.staffNo, subject: accountNo, action: 'credit-refund' });
    if (!approvedBy) return err('APPROVAL_REFUSED', 'the approving credentials are wrong or not a supervisor’s');

    return ctx.writer.run(async () => {
      // The credit is read inside the writer: two refunds of one credit cannot both pass.
      const credit = creditBalance(account.openingCredit, ctx.ledger.forAccount(accountNo), await loadBills(ctx, accountNo));
      if (credit < amount) return err('CREDIT_TOO_LOW', `the account has ${credit} fen of credit`, { credit });
      const now = ctx.clock.now();
      const entryId = makeEntryId(ctx.config.stationId, now, ctx.randomHex(8));
      const out = negFen(fen(amount));
      const result = await commitEntry(
        ctx,
        {
          _id: docId.ledger(entryId),
          type: 'ledger-entry',
          schemaVersion: CURRENT_SCHEMA_VERSION['ledger-entry'],
          entryId,
          kind: 'credit-refund',
          stationId: ctx.config.stationId,
          at: now.toISOString(),
          operator: { staffNo: session.operator.staffNo, name: session.operator.name },
          accountNo,
          tariffVersionId: tariff.versionId,
          amount: out,
          method,
          reference: method === 'cash' ? null : (reference ?? null),
          tendered: null,
          change: null,
          bills: [],
          creditDelta: out,
          reversal: null,
          refund: { reason, approvedBy },
        },
        [{ kind: 'approval', actor: approvedBy.staffNo, subject: accountNo, detail: { action: 'credit-refund', requestedBy: session.operator.staffNo, amount, reason } }],
        { queue: true, refuseWithoutNumber: true },
      );
      if (!result.ok) return result;
      const entry = toEntryView(result.value, undefined);
      ctx.emit('ledger.committed', { accountNo, entry });
      return ok({ entry, replayed: false });
    });
  },

  'sync.conflicts': async (_input, _call, ctx) => ok(await listConflicts(ctx)),

  'sync.resolveConflict': (input, call, ctx) => {
    const { operator } = requireSession(call);
    return resolveConflict(ctx, { staffNo: operator.staffNo, name: operator.name }, input.db, input.id, input.keepRev);
  },
} satisfies Pick<CommandHandlers, 'accounts.transfer' | 'transfers.list' | 'credit.refund' | 'sync.conflicts' | 'sync.resolveConflict'>;
