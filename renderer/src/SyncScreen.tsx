/**
 * 同步: the station's replication with central as the screens see it. `SyncProvider` holds the
 * state (`sync.state`, then every `sync.changed`) for the whole logged-in shell; the status bar
 * reads it through `useSync`. The sync screen shows it in full with 立即同步 and a progress bar
 * during big pulls; managers also see the last error, the conflicts and the number ranges, and
 * `OfflineLimitsSection` (in the settings too) lets them change the offline limits.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { StationError } from '../../core/contract/result.js';
import type { LimitLevel, NumberRangeUsage, SyncDatabase, SyncMode, SyncState } from '../../core/contract/sync.js';
import { fen, parseYuan, type Fen } from '../../core/money/money.js';
import { useI18n, type I18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/messages.js';
import { ErrorBanner } from './ErrorBanner.js';
import { formatInstant } from './format.js';
import { configuresStation } from './printer.js';
import { useLiveState } from './live-state.js';
import { useEscapeBack } from './escape-back.js';
import { useStation } from './station.js';

const SyncContext = createContext<SyncState | null>(null);

/** Null until the station first answered `sync.state`. */
export function useSync(): SyncState | null {
  return useContext(SyncContext);
}

/** Keeps the sync state current while a session is on screen (like PrinterProvider). */
export function SyncProvider({ children }: { readonly children: ReactNode }) {
  const { client } = useStation();
  const state = useLiveState(client, 'sync');
  return <SyncContext value={state}>{children}</SyncContext>;
}

