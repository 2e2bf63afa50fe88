/**
 * 设置 · 打印机: where the receipt printer is (none, the station's virtual printer, a network
 * printer on TCP, a serial-port printer, a device file), the paper width, text or image printing
 * (image for printers without Chinese fonts) and the cash drawer. 保存 applies it
 * (`printer.configure`); 打印测试页 prints a test page on the saved printer and says how it
 * answered (`printer.test`). Managers and admins change it; everyone else sees it read only.
 */
import { useState } from 'react';
import type { PrinterInterface, PrinterSettings, PrinterState } from '../../core/contract/printing.js';
import type { StationError } from '../../core/contract/result.js';
import { useI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/messages.js';
import { ErrorBanner } from './ErrorBanner.js';
import { configuresStation, problemKey, statusKey, useOutsidePrints, usePrinter } from './printer.js';
import { useStation } from './station.js';

type Kind = PrinterInterface['kind'];
const KINDS: readonly Kind[] = ['none', 'virtual', 'tcp', 'serial', 'device'];
type Baud = 9600 | 19200 | 38400 | 115200;
const BAUDS: readonly Baud[] = [9600, 19200, 38400, 115200];
type Columns = PrinterSettings['paperColumns'];
const COLUMNS: readonly Columns[] = [32, 48];
type Mode = PrinterSettings['mode'];
const MODES: readonly Mode[] = ['text', 'raster'];
type Model = PrinterSettings['model'];
const MODELS: readonly Model[] = ['escpos', 'escpos-no-qr'];
const DEFAULT_TCP_PORT = 9100;
/** The contract's host rule (core/contract/printing.ts). */
const HOST = /^[0-9A-Za-z.-]{1,253}$/;

type Field = 'model' | 'kind' | 'host' | 'port' | 'path' | 'baud' | 'device' | 'paper' | 'mode' | 'drawer';
type Problems = Readonly<Partial<Record<Field, string>>>;

interface Port {
  readonly path: string;
  readonly manufacturer: string | null;
}

interface Form {
  readonly model: Model;
  readonly kind: Kind;
  readonly host: string;
  readonly port: string;
  readonly serialPath: string;
  readonly baud: Baud;
  readonly devicePath: string;
  readonly paperColumns: Columns;
  readonly mode: Mode;
  readonly kickDrawerOnCash: boolean;
}

type TestResult = { readonly ok: boolean; readonly problem: PrinterState['problem']; readonly detail: string | null; readonly ms: number | null };

function kindKey(kind: Kind): MessageKey {
  switch (kind) {
    case 'none':
      return 'printerSettings.kind.none';
    case 'virtual':
      return 'printerSettings.kind.virtual';
    case 'tcp':
      return 'printerSettings.kind.tcp';
    case 'serial':
      return 'printerSettings.kind.serial';
    case 'device':
      return 'printerSettings.kind.device';
  }
}

function formOf(settings: PrinterSettings): Form {
  const iface = settings.interface;
  return {
    model: settings.model,
    kind: iface.kind,
    host: iface.kind === 'tcp' ? iface.host : '',
    port: String(iface.kind === 'tcp' ? iface.port : DEFAULT_TCP_PORT),
    serialPath: iface.kind === 'serial' ? iface.path : '',
    baud: iface.kind === 'serial' ? iface.baudRate : 9600,
    devicePath: iface.kind === 'device' ? iface.path : '',
    paperColumns: settings.paperColumns,
    mode: settings.mode,
    kickDrawerOnCash: settings.kickDrawerOnCash,
  };
}

function sameForm(a: Form, b: Form): boolean {
  return (
    a.kind === b.kind &&
    a.model === b.model &&
    a.paperColumns === b.paperColumns &&
    a.mode === b.mode &&
    a.kickDrawerOnCash === b.kickDrawerOnCash &&
    (a.kind !== 'tcp' || (a.host.trim() === b.host.trim() && a.port.trim() === b.port.trim())) &&
    (a.kind !== 'serial' || (a.serialPath.trim() === b.serialPath.trim() && a.baud === b.baud)) &&
    (a.kind !== 'device' || a.devicePath.trim() === b.devicePath.trim())
  );
}

/** The interface where the printer is. */
function describeInterface(iface: PrinterInterface): string | null {
  switch (iface.kind) {
    case 'none':
    case 'virtual':
      return null;
    case 'tcp':
      return `${iface.host}:${iface.port}`;
    case 'serial':
      return `${iface.path} · ${iface.baudRate}`;
    case 'device':
      return iface.path;
  }
}

function asKind(value: string): Kind {
  return KINDS.find((kind) => kind === value) ?? 'none';
}
function asBaud(value: number): Baud {
  return BAUDS.find((baud) => baud === value) ?? 9600;
}
function asColumns(value: number): Columns {
  return COLUMNS.find((columns) => columns === value) ?? 48;
}
function asModel(value: string): Model {
  return MODELS.find((model) => model === value) ?? 'escpos';
}
function asMode(value: string): Mode {
  return MODES.find((mode) => mode === value) ?? 'text';
}

/** The station's input paths (`details.issues[].path`) as the form's fields. */
function fieldOfPath(path: unknown, kind: Kind): Field | null {
  const text = Array.isArray(path) ? path.map(String).join('.') : typeof path === 'string' ? path : '';
  switch (text) {
    case 'interface':
    case 'interface.kind':
      return 'kind';
    case 'interface.host':
      return 'host';
    case 'interface.port':
      return 'port';
    case 'interface.path':
      return kind === 'device' ? 'device' : 'path';
    case 'interface.baudRate':
      return 'baud';
    case 'paperColumns':
      return 'paper';
    case 'mode':
      return 'mode';
    case 'model':
      return 'model';
    case 'kickDrawerOnCash':
      return 'drawer';
    default:
      return null;
  }
}

export function PrinterSettingsSection({ ports }: { readonly ports: readonly Port[] | null }) {
  const printer = usePrinter();
  if (printer === null) return null;
  return <PrinterForm printer={printer} ports={ports} />;
}

function PrinterForm({ printer, ports }: { readonly printer: PrinterState; readonly ports: readonly Port[] | null }) {
  const { t, count } = useI18n();
  const { call, operator } = useStation();
  const { printedOutside } = useOutsidePrints();
  const canChange = operator !== null && configuresStation(operator.role);
  const [saved, setSaved] = useState<Form>(() => formOf(printer.settings));
  const [form, setForm] = useState<Form>(saved);
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const [savedNotice, setSavedNotice] = useState(false);
  const [problems, setProblems] = useState<Problems>({});
  const [test, setTest] = useState<TestResult | null>(null);
  const [error, setError] = useState<StationError | null>(null);

  // Settings changed elsewhere (another window): follow them unless this form has unsaved edits.
  const live = formOf(printer.settings);
  if (!sameForm(live, saved) && busy === null) {
    const untouched = sameForm(form, saved);
    setSaved(live);
    if (untouched) setForm(live);
  }

  const dirty = !sameForm(form, saved);
  const disabled = !canChange || busy !== null;

  const edit = (change: Partial<Form>, field: Field) => {
    setForm((previous) => ({ ...previous, ...change }));
    setSavedNotice(false);
    setProblems((previous) => ({ ...previous, [field]: undefined }));
  };

  /** The settings to send, or the fields that are wrong (checked as the station checks them). */
  const settingsOf = (): { readonly ok: true; readonly value: PrinterSettings } | { readonly ok: false; readonly problems: Problems } => {
    const rest = { model: form.model, paperColumns: form.paperColumns, mode: form.mode, kickDrawerOnCash: form.kickDrawerOnCash };
    switch (form.kind) {
      case 'none':
        return { ok: true, value: { interface: { kind: 'none' }, ...rest } };
      case 'virtual':
        return { ok: true, value: { interface: { kind: 'virtual' }, ...rest } };
      case 'tcp': {
        const host = form.host.trim();
        const portText = form.port.trim();
        const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
        const found: Partial<Record<Field, string>> = {};
        if (host === '') found.host = t('printerSettings.needHost');
        else if (!HOST.test(host)) found.host = t('printerSettings.badHost');
        if (!Number.isInteger(port) || port < 1 || port > 65535) found.port = t('printerSettings.badPort');
        if (Object.keys(found).length > 0) return { ok: false, problems: found };
        return { ok: true, value: { interface: { kind: 'tcp', host, port }, ...rest } };
      }
      case 'serial': {
        const path = form.serialPath.trim();
        if (path === '') return { ok: false, problems: { path: t('printerSettings.needPath') } };
        return { ok: true, value: { interface: { kind: 'serial', path, baudRate: form.baud }, ...rest } };
      }
      case 'device': {
        const path = form.devicePath.trim();
        if (path === '') return { ok: false, problems: { device: t('printerSettings.needDevice') } };
        return { ok: true, value: { interface: { kind: 'device', path }, ...rest } };
      }
    }
  };

  const stationProblems = (failure: StationError): Problems => {
    const found: Partial<Record<Field, string>> = {};
    const issues = failure.details?.['issues'];
    if (failure.code !== 'INVALID_INPUT' || !Array.isArray(issues)) return found;
    for (const issue of issues as unknown[]) {
      if (typeof issue !== 'object' || issue === null) continue;
      const record = issue as Record<string, unknown>;
      const field = fieldOfPath(record['path'], form.kind);
      if (field === null || found[field] !== undefined) continue;
      const message = typeof record['message'] === 'string' ? record['message'] : '';
      found[field] = t('printerSettings.badField', { message });
    }
    return found;
  };

  const save = async () => {
    if (disabled) return;
    const built = settingsOf();
    setError(null);
    setTest(null);
    setSavedNotice(false);
    if (!built.ok) {
      setProblems(built.problems);
      return;
    }
    setProblems({});
    setBusy('save');
    const result = await call('printer.configure', built.value);
    setBusy(null);
    if (result.ok) {
      const next = formOf(result.value.settings);
      setSaved(next);
      setForm(next);
      setSavedNotice(true);
    } else {
      setProblems(stationProblems(result.error));
      setError(result.error);
    }
  };

  const runTest = async () => {
    if (disabled) return;
    setError(null);
    setTest(null);
    setSavedNotice(false);
    setBusy('test');
    const result = await call('printer.test', {});
    setBusy(null);
    if (result.ok) {
      setTest(result.value);
      // The test page is not a queue job: the virtual printer's preview is told to look for it.
      printedOutside();
    } else {
      setError(result.error);
    }
  };

  const problemOf = (field: Field) => {
    const problem = problems[field];
    return problem === undefined ? null : (
      <span className="field-error field-error--inline" data-testid="printer-field-error" data-field={field}>
        {problem}
      </span>
    );
  };
  const inputClass = (field: Field, extra = '') => `${problems[field] === undefined ? 'input' : 'input input--invalid'}${extra === '' ? '' : ` ${extra}`}`;

  const where = describeInterface(printer.settings.interface);
  const testBlocker = dirty ? t('printerSettings.saveFirst') : saved.kind === 'none' ? t('receipts.printerOff') : null;

  return (
    <section className="settings__card" data-testid="printer-settings" aria-labelledby="printer-settings-title">
      <h2 className="settings__title" id="printer-settings-title">
        {t('printerSettings.title')}
      </h2>

      <dl className="totals totals--entry settings__current">
        <div>
          <dt>{t('printerSettings.current')}</dt>
          <dd data-testid="printer-current" data-kind={printer.settings.interface.kind}>
            {t(kindKey(printer.settings.interface.kind))}
            {where !== null && <span className="num muted"> {where}</span>}
            {printer.settings.interface.kind !== 'none' && (
              <span className="muted">
                {' · '}
                {t(printer.settings.paperColumns === 32 ? 'printerSettings.paper.32' : 'printerSettings.paper.48')}
                {' · '}
                {t(printer.settings.mode === 'text' ? 'printerSettings.mode.text' : 'printerSettings.mode.raster')}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('printerSettings.state')}</dt>
          <dd className={printer.status === 'blocked' ? 'text-danger' : undefined}>
            {t(statusKey(printer.status))}
            {printer.problem !== null && ` · ${t(problemKey(printer.problem))}`}
          </dd>
        </div>
        <div>
          <dt>{t('printerSettings.queued')}</dt>
          <dd className="num">{count(printer.queued)}</dd>
        </div>
        <div>
          <dt>{t('printerSettings.numbersLeft')}</dt>
          <dd className="num">{count(printer.receiptNumbersLeft)}</dd>
        </div>
        {printer.detail !== null && printer.detail !== '' && (
          <div>
            <dt>{t('settings.problem')}</dt>
            <dd className="text-danger">{printer.detail}</dd>
          </div>
        )}
      </dl>

      {!canChange && (
        <div className="notice small settings__readonly" data-testid="printer-settings-readonly">
          {t('settings.readOnly')}
        </div>
      )}

      <label className="field">
        <span className="field__label">{t('printerSettings.kind')}</span>
        <select
          className={inputClass('kind')}
          data-testid="printer-kind"
          value={form.kind}
          disabled={disabled}
          aria-invalid={problems.kind !== undefined}
          onChange={(event) => edit({ kind: asKind(event.target.value) }, 'kind')}
        >
          {KINDS.map((option) => (
            <option key={option} value={option}>
              {t(kindKey(option))}
            </option>
          ))}
        </select>
        {problemOf('kind')}
      </label>

      {form.kind === 'tcp' && (
        <div className="field-row">
          <label className="field settings__path">
            <span className="field__label">{t('printerSettings.host')}</span>
            <input
              className={inputClass('host', 'num')}
              data-testid="printer-host"
              autoComplete="off"
              maxLength={253}
              placeholder={t('printerSettings.hostPlaceholder')}
              value={form.host}
              disabled={disabled}
              aria-invalid={problems.host !== undefined}
              onChange={(event) => edit({ host: event.target.value }, 'host')}
            />
            {problemOf('host')}
          </label>
          <label className="field settings__baud">
            <span className="field__label">{t('printerSettings.port')}</span>
            <input
              className={inputClass('port', 'num')}
              data-testid="printer-port"
              inputMode="numeric"
              autoComplete="off"
              maxLength={5}
              value={form.port}
              disabled={disabled}
              aria-invalid={problems.port !== undefined}
              onChange={(event) => edit({ port: event.target.value }, 'port')}
            />
            {problemOf('port')}
          </label>
        </div>
      )}

      {form.kind === 'serial' && (
        <div className="field-row">
          <label className="field settings__path">
            <span className="field__label">{t('printerSettings.path')}</span>
            <input
              className={inputClass('path', 'num')}
              data-testid="printer-path"
              list="printer-ports"
              autoComplete="off"
              maxLength={128}
              placeholder={t('printerSettings.pathPlaceholder')}
              value={form.serialPath}
              disabled={disabled}
              aria-invalid={problems.path !== undefined}
              onChange={(event) => edit({ serialPath: event.target.value }, 'path')}
            />
            <datalist id="printer-ports">
              {(ports ?? []).map((port) => (
                <option key={port.path} value={port.path}>
                  {port.manufacturer ?? ''}
                </option>
              ))}
            </datalist>
            {problemOf('path')}
          </label>
          <label className="field settings__baud">
            <span className="field__label">{t('printerSettings.baud')}</span>
            <select
              className={inputClass('baud', 'num')}
              data-testid="printer-baud"
              value={form.baud}
              disabled={disabled}
              aria-invalid={problems.baud !== undefined}
              onChange={(event) => edit({ baud: asBaud(Number(event.target.value)) }, 'baud')}
            >
              {BAUDS.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
            {problemOf('baud')}
          </label>
        </div>
      )}

      {form.kind === 'device' && (
        <label className="field">
          <span className="field__label">{t('printerSettings.device')}</span>
          <input
            className={inputClass('device', 'num')}
            data-testid="printer-device"
            autoComplete="off"
            maxLength={128}
            placeholder={t('printerSettings.devicePlaceholder')}
            value={form.devicePath}
            disabled={disabled}
            aria-invalid={problems.device !== undefined}
            onChange={(event) => edit({ devicePath: event.target.value }, 'device')}
          />
          {problemOf('device')}
        </label>
      )}

      <label className="field">
        <span className="field__label">{t('printerSettings.model')}</span>
        <select
          className={inputClass('model')}
          data-testid="printer-model"
          value={form.model}
          disabled={disabled}
          aria-invalid={problems.model !== undefined}
          aria-describedby="printer-model-hint"
          onChange={(event) => edit({ model: asModel(event.target.value) }, 'model')}
        >
          {MODELS.map((option) => (
            <option key={option} value={option}>
              {t(option === 'escpos' ? 'printerSettings.model.escpos' : 'printerSettings.model.escpos-no-qr')}
            </option>
          ))}
        </select>
        <span className="muted small" id="printer-model-hint">
          {t('printerSettings.modelHint')}
        </span>
        {problemOf('model')}
      </label>
      <div className="field-row">
        <label className="field">
          <span className="field__label">{t('printerSettings.paper')}</span>
          <select
            className={inputClass('paper')}
            data-testid="printer-paper"
            value={form.paperColumns}
            disabled={disabled}
            aria-invalid={problems.paper !== undefined}
            onChange={(event) => edit({ paperColumns: asColumns(Number(event.target.value)) }, 'paper')}
          >
            {COLUMNS.map((option) => (
              <option key={option} value={option}>
                {t(option === 32 ? 'printerSettings.paper.32' : 'printerSettings.paper.48')}
              </option>
            ))}
          </select>
          {problemOf('paper')}
        </label>
        <label className="field">
          <span className="field__label">{t('printerSettings.mode')}</span>
          <select
            className={inputClass('mode')}
            data-testid="printer-mode"
            value={form.mode}
            disabled={disabled}
            aria-invalid={problems.mode !== undefined}
            aria-describedby="printer-mode-hint"
            onChange={(event) => edit({ mode: asMode(event.target.value) }, 'mode')}
          >
            {MODES.map((option) => (
              <option key={option} value={option}>
                {t(option === 'text' ? 'printerSettings.mode.text' : 'printerSettings.mode.raster')}
              </option>
            ))}
          </select>
          <span className="muted small" id="printer-mode-hint">
            {t('printerSettings.modeHint')}
          </span>
          {problemOf('mode')}
        </label>
      </div>

      <label className="settings__check">
        <input
          type="checkbox"
          data-testid="printer-drawer"
          checked={form.kickDrawerOnCash}
          disabled={disabled}
          onChange={(event) => edit({ kickDrawerOnCash: event.target.checked }, 'drawer')}
        />
        <span>{t('printerSettings.drawer')}</span>
        {problemOf('drawer')}
      </label>

      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}

      {canChange && (
        <div className="dialog__buttons settings__buttons">
          <button
            type="button"
            className="button"
            data-testid="printer-test"
            disabled={disabled || testBlocker !== null}
            title={testBlocker ?? undefined}
            onClick={() => void runTest()}
          >
            {busy === 'test' ? t('printerSettings.testing') : t('printerSettings.test')}
          </button>
          <button type="button" className="button button--primary" data-testid="printer-save" disabled={disabled} onClick={() => void save()}>
            {busy === 'save' ? t('printerSettings.saving') : t('printerSettings.save')}
          </button>
        </div>
      )}
      {savedNotice && (
        <div className="notice small" data-testid="printer-saved" role="status">
          {t('printerSettings.saved')}
        </div>
      )}
      {test !== null && (
        <div className={test.ok ? 'settings__test settings__test--ok' : 'settings__test settings__test--bad'} data-testid="printer-test-result" data-ok={test.ok}>
          {test.ok
            ? t('printerSettings.testOk', { ms: test.ms === null ? '—' : Math.round(test.ms) })
            : t('printerSettings.testFail', { problem: test.problem === null ? t('settings.unknown') : t(problemKey(test.problem)) })}
          {test.detail !== null && test.detail !== '' && <small className="settings__test-detail">{t('printer.detail', { detail: test.detail })}</small>}
        </div>
      )}
    </section>
  );
}
