/**
 * 数据冲突: every document with a CouchDB conflict in the station's databases (`sync.conflicts`),
 * each revision with the fields where it differs from the one in effect. A manager keeps one
 * revision of master data (`sync.resolveConflict`); ledger and station documents are written
 * once and never resolved here, only reported to central. Also the search screen's notices:
 * this station's transfers central rejected, and (for supervisors and managers) a way in here.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ConflictList, TransferView } from '../../core/contract/transfer.js';
import type { CentralRejection } from '../../core/contract/sync.js';
import type { StationError } from '../../core/contract/result.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { formatInstant } from './format.js';
import { useStation } from './station.js';

export function ConflictsScreen({ active, onBack }: { readonly active: boolean; readonly onBack: () => void }) {
  const { t } = useI18n();
  const { call, operator, timeZone } = useStation();
  const [list, setList] = useState<ConflictList | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [resolved, setResolved] = useState<string | null>(null);
  const canResolve = operator?.role === 'manager' || operator?.role === 'admin';

  const load = useCallback(async () => {
    const result = await call('sync.conflicts', {});
    if (result.ok) {
      setList(result.value);
      setError(null);
    } else {
      setError(result.error);
    }
  }, [call]);

  useEffect(() => {
    if (!active) return;
    let live = true;
    void (async () => {
      const result = await call('sync.conflicts', {});
      if (!live) return;
      if (result.ok) setList(result.value);
      else setError(result.error);
    })();
    return () => {
      live = false;
    };
  }, [active, call]);

  const keep = async (db: ConflictList['conflicts'][number]['db'], id: string, rev: string) => {
    if (busy !== null) return;
    setBusy(`${id}@${rev}`);
    const result = await call('sync.resolveConflict', { db, id, keepRev: rev });
    setBusy(null);
    if (result.ok) {
      setResolved(rev);
      await load();
    } else {
      setError(result.error);
    }
  };

  return (
    <main className="settings conflicts" data-testid="conflicts-screen">
      <div className="settings__card">
        <h1 className="settings__title">{t('conflicts.title')}</h1>
        {!canResolve && <div className="notice small">{t('conflicts.readOnly')}</div>}
        {list !== null && <div className="muted small">{t('conflicts.scannedAt', { at: formatInstant(list.scannedAt, timeZone) })}</div>}
        {resolved !== null && <div className="notice" data-testid="conflicts-resolved">{t('conflicts.resolved', { rev: resolved })}</div>}
        {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
        {list !== null && list.conflicts.length === 0 && <div className="notice" data-testid="conflicts-none">{t('conflicts.none')}</div>}
        {list?.conflicts.map((conflict) => (
          <section key={`${conflict.db}:${conflict.id}`} className="conflict" data-testid="conflict" data-id={conflict.id} data-db={conflict.db}>
            <h2 className="conflict__id">
              <span className="tag">{conflict.db}</span> <span className="num">{conflict.id}</span>
            </h2>
            {!conflict.resolvable && <div className="notice notice--danger" data-testid="conflict-report">{t('conflicts.report')}</div>}
            <table className="table">
              <thead>
                <tr>
                  <th>{t('conflicts.rev')}</th>
                  <th>{t('conflicts.field')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {conflict.revisions.map((revision) => (
                  <tr key={revision.rev} data-testid="conflict-revision" data-rev={revision.rev}>
                    <td className="num">
                      {revision.rev.slice(0, 12)}
                      {revision.winner && <span className="tag"> {t('conflicts.winner')}</span>}
                    </td>
                    <td className="small">
                      {revision.differences.length === 0 ? '—' : revision.differences.map((d) => `${d.field}: ${d.value} (≠ ${d.winnerValue})`).join('；')}
                    </td>
                    <td>
                      {conflict.resolvable && canResolve && (
                        <button
                          type="button"
                          className="button button--small"
                          data-testid="conflict-keep"
                          disabled={busy !== null}
                          onClick={() => void keep(conflict.db, conflict.id, revision.rev)}
                        >
                          {t('conflicts.keep')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
        <div className="dialog__buttons settings__buttons">
          <button type="button" className="button" data-testid="conflicts-refresh" onClick={() => void load()}>
            {t('conflicts.refresh')}
          </button>
          <button type="button" className="button button--primary" data-testid="conflicts-back" onClick={onBack}>
            {t('conflicts.back')}
          </button>
        </div>
      </div>
    </main>
  );
}

/** Above the search: this station's transfers central rejected, and the way to the conflicts list for those who oversee. */
const KNOWN_REJECTIONS = ['account-exists', 'number-not-granted', 'card-superseded', 'no-account'] as const;
function isKnownRejection(reason: string | null): reason is (typeof KNOWN_REJECTIONS)[number] {
  return (KNOWN_REJECTIONS as readonly (string | null)[]).includes(reason);
}

