/**
 * Always on screen once logged in: who serves, where, whether the station, the card reader and
 * the receipt printer are reachable (with the receipts waiting, and a warning when the station's
 * receipt numbers run low), whether the station is in step with central (已同步 / 同步中 / 离线 with
 * how long and how near the offline limits, 待上传 N; 单机 without a central), and the time.
 */
import { useEffect, useState } from 'react';
import type { ReaderStateView } from '../../core/contract/cards.js';
import type { ConnectionState } from '../../core/contract/client.js';
import type { OperatorView } from '../../core/contract/views.js';
import { useI18n } from '../i18n/i18n.js';
import { useCard } from './card.js';
import { formatClock, formatInstant } from './format.js';
import { problemKey, RECEIPT_NUMBERS_LOW, statusKey, usePrinter } from './printer.js';
import { useQueue } from './queue.js';
import { takesPartInHall } from './queue-rules.js';
import { useStation } from './station.js';
import { formatDuration, formatYuanShort, modeKey, syncLook, useOfflineMs, useSync, worstLevel } from './SyncScreen.js';

function connectionKey(state: ConnectionState): 'conn.open' | 'conn.connecting' | 'conn.reconnecting' | 'conn.closed' {
  switch (state) {
    case 'open':
      return 'conn.open';
    case 'connecting':
      return 'conn.connecting';
    case 'reconnecting':
      return 'conn.reconnecting';
    case 'closed':
      return 'conn.closed';
  }
}

type ReaderLook = 'none' | 'connected' | 'disconnected';

function readerLook(reader: ReaderStateView): ReaderLook {
  if (reader.kind === 'none') return 'none';
  return reader.connected ? 'connected' : 'disconnected';
}

function ReaderStatus() {
  const { t } = useI18n();
  const { reader } = useCard();
  if (reader === null) return null;
  const look = readerLook(reader);
  const title = [reader.description, reader.path, reader.problem].filter((part) => part !== null && part !== '').join(' · ');
  return (
    <div
      className={`status-bar__reader status-bar__reader--${look}`}
      data-testid="reader-status"
      data-state={look}
      data-card={reader.cardPresent}
      title={title === '' ? undefined : title}
    >
      <span className="status-bar__dot" aria-hidden="true" />
      {t(`reader.${look}`)}
      {look === 'connected' && reader.cardPresent && <span className="status-bar__card">{t('reader.cardIn')}</span>}
    </div>
  );
}

/** 打印机 正常 / 打印中 / 已停止 / 未配置, the receipts waiting, and 收据号即将用完. Never takes focus. */
function PrinterStatus() {
  const { t, count } = useI18n();
  const printer = usePrinter();
  if (printer === null) return null;
  const title = [printer.problem === null ? '' : t(problemKey(printer.problem)), printer.detail ?? ''].filter((part) => part !== '').join(' · ');
  const left = printer.receiptNumbersLeft;
  return (
    <>
      <div
        className={`status-bar__printer status-bar__printer--${printer.status}`}
        data-testid="printer-status"
        data-state={printer.status}
        data-queued={printer.queued}
        title={title === '' ? undefined : title}
      >
        <span className="status-bar__dot" aria-hidden="true" />
        {t('status.printer')} {t(statusKey(printer.status))}
        {printer.queued > 0 && (
          <span className="status-bar__queued" data-testid="printer-queued">
            {t('printer.queued', { n: count(printer.queued) })}
          </span>
        )}
      </div>
      {left < RECEIPT_NUMBERS_LOW && (
        <div
          className={left === 0 ? 'status-bar__range status-bar__range--out' : 'status-bar__range'}
          data-testid="receipt-range-warning"
          data-left={left}
          title={t('printer.rangeHint')}
        >
          ⚠ {left === 0 ? t('printer.rangeOut') : t('printer.rangeLow', { n: count(left) })}
        </div>
      )}
    </>
  );
}

