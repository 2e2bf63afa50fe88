/** The one way an error result reaches the clerk: the localized text for its code, never the English log message. */
import type { StationError } from '../../core/contract/result.js';
import { useI18n } from '../i18n/i18n.js';
import { isCardIssueReason, isTopupRefusal } from './card.js';
import { offlineLimitText } from './SyncScreen.js';

function describeIssue(issue: unknown): string {
  if (typeof issue === 'string') return issue;
  if (typeof issue === 'object' && issue !== null) {
    const record = issue as Record<string, unknown>;
    const message = typeof record['message'] === 'string' ? record['message'] : JSON.stringify(issue);
    const path = Array.isArray(record['path']) ? record['path'].map(String).join('.') : '';
    return path === '' ? message : `${path}: ${message}`;
  }
  return String(issue);
}

/** `details.issues` of INVALID_INPUT, as one line of small print. */
export function issuesText(error: StationError): string | null {
  if (error.code !== 'INVALID_INPUT') return null;
  const issues = error.details?.['issues'];
  if (!Array.isArray(issues) || issues.length === 0) return null;
  return issues.map(describeIssue).join('；');
}

/** `details.reason` of TOPUP_REFUSED / CARD_REFUSED, as the station's refusal value (or its own text). */
export function refusalReasonOf(error: StationError): string | null {
  if (error.code !== 'TOPUP_REFUSED' && error.code !== 'CARD_REFUSED') return null;
  const reason = error.details?.['reason'];
  return typeof reason === 'string' && reason !== '' ? reason : null;
}

export function ErrorBanner({ error, onDismiss }: { readonly error: StationError; readonly onDismiss?: () => void }) {
  const { t, count, errorText } = useI18n();
  const issues = issuesText(error);
  // Which offline limit was reached, and by how much, says more than the code's general text.
  const offline = offlineLimitText(error, t, count);
  const reason = refusalReasonOf(error);
  const reasonText = reason === null ? null : isTopupRefusal(reason) ? t(`refusal.${reason}`) : isCardIssueReason(reason) ? t(`cardIssue.${reason}`) : reason;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner" data-code={error.code} data-reason={reason ?? undefined}>
      <span className="error-banner__text">
        {offline ?? (reasonText === null ? errorText(error.code) : t('error.withReason', { text: errorText(error.code), reason: reasonText }))}
      </span>
      {issues !== null && <small className="error-banner__issues">{t('error.issues', { issues })}</small>}
      {onDismiss !== undefined && (
        <button type="button" className="error-banner__close" onClick={onDismiss} aria-label={t('error.dismiss')}>
          ×
        </button>
      )}
    </div>
  );
}
