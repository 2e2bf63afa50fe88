/**
 * The print queue stopped on a receipt: a banner under the status bar, never a dialog. It says
 * why in words, which receipt it stopped on, and that the sale is safe (the receipt is saved
 * with the entry). 重试 sends the job again now (the queue also goes on by itself once the
 * printer is fine). When the job reached the printer but the printer did not say it was fine
 * after, the receipt may be on paper: the clerk looks and says 已打出 (came out) or 重新打印.
 * 跳过 lets the receipt go (it can be reprinted from the account's receipts), after a short
 * confirm in the banner itself.
 *
 * It never takes focus: its buttons keep the focus where the clerk was typing, so the payment
 * keys (F4, Enter, Enter) work exactly as before, and a dialog's backdrop covers it.
 */
import { useState, type MouseEvent } from 'react';
import type { PrinterState } from '../../core/contract/printing.js';
import type { StationError } from '../../core/contract/result.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { handlesPrinting, problemKey, usePrinter } from './printer.js';
import { useStation } from './station.js';

type BlockedJob = NonNullable<PrinterState['blockedJob']>;

const keepFocus = (event: MouseEvent) => event.preventDefault();

export function PrinterBanner() {
  const printer = usePrinter();
  if (printer === null || printer.status !== 'blocked' || printer.blockedJob === null) return null;
  // A new job stopped: a fresh banner (no half-answered skip question carried over).
  return <Blocked key={printer.blockedJob.jobId} printer={printer} job={printer.blockedJob} />;
}

function Blocked({ printer, job }: { readonly printer: PrinterState; readonly job: BlockedJob }) {
  const { t, count } = useI18n();
  const { call, operator } = useStation();
  const [busy, setBusy] = useState(false);
  const [askSkip, setAskSkip] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const mayAct = operator !== null && handlesPrinting(operator.role);
  const problem = t(problemKey(printer.problem ?? 'error'));
  const others = printer.queued - 1;

  const run = async (action: { kind: 'retry' } | { kind: 'resolve'; outcome: 'came-out' | 'skip' }) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = action.kind === 'retry' ? await call('printer.retry', {}) : await call('printer.resolve', { jobId: job.jobId, outcome: action.outcome });
    setBusy(false);
    setAskSkip(false);
    // On success the state comes back (and as `printer.changed`): the banner goes or moves on.
    if (!result.ok) setError(result.error);
  };

  return (
    <div
      className="printer-banner"
      role="alert"
      data-testid="printer-banner"
      data-problem={printer.problem ?? undefined}
      data-receipt-no={job.receiptNo}
      data-uncertain={job.uncertain}
    >
      <div className="printer-banner__text">
        {/* The printer's own words (English, for the log and a curious manager) only on hover. */}
        <span className="printer-banner__problem" title={printer.detail === null || printer.detail === '' ? undefined : t('printer.detail', { detail: printer.detail })}>
          ⚠ {problem}
        </span>
        <span className="printer-banner__receipt">
          {t('printer.banner.stoppedOn', { receiptNo: job.receiptNo })}
        </span>
        <span className="printer-banner__safe">{t('printer.banner.safe')}</span>
        {job.uncertain ? (
          <span className="printer-banner__uncertain" data-testid="printer-uncertain">
            {t('printer.banner.uncertain')}
          </span>
        ) : (
          <span className="printer-banner__hint">{t('printer.banner.auto')}</span>
        )}
        {others > 0 && <span className="printer-banner__hint">{t('printer.banner.more', { n: count(others) })}</span>}
      </div>
      {!mayAct ? (
        <span className="printer-banner__hint">{t('printer.banner.noRole')}</span>
      ) : askSkip ? (
        <div className="printer-banner__buttons" data-testid="printer-skip-ask">
          <span className="printer-banner__ask">{t('printer.skipAsk')}</span>
          <button
            type="button"
            className="button button--small button--danger"
            data-testid="printer-skip-confirm"
            disabled={busy}
            onMouseDown={keepFocus}
            onClick={() => void run({ kind: 'resolve', outcome: 'skip' })}
          >
            {t('printer.skipYes')}
          </button>
          <button type="button" className="button button--small" data-testid="printer-skip-cancel" disabled={busy} onMouseDown={keepFocus} onClick={() => setAskSkip(false)}>
            {t('printer.skipNo')}
          </button>
        </div>
      ) : (
        <div className="printer-banner__buttons">
          {job.uncertain && (
            <button
              type="button"
              className="button button--small button--primary"
              data-testid="printer-came-out"
              disabled={busy}
              onMouseDown={keepFocus}
              onClick={() => void run({ kind: 'resolve', outcome: 'came-out' })}
            >
              {t('printer.cameOut')}
            </button>
          )}
          <button
            type="button"
            className={job.uncertain ? 'button button--small' : 'button button--small button--primary'}
            data-testid="printer-retry"
            disabled={busy}
            onMouseDown={keepFocus}
            onClick={() => void run({ kind: 'retry' })}
          >
            {job.uncertain ? t('printer.reprint') : t('printer.retry')}
          </button>
          <button type="button" className="button button--small" data-testid="printer-skip" disabled={busy} onMouseDown={keepFocus} onClick={() => setAskSkip(true)}>
            {t('printer.skip')}
          </button>
        </div>
      )}
      {error !== null && (
        <div className="printer-banner__error">
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
        </div>
      )}
    </div>
  );
}
