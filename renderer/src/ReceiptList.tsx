/**
 * 收据: the receipts this station numbered for one account, newest first (`receipts.list`), with
 * whether each was printed and how often it was printed again, and 重打 per row
 * (`receipts.reprint`, marked 重打 with its count on paper). Kept current from
 * `ledger.committed` (a new receipt) and `printer.changed` (a receipt printed or skipped).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReceiptView } from '../../core/contract/printing.js';
import type { StationError } from '../../core/contract/result.js';
import type { LedgerEntryView } from '../../core/contract/views.js';
import { formatYuan } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/messages.js';
import { ErrorBanner } from './ErrorBanner.js';
import { formatInstant } from './format.js';
import { usePrinter } from './printer.js';
import { useStation } from './station.js';

function kindKey(receipt: ReceiptView, entries: ReadonlyMap<string, LedgerEntryView>): MessageKey {
  switch (receipt.kind) {
    case 'bill-payment':
      return 'receipts.kind.bill-payment';
    case 'top-up':
      return 'receipts.kind.top-up';
    case 'reversal':
      return 'receipts.kind.reversal';
    case 'account-opening':
      return 'receipts.kind.account-opening';
    case 'card-issue': {
      // The receipt does not say which; its ledger entry does, when the account's history has it.
      const issue = receipt.entryId === null ? undefined : entries.get(receipt.entryId)?.cardIssue;
      if (issue === undefined) return 'receipts.kind.card-issue';
      return issue.replacement ? 'receipts.kind.card-issue.replacement' : 'receipts.kind.card-issue.new';
    }
    case 'credit-refund':
      return 'receipts.kind.credit-refund';
    case 'transfer-fee':
      return 'receipts.kind.transfer-fee';
    case 'ownership-transfer':
      return 'receipts.kind.ownership-transfer';
    default: {
      const unreachable: never = receipt.kind;
      return unreachable;
    }
  }
}

function printKey(print: ReceiptView['print']): MessageKey {
  switch (print) {
    case 'printed':
      return 'receipts.print.printed';
    case 'queued':
      return 'receipts.print.queued';
    case 'skipped':
      return 'receipts.print.skipped';
    case 'none':
      return 'receipts.print.none';
  }
}

export function ReceiptList({ accountNo, history }: { readonly accountNo: string; readonly history: readonly LedgerEntryView[] }) {
  const { t, count } = useI18n();
  const { call, client, timeZone } = useStation();
  const printer = usePrinter();
  const [receipts, setReceipts] = useState<readonly ReceiptView[] | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [reprinted, setReprinted] = useState<{ readonly receiptNo: string; readonly n: number } | null>(null);
  const sequence = useRef(0);

  const reload = useCallback(() => {
    sequence.current += 1;
    const mine = sequence.current;
    void call('receipts.list', { accountNo }).then((result) => {
      // A newer reload (another event) may already have answered.
      if (mine !== sequence.current) return;
      if (result.ok) setReceipts(result.value.receipts);
      else setError(result.error);
    });
  }, [call, accountNo]);

  useEffect(() => {
    reload();
  }, [reload]);

  useEffect(() => {
    const offLedger = client.on('ledger.committed', (payload) => {
      if (payload.accountNo === accountNo) reload();
    });
    const offPrinter = client.on('printer.changed', () => reload());
    return () => {
      offLedger();
      offPrinter();
    };
  }, [client, accountNo, reload]);

  const reprint = async (receiptNo: string) => {
    if (busy !== null) return;
    setBusy(receiptNo);
    setError(null);
    setReprinted(null);
    const result = await call('receipts.reprint', { receiptNo });
    setBusy(null);
    if (result.ok) {
      setReprinted({ receiptNo: result.value.receiptNo, n: result.value.reprint });
      reload();
    } else {
      setError(result.error);
    }
  };

  const entries = new Map(history.map((entry) => [entry.entryId, entry]));
  const printerOff = printer?.status === 'off';

  return (
    <div className="receipts">
      {(error !== null || reprinted !== null) && (
        <div className="receipts__notices">
          {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
          {reprinted !== null && (
            <div className="notice small" data-testid="receipt-reprinted" data-receipt-no={reprinted.receiptNo} data-reprint={reprinted.n} role="status">
              {t('receipts.reprinted', { receiptNo: reprinted.receiptNo, n: reprinted.n })}
            </div>
          )}
        </div>
      )}
      <div className="table-wrap">
        {receipts === null ? (
          <div className="empty">{t('receipts.loading')}</div>
        ) : receipts.length === 0 ? (
          <div className="empty" data-testid="receipt-list-empty">
            {t('receipts.none')}
          </div>
        ) : (
          <table className="table" data-testid="receipt-list">
            <thead>
              <tr>
                <th>{t('receipts.no')}</th>
                <th>{t('receipts.at')}</th>
                <th>{t('receipts.kind')}</th>
                <th className="right">{t('receipts.amount')}</th>
                <th className="right">{t('receipts.reprints')}</th>
                <th>{t('receipts.print')}</th>
                <th>{t('receipts.action')}</th>
              </tr>
            </thead>
            <tbody>
              {receipts.map((receipt) => {
                const key = kindKey(receipt, entries);
                const queued = receipt.print === 'queued';
                const blocker = printerOff ? t('receipts.printerOff') : queued ? t('receipts.stillQueued') : null;
                return (
                  <tr
                    key={receipt.receiptNo}
                    data-testid="receipt-row"
                    data-receipt-no={receipt.receiptNo}
                    data-kind={receipt.kind}
                    data-print={receipt.print}
                    data-reprints={receipt.reprints}
                    title={t('receipts.operator', { staffNo: receipt.operatorStaffNo })}
                  >
                    <td className="num nowrap">{receipt.receiptNo}</td>
                    <td className="num nowrap">{formatInstant(receipt.at, timeZone)}</td>
                    <td>
                      <span
                        className={`tag tag--${receipt.kind}`}
                        title={key === 'receipts.kind.card-issue' ? t('receipts.cardIssueHint') : undefined}
                      >
                        {t(key)}
                      </span>
                    </td>
                    <td className="num right">{formatYuan(receipt.amount)}</td>
                    <td className="num right">{receipt.reprints > 0 ? t('receipts.reprintTimes', { n: count(receipt.reprints) }) : '—'}</td>
                    <td>
                      <span className={`tag tag--print-${receipt.print}`}>{t(printKey(receipt.print))}</span>
                    </td>
                    <td>
                      <button
                        type="button"
                        className="button button--small"
                        data-testid="receipt-reprint"
                        disabled={busy !== null || blocker !== null}
                        title={blocker ?? undefined}
                        onClick={() => void reprint(receipt.receiptNo)}
                      >
                        {busy === receipt.receiptNo ? t('receipts.reprinting') : t('receipts.reprint')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