/** 单机 / 已同步 09:30 / 同步中 1,200/5,000 / 离线 5小时 · 离线售气 ￥1,200/￥20,000, amber at 80 %, red at the limit. Opens the sync screen. */
function SyncStatus({ onSync }: { readonly onSync: () => void }) {
  const { t, count } = useI18n();
  const { timeZone } = useStation();
  const state = useSync();
  const offlineMs = useOfflineMs(state);
  if (state === null) return null;
  const look = syncLook(state);
  const level = state.usage !== null && state.usage.offline ? worstLevel(state.usage.hoursLevel, state.usage.salesLevel) : 'ok';
  const rangeLow = state.mode !== 'standalone' && (state.ranges.receipt.low || state.ranges.account.low);
  let text: string;
  switch (look) {
    case 'standalone':
      text = t('sync.mode.standalone');
      break;
    case 'online':
      text = state.lastSuccessAt === null ? t('sync.bar.syncedNever') : t('sync.bar.synced', { time: formatInstant(state.lastSuccessAt, timeZone).slice(11) });
      break;
    case 'syncing':
      text =
        state.progress !== null && state.progress.total !== null
          ? `${t(modeKey(state.mode))} ${t('sync.bar.progress', { done: count(state.progress.done), total: count(state.progress.total) })}`
          : t(modeKey(state.mode));
      break;
    case 'starting':
      text = t('sync.mode.starting');
      break;
    case 'offline':
      text = state.offlineSince === null ? t('sync.mode.offline') : t('sync.bar.offline', { duration: formatDuration(offlineMs, t) });
      break;
    default: {
      const unreachable: never = look;
      text = unreachable;
    }
  }
  // The status is the way to the sync screen (同步) too: say so on hover, with the last error.
  const title = state.lastError === null ? t('sync.button') : `${t('sync.button')} · ${t('sync.bar.error')}: ${state.lastError.message}`;
  return (
    <button
      type="button"
      className={`status-bar__sync status-bar__sync--${look} status-bar__sync--level-${level}`}
      data-testid="sync-status"
      data-state={look}
      data-level={level}
      data-pending={state.pendingPush}
      title={title}
      onClick={onSync}
    >
      <span className="status-bar__dot" aria-hidden="true" />
      <span data-testid="sync-status-text">{text}</span>
      {state.usage !== null && state.usage.offline && (
        <span className="status-bar__sync-limits" data-testid="sync-status-sales">
          {' · '}
          {t('sync.bar.sales', { used: formatYuanShort(state.usage.offlineSales, count), max: formatYuanShort(state.usage.limits.maxTotalSales, count) })}
        </span>
      )}
      {state.mode !== 'standalone' && state.pendingPush > 0 && (
        <span className="status-bar__queued" data-testid="sync-status-pending">
          {t('sync.bar.pending', { n: count(state.pendingPush) })}
        </span>
      )}
      {rangeLow && <span className="status-bar__sync-range">⚠ {t('sync.bar.rangeLow')}</span>}
    </button>
  );
}

function Clock({ timeZone }: { readonly timeZone: string }) {
  const { clockOffsetMs } = useStation();
  const [screenNow, setScreenNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setScreenNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const now = new Date(screenNow + clockOffsetMs);
  return (
    <span className="status-bar__clock" data-testid="status-clock">
      {formatClock(now, timeZone)}
    </span>
  );
}

export function StatusBar({
  operator,
  connection,
  onLock,
  onLogout,
  onSettings,
  onSync,
  onHall,
}: {
  readonly operator: OperatorView;
  readonly connection: ConnectionState;
  readonly onLock: () => void;
  readonly onLogout: () => void;
  readonly onSettings: () => void;
  readonly onSync: () => void;
  readonly onHall: () => void;
}) {
  const { t, lang, setLang } = useI18n();
  const { info, timeZone } = useStation();
  const { state: queue } = useQueue();
  // The hall's live figures are for those who oversee it (queue.figures), on a station of the hall queue.
  const overseesHall = operator.role === 'supervisor' || operator.role === 'manager' || operator.role === 'admin';
  return (
    <header className="status-bar">
      <div className="status-bar__where">
        <span className="status-bar__utility">{info?.utilityName ?? t('appName')}</span>
        {info !== null && (
          <span className="status-bar__station">
            {info.stationName}
            <span className="status-bar__kind">{t(`status.stationKind.${info.stationKind}`)}</span>
          </span>
        )}
      </div>
      <div className="status-bar__who" data-testid="status-operator">
        {t('status.operator', { role: t(`role.${operator.role}`), name: operator.name, staffNo: operator.staffNo })}
      </div>
      <div className={`status-bar__conn status-bar__conn--${connection}`} data-testid="status-connection" role="status">
        <span className="status-bar__dot" aria-hidden="true" />
        {t(connectionKey(connection))}
      </div>
      <ReaderStatus />
      <PrinterStatus />
      <SyncStatus onSync={onSync} />
      <Clock timeZone={timeZone} />
      <div className="status-bar__actions">
        {overseesHall && takesPartInHall(queue) && (
          <button type="button" className="button button--bar" data-testid="hall-button" onClick={onHall}>
            {t('hallScreen.button')}
          </button>
        )}
        {/* Everyone may look at the settings; only a manager or an admin can change them. */}
        <button type="button" className="button button--bar" data-testid="settings-button" onClick={onSettings}>
          {t('status.settings')}
        </button>
        <button type="button" className="button button--bar" data-testid="lang-switch" onClick={() => setLang(lang === 'zh-CN' ? 'en' : 'zh-CN')}>
          {t('lang.switchTo')}
        </button>
        <button type="button" className="button button--bar" data-testid="lock-button" onClick={onLock}>
          {t('status.lock')}
        </button>
        <button type="button" className="button button--bar" data-testid="logout-button" onClick={onLogout}>
          {t('status.logout')}
        </button>
      </div>
    </header>
  );
}