export function SyncNotices({ onConflicts }: { readonly onConflicts: () => void }) {
  const { t } = useI18n();
  const { call, operator } = useStation();
  const [rejected, setRejected] = useState<readonly TransferView[]>([]);
  const [refused, setRefused] = useState<readonly CentralRejection[]>([]);
  const [conflicts, setConflicts] = useState<number | null>(null);
  const overseeing = operator?.role === 'supervisor' || operator?.role === 'manager' || operator?.role === 'admin';

  useEffect(() => {
    let live = true;
    void (async () => {
      const transfers = await call('transfers.list', { state: 'rejected' });
      if (live && transfers.ok) setRejected(transfers.value.transfers);
      const rejections = await call('sync.rejections', {});
      if (live && rejections.ok) setRefused(rejections.value.rejections);
      if (!overseeing) return;
      const found = await call('sync.conflicts', {});
      if (live && found.ok) setConflicts(found.value.conflicts.length);
    })();
    return () => {
      live = false;
    };
  }, [call, overseeing]);

  if (rejected.length === 0 && refused.length === 0 && !overseeing) return null;
  return (
    <div className="sync-notices" data-testid="search-sync-notices">
      {rejected.length > 0 && (
        <div className="notice notice--danger" data-testid="rejected-transfers-banner">
          <b>{t('transfer.rejectedBanner', { n: rejected.length })}</b>
          <ul className="notice__list">
            {rejected.map((transfer) => (
              <li key={transfer.eventId}>
                {t('transfer.rejectedItem', {
                  accountNo: transfer.accountNo,
                  previous: transfer.previousOwnerName,
                  next: transfer.newOwnerName,
                  reason: transfer.reason === 'owner-changed' || transfer.reason === 'no-account' ? t(`transfer.reason.${transfer.reason}`) : (transfer.detail ?? transfer.reason ?? ''),
                })}
              </li>
            ))}
          </ul>
        </div>
      )}
      {refused.length > 0 && (
        <div className="notice notice--danger" data-testid="central-rejections-banner">
          <b>{t('rejection.banner', { n: refused.length })}</b>
          <ul className="notice__list">
            {refused.map((rejection) => (
              <li key={rejection.eventDocId} data-testid="central-rejection">
                {t('rejection.item', {
                  kind: t(`rejection.kind.${rejection.eventKind}`),
                  accountNo: rejection.accountNo,
                  reason: isKnownRejection(rejection.reason) ? t(`rejection.reason.${rejection.reason}`) : (rejection.detail ?? rejection.reason ?? ''),
                })}
              </li>
            ))}
          </ul>
        </div>
      )}
      {overseeing && (
        <button type="button" className={conflicts !== null && conflicts > 0 ? 'button button--danger button--small' : 'button button--small'} data-testid="conflicts-button" onClick={onConflicts}>
          {t('conflicts.menu')}
          {conflicts !== null ? ` (${conflicts})` : ''}
        </button>
      )}
    </div>
  );
}
