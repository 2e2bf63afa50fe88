/**
 * 设置: which card reader this station uses. None, the emulator, or a serial-port reader (port
 * picked from `reader.ports` or typed, and its baud rate); 保存 applies it (`reader.configure`),
 * 测试读卡器 asks the reader for its identity and times the round trip. Below it, the receipt
 * printer (PrinterSettingsSection). Managers and admins change them; everyone else sees them
 * read only.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReaderKind, ReaderStateView } from '../../core/contract/cards.js';
import type { StationError } from '../../core/contract/result.js';
import { useI18n } from '../i18n/i18n.js';
import { useCard } from './card.js';
import { ErrorBanner } from './ErrorBanner.js';
import { configuresStation } from './printer.js';
import { PrinterSettingsSection } from './PrinterSettingsSection.js';
import { useEscapeBack } from './escape-back.js';
import { HallSettingsSection } from './HallSettingsSection.js';
import { useStation } from './station.js';
import { OfflineLimitsSection } from './SyncScreen.js';

const KINDS: readonly ReaderKind[] = ['none', 'emulator', 'serial'];
type Baud = 9600 | 19200 | 38400 | 115200;
const BAUDS: readonly Baud[] = [9600, 19200, 38400, 115200];

function asBaud(value: number): Baud {
  return BAUDS.find((baud) => baud === value) ?? 9600;
}

function asKind(value: string): ReaderKind {
  return KINDS.find((kind) => kind === value) ?? 'none';
}

interface Port {
  readonly path: string;
  readonly manufacturer: string | null;
}

type TestResult = { readonly ok: boolean; readonly description: string | null; readonly roundTripMs: number | null; readonly problem: string | null };

export function SettingsScreen({ active, onBack }: { readonly active: boolean; readonly onBack: () => void }) {
  const { t } = useI18n();
  const { call, operator } = useStation();
  const { reader: liveReader } = useCard();
  const canChange = operator !== null && configuresStation(operator.role);
  const [current, setCurrent] = useState<ReaderStateView | null>(null);
  const [kind, setKind] = useState<ReaderKind>('none');
  const [path, setPath] = useState('');
  const [baud, setBaud] = useState<Baud>(9600);
  const [ports, setPorts] = useState<readonly Port[] | null>(null);
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const [saved, setSaved] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const kindRef = useRef<HTMLSelectElement>(null);
  const pathRef = useRef<HTMLInputElement>(null);

  const loadPorts = useCallback(() => {
    // The ports are a configuring command: nothing to pick from for a read-only look.
    if (!canChange) return;
    void call('reader.ports', {}).then((result) => {
      if (result.ok) setPorts(result.value.ports);
      else setError(result.error);
    });
  }, [call, canChange]);

  useEffect(() => {
    void call('reader.state', {}).then((result) => {
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setCurrent(result.value);
      setKind(result.value.kind);
      setPath(result.value.kind === 'serial' ? (result.value.path ?? '') : '');
      setBaud(asBaud(result.value.baudRate));
    });
    loadPorts();
    kindRef.current?.focus();
  }, [call, loadPorts]);

  useEscapeBack(active, onBack);

  const shown = liveReader ?? current;

  const locked = !canChange || busy !== null;

  const save = async () => {
    if (locked) return;
    const trimmed = path.trim();
    if (kind === 'serial' && trimmed === '') {
      setFieldError(t('settings.needPath'));
      pathRef.current?.focus();
      return;
    }
    setFieldError(null);
    setError(null);
    setSaved(false);
    setTest(null);
    setBusy('save');
    const input = kind === 'serial' ? { kind, path: trimmed, baudRate: baud } : { kind };
    const result = await call('reader.configure', input);
    setBusy(null);
    if (result.ok) {
      setCurrent(result.value);
      setSaved(true);
    } else {
      setError(result.error);
    }
  };

  const runTest = async () => {
    if (locked) return;
    setError(null);
    setTest(null);
    setBusy('test');
    const result = await call('reader.test', {});
    setBusy(null);
    if (result.ok) setTest(result.value);
    else setError(result.error);
  };

  return (
    <main className="settings" data-testid="settings-screen">
      <div className="settings__card">
        <h1 className="settings__title">{t('settings.title')}</h1>
        {!canChange && (
          <div className="notice small settings__readonly" data-testid="settings-readonly">
            {t('settings.readOnly')}
          </div>
        )}

        {shown !== null && (
          <dl className="totals totals--entry settings__current">
            <div>
              <dt>{t('settings.current')}</dt>
              <dd>
                {t(`settings.kind.${shown.kind}`)}
                {shown.path !== null && <span className="num muted"> {shown.path}</span>}
                {shown.kind === 'serial' && <span className="num muted"> · {shown.baudRate}</span>}
              </dd>
            </div>
            <div>
              <dt>{t('settings.state')}</dt>
              <dd className={shown.kind !== 'none' && !shown.connected ? 'text-danger' : undefined}>
                {shown.kind === 'none' ? t('reader.none') : shown.connected ? t('reader.connected') : t('reader.disconnected')}
              </dd>
            </div>
            <div>
              <dt>{t('settings.description')}</dt>
              <dd className="num">{shown.description ?? '—'}</dd>
            </div>
            {shown.problem !== null && (
              <div>
                <dt>{t('settings.problem')}</dt>
                <dd className="text-danger">{shown.problem}</dd>
              </div>
            )}
          </dl>
        )}

        <label className="field">
          <span className="field__label">{t('settings.kind')}</span>
          <select
            ref={kindRef}
            className="input"
            data-testid="settings-kind"
            value={kind}
            disabled={locked}
            onChange={(event) => {
              setKind(asKind(event.target.value));
              setSaved(false);
            }}
          >
            {KINDS.map((option) => (
              <option key={option} value={option}>
                {t(`settings.kind.${option}`)}
              </option>
            ))}
          </select>
        </label>

        {kind === 'serial' && (
          <>
            <div className="field-row">
              <label className="field settings__path">
                <span className="field__label">{t('settings.path')}</span>
                <input
                  ref={pathRef}
                  className="input num"
                  data-testid="settings-path"
                  list="settings-ports"
                  autoComplete="off"
                  maxLength={128}
                  placeholder={t('settings.pathPlaceholder')}
                  value={path}
                  disabled={locked}
                  onChange={(event) => {
                    setPath(event.target.value);
                    setSaved(false);
                    setFieldError(null);
                  }}
                />
                <datalist id="settings-ports">
                  {(ports ?? []).map((port) => (
                    <option key={port.path} value={port.path}>
                      {port.manufacturer ?? ''}
                    </option>
                  ))}
                </datalist>
              </label>
              <label className="field settings__baud">
                <span className="field__label">{t('settings.baud')}</span>
                <select
                  className="input num"
                  data-testid="settings-baud"
                  value={baud}
                  disabled={locked}
                  onChange={(event) => {
                    setBaud(asBaud(Number(event.target.value)));
                    setSaved(false);
                  }}
                >
                  {BAUDS.map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <div className="settings__ports">
              <span className="field__label">{t('settings.ports')}</span>
              {ports !== null && ports.length === 0 && <span className="muted small">{t('settings.noPorts')}</span>}
              {(ports ?? []).map((port) => (
                <button
                  key={port.path}
                  type="button"
                  className={port.path === path.trim() ? 'button button--small settings__port settings__port--on' : 'button button--small settings__port'}
                  data-testid="settings-port"
                  data-path={port.path}
                  disabled={locked}
                  onClick={() => {
                    setPath(port.path);
                    setSaved(false);
                    setFieldError(null);
                  }}
                >
                  <span className="num">{port.path}</span>
                  {port.manufacturer !== null && <span className="muted">{port.manufacturer}</span>}
                </button>
              ))}
              {canChange && (
                <button type="button" className="button button--small button--link" onClick={loadPorts}>
                  {t('settings.refreshPorts')}
                </button>
              )}
            </div>
          </>
        )}

        {fieldError !== null && <div className="field-error">{fieldError}</div>}
        {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}

        <div className="dialog__buttons settings__buttons">
          <button type="button" className="button" data-testid="settings-back" onClick={onBack}>
            {t('settings.back')}
          </button>
          {canChange && (
            <>
              <button type="button" className="button" data-testid="settings-test" disabled={locked} onClick={() => void runTest()}>
                {busy === 'test' ? t('settings.testing') : t('settings.test')}
              </button>
              <button type="button" className="button button--primary" data-testid="settings-save" disabled={locked} onClick={() => void save()}>
                {busy === 'save' ? t('settings.saving') : t('settings.save')}
              </button>
            </>
          )}
        </div>
        {saved && (
          <div className="notice small" data-testid="settings-saved">
            {t('settings.saved')}
          </div>
        )}
        {test !== null && (
          <div className={test.ok ? 'settings__test settings__test--ok' : 'settings__test settings__test--bad'} data-testid="settings-test-result" data-ok={test.ok}>
            {test.ok
              ? t('settings.testOk', { description: test.description ?? t('settings.unknown'), ms: test.roundTripMs ?? '—' })
              : t('settings.testFail', { problem: test.problem ?? t('settings.unknown') })}
          </div>
        )}
      </div>
      <PrinterSettingsSection ports={ports} />
      <OfflineLimitsSection />
      <HallSettingsSection />
    </main>
  );
}