/** Milliseconds as 35分钟 / 5小时12分 / 3天4小时. */
export function formatDuration(ms: number, t: I18n['t']): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return t('duration.minutes', { m: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('duration.hours', { h: hours, m: minutes % 60 });
  return t('duration.days', { d: Math.floor(hours / 24), h: hours % 24 });
}

/** ￥1,200 (whole yuan; the limits are round sums). */
export function formatYuanShort(amount: number, count: I18n['count']): string {
  const yuan = amount / 100;
  return Number.isInteger(yuan) ? `￥${count(yuan)}` : `￥${count(Math.round(yuan * 100) / 100)}`;
}

/** Time off line now: from the state's own offline time plus what passed since it was made. */
export function useOfflineMs(state: SyncState | null): number {
  const [screenNow, setScreenNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setScreenNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  const { clockOffsetMs } = useStation();
  if (state === null || state.offlineSince === null || state.online) return 0;
  // The station's own figure when it is newer than this screen's last tick.
  const stationNow = Math.max(screenNow + clockOffsetMs, Date.parse(state.at));
  return Math.max(0, stationNow - Date.parse(state.offlineSince));
}

export function modeKey(mode: SyncMode): MessageKey {
  switch (mode) {
    case 'standalone':
      return 'sync.mode.standalone';
    case 'starting':
      return 'sync.mode.starting';
    case 'provisioning':
      return 'sync.mode.provisioning';
    case 'syncing':
      return 'sync.mode.syncing';
    case 'idle':
      return 'sync.mode.idle';
    case 'offline':
      return 'sync.mode.offline';
    case 'stopped':
      return 'sync.mode.stopped';
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}

export function databaseKey(database: SyncDatabase): MessageKey {
  switch (database) {
    case 'master':
      return 'sync.db.master';
    case 'district':
      return 'sync.db.district';
    case 'operators':
      return 'sync.db.operators';
    case 'inbox':
      return 'sync.db.inbox';
    case 'station':
      return 'sync.db.station';
    default: {
      const unreachable: never = database;
      return unreachable;
    }
  }
}

/** The worse of two levels: what colours the status bar. */
export function worstLevel(a: LimitLevel, b: LimitLevel): LimitLevel {
  if (a === 'reached' || b === 'reached') return 'reached';
  if (a === 'near' || b === 'near') return 'near';
  return 'ok';
}

/**
 * What the station looks like to the clerk: 'standalone' (单机), 'online' (已同步), 'syncing' (同步中,
 * with progress), 'offline' (离线) or 'error'. A station that cannot reach central is offline
 * whatever its phase says (it may be retrying).
 */
export type SyncLook = 'standalone' | 'online' | 'syncing' | 'offline' | 'starting';

export function syncLook(state: SyncState): SyncLook {
  if (state.mode === 'standalone') return 'standalone';
  if (state.mode === 'provisioning' || (state.mode === 'syncing' && state.progress !== null)) return 'syncing';
  if (state.online) return state.mode === 'syncing' ? 'syncing' : 'online';
  if (state.mode === 'starting' && state.lastError === null) return 'starting';
  return 'offline';
}

function ProgressBar({ progress }: { readonly progress: NonNullable<SyncState['progress']> }) {
  const { t, count } = useI18n();
  const share = progress.total === null || progress.total === 0 ? null : Math.min(1, progress.done / progress.total);
  return (
    <div className="sync-progress" data-testid="sync-progress">
      <div className="sync-progress__label">
        <span>{t(databaseKey(progress.database))}</span>
        <span className="num">{progress.total === null ? count(progress.done) : t('sync.bar.progress', { done: count(progress.done), total: count(progress.total) })}</span>
      </div>
      <div
        className={share === null ? 'sync-progress__track sync-progress__track--unknown' : 'sync-progress__track'}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={progress.total ?? undefined}
        aria-valuenow={progress.done}
      >
        <div className="sync-progress__fill" style={{ width: share === null ? '30%' : `${Math.round(share * 100)}%` }} />
      </div>
    </div>
  );
}

function RangeRow({ label, usage, testId }: { readonly label: string; readonly usage: NumberRangeUsage; readonly testId: string }) {
  const { t, count } = useI18n();
  return (
    <div data-testid={testId} data-left={usage.left} data-low={usage.low}>
      <dt>{label}</dt>
      <dd className={usage.low ? 'text-danger' : undefined}>
        <span className="num">{count(usage.left)}</span>
        <span className="muted small"> · {t(usage.source === 'grants' ? 'sync.range.source.grants' : 'sync.range.source.config')}</span>
        {usage.grantsWaiting > 0 && <span className="muted small"> · {t('sync.range.waiting', { n: usage.grantsWaiting })}</span>}
        {usage.low && <div className="small">⚠ {t('sync.range.low')}</div>}
      </dd>
    </div>
  );
}

function levelClass(level: LimitLevel): string | undefined {
  return level === 'reached' ? 'text-danger' : level === 'near' ? 'text-warning' : undefined;
}

export function SyncScreen({ active, onBack, onConflicts }: { readonly active: boolean; readonly onBack: () => void; readonly onConflicts?: () => void }) {
  const { t, count } = useI18n();
  const { call, operator, timeZone } = useStation();
  const live = useSync();
  const [answered, setAnswered] = useState<SyncState | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const state = live !== null && (answered === null || live.at >= answered.at) ? live : answered;
  const offlineMs = useOfflineMs(state);
  const manager = operator !== null && configuresStation(operator.role);
  const serving = operator !== null && operator.role !== 'admin';

  useEscapeBack(active, onBack);

  const syncNow = useCallback(async () => {
    setBusy(true);
    setError(null);
    const result = await call('sync.now', {});
    setBusy(false);
    if (result.ok) setAnswered(result.value);
    else setError(result.error);
  }, [call]);

  const instant = (iso: string | null) => (iso === null ? t('sync.never') : formatInstant(iso, timeZone));

  return (
    <main className="settings sync-screen" data-testid="sync-screen">
      <div className="settings__card">
        <h1 className="settings__title">{t('sync.title')}</h1>
        {state === null ? null : state.mode === 'standalone' ? (
          <div className="notice small" data-testid="sync-standalone">
            {t('sync.standaloneHint')}
          </div>
        ) : (
          <>
            <dl className="totals totals--entry settings__current">
              <div>
                <dt>{t('sync.state')}</dt>
                <dd data-testid="sync-screen-state" data-look={syncLook(state)} className={state.online ? undefined : 'text-danger'}>
                  {t(modeKey(state.mode))}
                  {!state.online && state.offlineSince !== null && <span> · {formatDuration(offlineMs, t)}</span>}
                </dd>
              </div>
              <div>
                <dt>{t('sync.central')}</dt>
                <dd className="num">
                  {state.centralUrl}
                  <span className="muted"> · {t('sync.district')} {state.district}</span>
                </dd>
              </div>
              <div>
                <dt>{t('sync.lastSuccess')}</dt>
                <dd className="num" data-testid="sync-last-success">
                  {instant(state.lastSuccessAt)}
                </dd>
              </div>
              {!state.online && state.offlineSince !== null && (
                <div>
                  <dt>{t('sync.offlineSince')}</dt>
                  <dd className="num">{instant(state.offlineSince)}</dd>
                </div>
              )}
              <div>
                <dt>{t('sync.pending')}</dt>
                <dd className="num" data-testid="sync-pending">
                  {count(state.pendingPush)}
                </dd>
              </div>
              {manager && (
                <>
                  <div>
                    <dt>{t('sync.lastError')}</dt>
                    <dd className={state.lastError === null ? 'muted' : 'text-danger small sync-screen__error'} data-testid="sync-last-error">
                      {state.lastError === null ? t('sync.none') : `${formatInstant(state.lastError.at, timeZone)} · ${state.lastError.message}`}
                    </dd>
                  </div>
                  <div>
                    <dt>{t('sync.conflicts')}</dt>
                    <dd data-testid="sync-conflicts" className={state.conflicts > 0 ? 'text-danger' : undefined}>
                      <span className="num">{count(state.conflicts)}</span>
                      {state.conflicts > 0 && onConflicts !== undefined && (
                        <button type="button" className="button button--small button--link" onClick={onConflicts}>
                          {t('sync.conflictsOpen')}
                        </button>
                      )}
                    </dd>
                  </div>
                </>
              )}
            </dl>
            {state.progress !== null && <ProgressBar progress={state.progress} />}
            {state.usage !== null && (
              <>
                <h2 className="settings__subtitle">{t('sync.limitsTitle')}</h2>
                <dl className="totals totals--entry" data-testid="sync-limits">
                  <div>
                    <dt>{t('sync.limit.hours')}</dt>
                    <dd className={levelClass(state.usage.hoursLevel)}>
                      {t('sync.limit.of', { used: formatDuration(offlineMs, t), max: t('sync.limit.hoursValue', { h: state.usage.limits.maxOfflineHours }) })}
                    </dd>
                  </div>
                  <div>
                    <dt>{t('sync.limit.sales')}</dt>
                    <dd className={levelClass(state.usage.salesLevel)}>
                      {t('sync.limit.of', { used: formatYuanShort(state.usage.offlineSales, count), max: formatYuanShort(state.usage.limits.maxTotalSales, count) })}
                    </dd>
                  </div>
                  <div>
                    <dt>{t('sync.limit.single')}</dt>
                    <dd>{formatYuanShort(state.usage.limits.maxSingleSale, count)}</dd>
                  </div>
                  {state.usage.offline && (
                    <div>
                      <dt>{t('sync.limit.largestNow')}</dt>
                      <dd data-testid="sync-largest-now">{formatYuanShort(state.usage.largestSaleNow, count)}</dd>
                    </div>
                  )}
                </dl>
                <div className="muted small">{t('sync.limitsHint')}</div>
              </>
            )}
          </>
        )}
        {state !== null && (manager || state.mode !== 'standalone') && (
          <>
            <h2 className="settings__subtitle">{t('sync.rangesTitle')}</h2>
            <dl className="totals totals--entry">
              <RangeRow label={t('sync.range.receipt')} usage={state.ranges.receipt} testId="sync-range-receipt" />
              <RangeRow label={t('sync.range.account')} usage={state.ranges.account} testId="sync-range-account" />
            </dl>
          </>
        )}
        {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
        <div className="dialog__buttons settings__buttons">
          <button type="button" className="button" data-testid="sync-back" onClick={onBack}>
            {t('sync.back')}
          </button>
          {serving && state !== null && state.mode !== 'standalone' && (
            <button type="button" className="button button--primary" data-testid="sync-now" disabled={busy} onClick={() => void syncNow()}>
              {busy ? t('sync.nowBusy') : t('sync.now')}
            </button>
          )}
        </div>
      </div>
      {manager && <OfflineLimitsSection />}
    </main>
  );
}

function yuanText(amount: number): string {
  return (amount / 100).toFixed(0);
}

/** Managers change the offline limits (`sync.configureLimits`); everyone else does not see this. */
export function OfflineLimitsSection() {
  const { operator } = useStation();
  const state = useSync();
  const canChange = operator !== null && configuresStation(operator.role);
  const limits = state?.usage?.limits ?? null;
  // The form starts from the limits as first known; later events do not overwrite what is typed.
  return canChange && limits !== null ? <OfflineLimitsForm initial={limits} /> : null;
}

function OfflineLimitsForm({ initial }: { readonly initial: NonNullable<SyncState['usage']>['limits'] }) {
  const { t } = useI18n();
  const { call } = useStation();
  const [hours, setHours] = useState(() => String(initial.maxOfflineHours));
  const [single, setSingle] = useState(() => yuanText(initial.maxSingleSale));
  const [total, setTotal] = useState(() => yuanText(initial.maxTotalSales));
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const [invalid, setInvalid] = useState(false);

  const parse = (text: string): Fen | null => {
    try {
      return parseYuan(text.trim());
    } catch {
      return null;
    }
  };

  const save = async () => {
    const h = Number(hours.trim());
    const s = parse(single);
    const tot = parse(total);
    if (!Number.isInteger(h) || h < 1 || h > 720 || s === null || tot === null || s < 0 || tot < 0) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setBusy(true);
    setSaved(false);
    setError(null);
    const result = await call('sync.configureLimits', { maxOfflineHours: h, maxSingleSale: fen(s), maxTotalSales: fen(tot) });
    setBusy(false);
    if (result.ok) setSaved(true);
    else setError(result.error);
  };

  return (
    <section className="settings__card" data-testid="offline-limits">
      <h2 className="settings__title">{t('limits.title')}</h2>
      <div className="field-row">
        <label className="field">
          <span className="field__label">{t('limits.hours')}</span>
          <input className="input num" data-testid="limits-hours" inputMode="numeric" value={hours} disabled={busy} onChange={(event) => setHours(event.target.value)} />
        </label>
        <label className="field">
          <span className="field__label">{t('limits.single')}</span>
          <input className="input num" data-testid="limits-single" inputMode="decimal" value={single} disabled={busy} onChange={(event) => setSingle(event.target.value)} />
        </label>
        <label className="field">
          <span className="field__label">{t('limits.total')}</span>
          <input className="input num" data-testid="limits-total" inputMode="decimal" value={total} disabled={busy} onChange={(event) => setTotal(event.target.value)} />
        </label>
      </div>
      {invalid && <div className="field-error">{t('limits.invalid')}</div>}
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <div className="dialog__buttons settings__buttons">
        <button type="button" className="button button--primary" data-testid="limits-save" disabled={busy} onClick={() => void save()}>
          {busy ? t('limits.saving') : t('limits.save')}
        </button>
      </div>
      {saved && (
        <div className="notice small" data-testid="limits-saved">
          {t('limits.saved')}
        </div>
      )}
    </section>
  );
}

/** OFFLINE_LIMIT's reason as the clerk reads it (null for any other error). */
export function offlineLimitText(error: StationError, t: I18n['t'], count: I18n['count']): string | null {
  if (error.code !== 'OFFLINE_LIMIT') return null;
  const details = error.details ?? {};
  const num = (key: string): number => (typeof details[key] === 'number' ? details[key] : 0);
  switch (details['reason']) {
    case 'offline-too-long':
      return t('offlineLimit.offline-too-long', { hours: num('maxOfflineHours') });
    case 'single-sale':
      return t('offlineLimit.single-sale', { max: formatYuanShort(num('maxSingleSale'), count) });
    case 'total-sales':
      return t('offlineLimit.total-sales', { max: formatYuanShort(num('maxTotalSales'), count), used: formatYuanShort(num('offlineSales'), count) });
    default:
      return null;
  }
}
