/**
 * 设置 · 排队叫号: this station's part in the hall queue, and on the hub the hall's own settings.
 *  - 本站角色 (admin; others read it): this station as the hub (listening on an address and port of
 *    the hall network, with the addresses devices open) and as a counter (the hub's URL and the
 *    counter credential pasted once; a saved credential is never shown back) → `hall.configure`.
 *  - 叫号设置 (on the hub, manager or admin): hall name, services, counters and their services,
 *    recalls before 过号, the board's voice, the ticket footer → `hall.saveSettings`.
 *  - 设备 (on the hub, admin): kiosks, boards and counters holding a credential; 新增设备 issues one
 *    (shown once, with a copy button and a kiosk's or board's page URL), 吊销 revokes one.
 */
import { useCallback, useEffect, useState, type KeyboardEvent } from 'react';
import type { IssuedDevice, QueueState } from '../../core/contract/hall.js';
import type { PrinterSettings } from '../../core/contract/printing.js';
import type { StationError } from '../../core/contract/result.js';
import type { DeviceKind, DeviceView } from '../../core/hall/contract.js';
import type { HallSettings } from '../../core/hall/model.js';
import { useI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/messages.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { formatInstant } from './format.js';
import { configuresStation } from './printer.js';
import { useQueue } from './queue.js';
import { cleanCredential, isCredential, isHubUrl, isIpv4, nextCounterNo, nextServiceCode, parseCounterNo, parsePort, toggleService } from './queue-rules.js';
import { connectionKey } from './QueueBar.js';
import { useStation } from './station.js';

/** What station.json holds before the hub was ever set (electron/station/config.ts). */
const DEFAULT_LISTEN = { enabled: false, bindAddress: '0.0.0.0', port: 7700 } as const;
const RECALLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
const REPEATS = [1, 2, 3] as const;
const RATES = [0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5] as const;
const DEVICE_KINDS: readonly DeviceKind[] = ['counter', 'kiosk', 'board'];

function isAdmin(role: string | undefined): boolean {
  return role === 'admin';
}

export function deviceKindKey(kind: DeviceKind): MessageKey {
  switch (kind) {
    case 'kiosk':
      return 'hallSettings.device.kiosk';
    case 'board':
      return 'hallSettings.device.board';
    case 'counter':
      return 'hallSettings.device.counter';
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

export function HallSettingsSection() {
  const { operator } = useStation();
  const { state } = useQueue();
  const hub = state?.hub ?? null;
  const manager = operator !== null && configuresStation(operator.role);
  const admin = isAdmin(operator?.role);
  return (
    <>
      <StationRoleCard state={state} />
      {hub !== null && manager && <HallQueueCard />}
      {hub !== null && admin && <DevicesCard />}
    </>
  );
}

// ── 本站角色 ──

interface RoleForm {
  readonly hubEnabled: boolean;
  readonly bindAddress: string;
  readonly port: string;
  readonly counterEnabled: boolean;
  readonly hubUrl: string;
  readonly credential: string;
}

function roleFormOf(state: QueueState | null): RoleForm {
  const listen = state?.hubListen ?? DEFAULT_LISTEN;
  return {
    hubEnabled: listen.enabled,
    bindAddress: listen.bindAddress,
    port: String(listen.port),
    counterEnabled: state?.counter !== null && state?.counter !== undefined,
    hubUrl: state?.counter?.hubUrl ?? '',
    credential: '',
  };
}

function StationRoleCard({ state }: { readonly state: QueueState | null }) {
  const { t } = useI18n();
  const { call, operator } = useStation();
  const { take } = useQueue();
  const canChange = isAdmin(operator?.role);
  const [form, setForm] = useState<RoleForm>(() => roleFormOf(state));
  const [dirty, setDirty] = useState(false);
  const [seen, setSeen] = useState(state);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [saved, setSaved] = useState(false);

  // The state changed elsewhere (the hub started, another window saved): follow it unless edited here.
  if (state !== seen) {
    setSeen(state);
    if (!dirty) setForm(roleFormOf(state));
  }

  const edit = (change: Partial<RoleForm>) => {
    setForm((previous) => ({ ...previous, ...change }));
    setDirty(true);
    setSaved(false);
    setProblem(null);
  };

  const save = async () => {
    if (!canChange || busy) return;
    const port = parsePort(form.port);
    if (!isIpv4(form.bindAddress)) return setProblem(t('hallSettings.badBind'));
    if (port === null) return setProblem(t('hallSettings.badPort'));
    const credential = cleanCredential(form.credential);
    if (form.counterEnabled) {
      if (!isHubUrl(form.hubUrl)) return setProblem(t('hallSettings.badHubUrl'));
      if (credential !== '' && !isCredential(credential)) return setProblem(t('hallSettings.badCredential'));
      if (credential === '' && state?.counter == null) return setProblem(t('hallSettings.needCredential'));
    }
    setProblem(null);
    setError(null);
    setBusy(true);
    const result = await call('hall.configure', {
      hub: { enabled: form.hubEnabled, bindAddress: form.bindAddress.trim(), port },
      counter: form.counterEnabled ? { hubUrl: form.hubUrl.trim(), ...(credential === '' ? {} : { credential }) } : null,
    });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    take(result.value);
    setSeen(result.value);
    setForm(roleFormOf(result.value));
    setDirty(false);
    setSaved(true);
  };

  const disabled = !canChange || busy;
  const hub = state?.hub ?? null;
  const counter = state?.counter ?? null;

  return (
    <section className="settings__card hall-settings" data-testid="hall-role-settings" aria-labelledby="hall-role-title">
      <h2 className="settings__title" id="hall-role-title">
        {t('hallSettings.roleTitle')}
      </h2>
      {!canChange && (
        <div className="notice small settings__readonly" data-testid="hall-role-readonly">
          {t('hallSettings.roleReadOnly')}
        </div>
      )}
      <h3 className="settings__subtitle">{t('hallSettings.hubTitle')}</h3>
      <label className="settings__check">
        <input type="checkbox" data-testid="hall-hub-enabled" checked={form.hubEnabled} disabled={disabled} onChange={(event) => edit({ hubEnabled: event.target.checked })} />
        {t('hallSettings.hubEnabled')}
      </label>
      <div className="field-row">
        <label className="field settings__path">
          <span className="field__label">{t('hallSettings.bindAddress')}</span>
          <input
            className="input num"
            data-testid="hall-hub-bind"
            autoComplete="off"
            maxLength={15}
            value={form.bindAddress}
            disabled={disabled}
            onChange={(event) => edit({ bindAddress: event.target.value })}
          />
        </label>
        <label className="field settings__baud">
          <span className="field__label">{t('hallSettings.port')}</span>
          <input
            className="input num"
            data-testid="hall-hub-port"
            inputMode="numeric"
            autoComplete="off"
            maxLength={5}
            value={form.port}
            disabled={disabled}
            onChange={(event) => edit({ port: event.target.value })}
          />
        </label>
      </div>
      <div className="muted small hall-settings__hint">{t('hallSettings.bindHint')}</div>
      {hub !== null && (
        <dl className="totals totals--entry hall-settings__status" data-testid="hall-hub-status" data-listening={hub.listening}>
          <div>
            <dt>{t('hallSettings.hubState')}</dt>
            <dd className={hub.listening ? 'text-ok' : 'text-danger'}>{hub.listening ? t('hallSettings.listening') : t('hallSettings.notListening')}</dd>
          </div>
          {hub.urls.length > 0 && (
            <div>
              <dt>{t('hallSettings.urls')}</dt>
              <dd className="num hall-settings__urls" data-testid="hall-hub-urls">
                {hub.urls.map((url) => (
                  <div key={url} className="hall-settings__url">
                    {url}
                  </div>
                ))}
              </dd>
            </div>
          )}
          {hub.problem !== null && (
            <div>
              <dt>{t('settings.problem')}</dt>
              <dd className="text-danger hall-settings__problem" data-testid="hall-hub-problem">
                {hub.problem}
              </dd>
            </div>
          )}
        </dl>
      )}

      <h3 className="settings__subtitle">{t('hallSettings.counterTitle')}</h3>
      <label className="settings__check">
        <input
          type="checkbox"
          data-testid="hall-counter-enabled"
          checked={form.counterEnabled}
          disabled={disabled}
          onChange={(event) => edit({ counterEnabled: event.target.checked })}
        />
        {t('hallSettings.counterEnabled')}
      </label>
      {form.counterEnabled && (
        <>
          <label className="field">
            <span className="field__label">{t('hallSettings.hubUrl')}</span>
            <input
              className="input num"
              data-testid="hall-counter-hub-url"
              autoComplete="off"
              maxLength={256}
              placeholder="http://192.168.1.20:7700"
              value={form.hubUrl}
              disabled={disabled}
              onChange={(event) => edit({ hubUrl: event.target.value })}
            />
          </label>
          {canChange && (
            <label className="field">
              <span className="field__label">{t('hallSettings.credential')}</span>
              <input
                className="input num"
                data-testid="hall-counter-credential"
                type="password"
                autoComplete="off"
                spellCheck={false}
                maxLength={200}
                placeholder={counter !== null ? t('hallSettings.credentialKept') : t('hallSettings.credentialPaste')}
                value={form.credential}
                disabled={disabled}
                onChange={(event) => edit({ credential: event.target.value })}
              />
            </label>
          )}
        </>
      )}
      {counter !== null && (
        <dl className="totals totals--entry hall-settings__status" data-testid="hall-counter-status" data-connection={counter.connection}>
          <div>
            <dt>{t('hallSettings.counterState')}</dt>
            <dd className={counter.connection === 'online' ? 'text-ok' : 'text-danger'}>
              {t(connectionKey(counter.connection))}
              {counter.view !== null && <span className="muted"> · {t('queueBar.counter', { n: counter.view.counterNo })}</span>}
            </dd>
          </div>
          {counter.problem !== null && (
            <div>
              <dt>{t('settings.problem')}</dt>
              <dd className="text-danger hall-settings__problem">{counter.problem}</dd>
            </div>
          )}
        </dl>
      )}
      {problem !== null && (
        <div className="field-error" data-testid="hall-role-problem">
          {problem}
        </div>
      )}
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {canChange && (
        <div className="dialog__buttons settings__buttons">
          <button type="button" className="button button--primary" data-testid="hall-role-save" disabled={disabled} onClick={() => void save()}>
            {busy ? t('settings.saving') : t('settings.save')}
          </button>
        </div>
      )}
      {saved && (
        <div className="notice small" data-testid="hall-role-saved">
          {t('hallSettings.roleSaved')}
        </div>
      )}
    </section>
  );
}

// ── 叫号设置 (on the hub) ──

function HallQueueCard() {
  const { t, lang } = useI18n();
  const { call } = useStation();
  const [form, setForm] = useState<HallSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<StationError | null>(null);

  useEffect(() => {
    void call('hall.settings', {}).then((result) => {
      if (result.ok) setForm(result.value);
      else setError(result.error);
    });
  }, [call]);

  if (form === null) {
    return error === null ? null : (
      <section className="settings__card hall-settings" data-testid="hall-queue-settings">
        <h2 className="settings__title">{t('hallSettings.queueTitle')}</h2>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
      </section>
    );
  }

  const edit = (next: HallSettings) => {
    setForm(next);
    setSaved(false);
  };
  const order = form.services.map((service) => service.code);
  const english = lang === 'en';

  const save = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await call('hall.saveSettings', form);
    setBusy(false);
    if (result.ok) {
      setForm(result.value);
      setSaved(true);
    } else {
      setError(result.error);
    }
  };

  const addService = () => {
    const code = nextServiceCode(form.services);
    if (code === null) return;
    edit({ ...form, services: [...form.services, { code, nameZh: '', nameEn: '', enabled: true }] });
  };
  const removeService = (code: string) =>
    edit({
      ...form,
      services: form.services.filter((service) => service.code !== code),
      counters: form.counters.map((counter) => ({ ...counter, services: counter.services.filter((candidate) => candidate !== code) })),
    });
  const addCounter = () => {
    const counterNo = nextCounterNo(form.counters);
    if (counterNo === null) return;
    edit({ ...form, counters: [...form.counters, { counterNo, services: order.slice(0, 1) }] });
  };

  return (
    <section className="settings__card hall-settings hall-settings--wide" data-testid="hall-queue-settings" aria-labelledby="hall-queue-title">
      <h2 className="settings__title" id="hall-queue-title">
        {t('hallSettings.queueTitle')}
      </h2>
      <label className="field">
        <span className="field__label">{t('hallSettings.hallName')}</span>
        <input className="input" data-testid="hall-name" maxLength={32} value={form.hallName} disabled={busy} onChange={(event) => edit({ ...form, hallName: event.target.value })} />
      </label>

      <h3 className="settings__subtitle">{t('hallSettings.services')}</h3>
      <table className="table hall-settings__table" data-testid="hall-services-form">
        <thead>
          <tr>
            <th>{t('hallSettings.code')}</th>
            <th>{t('hallSettings.nameZh')}</th>
            <th>{t('hallSettings.nameEn')}</th>
            <th>{t('hallSettings.enabled')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {form.services.map((service, index) => {
            const put = (change: Partial<typeof service>) => edit({ ...form, services: form.services.map((candidate, at) => (at === index ? { ...candidate, ...change } : candidate)) });
            return (
              <tr key={service.code} data-testid="hall-service-form-row" data-code={service.code}>
                <td className="num hall-settings__code">{service.code}</td>
                <td>
                  <input className="input" aria-label={t('hallSettings.nameZh')} maxLength={16} value={service.nameZh} disabled={busy} onChange={(event) => put({ nameZh: event.target.value })} />
                </td>
                <td>
                  <input className="input" aria-label={t('hallSettings.nameEn')} maxLength={32} value={service.nameEn} disabled={busy} onChange={(event) => put({ nameEn: event.target.value })} />
                </td>
                <td>
                  <input type="checkbox" aria-label={t('hallSettings.enabled')} checked={service.enabled} disabled={busy} onChange={(event) => put({ enabled: event.target.checked })} />
                </td>
                <td>
                  <button type="button" className="button button--small" disabled={busy || form.services.length <= 1} onClick={() => removeService(service.code)}>
                    {t('hallSettings.remove')}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" className="button button--small hall-settings__add" data-testid="hall-add-service" disabled={busy || form.services.length >= 26} onClick={addService}>
        {t('hallSettings.addService')}
      </button>

      <h3 className="settings__subtitle">{t('hallSettings.counters')}</h3>
      <table className="table hall-settings__table" data-testid="hall-counters-form">
        <thead>
          <tr>
            <th>{t('hallSettings.counterNo')}</th>
            <th>{t('hallSettings.counterServices')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {form.counters.map((counter, index) => (
            <tr key={index} data-testid="hall-counter-form-row" data-counter-no={counter.counterNo}>
              <td>
                <input
                  className="input num hall-settings__counter-no"
                  aria-label={t('hallSettings.counterNo')}
                  inputMode="numeric"
                  maxLength={2}
                  value={counter.counterNo}
                  disabled={busy}
                  onChange={(event) => {
                    const counterNo = parseCounterNo(event.target.value);
                    if (counterNo !== null) edit({ ...form, counters: form.counters.map((candidate, at) => (at === index ? { ...candidate, counterNo } : candidate)) });
                  }}
                />
              </td>
              <td className="hall-settings__services">
                {form.services.map((service) => (
                  <label key={service.code} className="hall-settings__service" title={english ? service.nameEn : service.nameZh}>
                    <input
                      type="checkbox"
                      data-testid="hall-counter-service"
                      data-code={service.code}
                      checked={counter.services.includes(service.code)}
                      disabled={busy}
                      onChange={(event) =>
                        edit({
                          ...form,
                          counters: form.counters.map((candidate, at) => (at === index ? { ...candidate, services: toggleService(order, candidate.services, service.code, event.target.checked) } : candidate)),
                        })
                      }
                    />
                    <span className="ellipsis-inline">
                      {service.code} {english ? service.nameEn : service.nameZh}
                    </span>
                  </label>
                ))}
              </td>
              <td>
                <button type="button" className="button button--small" disabled={busy} onClick={() => edit({ ...form, counters: form.counters.filter((_counter, at) => at !== index) })}>
                  {t('hallSettings.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="button button--small hall-settings__add" data-testid="hall-add-counter" disabled={busy || form.counters.length >= 99} onClick={addCounter}>
        {t('hallSettings.addCounter')}
      </button>

      <div className="field-row">
        <label className="field">
          <span className="field__label">{t('hallSettings.recallsBeforeNoShow')}</span>
          <select
            className="input num"
            data-testid="hall-recalls"
            value={form.recallsBeforeNoShow}
            disabled={busy}
            onChange={(event) => edit({ ...form, recallsBeforeNoShow: Number(event.target.value) })}
          >
            {RECALLS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('hallSettings.footer')}</span>
          <input className="input" data-testid="hall-footer" maxLength={64} value={form.ticketFooter} disabled={busy} onChange={(event) => edit({ ...form, ticketFooter: event.target.value })} />
        </label>
      </div>

      <h3 className="settings__subtitle">{t('hallSettings.voice')}</h3>
      <div className="hall-settings__voice">
        <label className="settings__check">
          <input type="checkbox" data-testid="hall-voice-enabled" checked={form.voice.enabled} disabled={busy} onChange={(event) => edit({ ...form, voice: { ...form.voice, enabled: event.target.checked } })} />
          {t('hallSettings.voiceEnabled')}
        </label>
        <label className="settings__check">
          <input type="checkbox" data-testid="hall-voice-chime" checked={form.voice.chime} disabled={busy} onChange={(event) => edit({ ...form, voice: { ...form.voice, chime: event.target.checked } })} />
          {t('hallSettings.chime')}
        </label>
        <label className="settings__check">
          <input
            type="checkbox"
            data-testid="hall-voice-synthesis"
            checked={form.voice.preferSpeechSynthesis}
            disabled={busy}
            onChange={(event) => edit({ ...form, voice: { ...form.voice, preferSpeechSynthesis: event.target.checked } })}
          />
          {t('hallSettings.preferSynthesis')}
        </label>
      </div>
      <div className="field-row">
        <label className="field">
          <span className="field__label">{t('hallSettings.repeat')}</span>
          <select className="input num" data-testid="hall-voice-repeat" value={form.voice.repeat} disabled={busy} onChange={(event) => edit({ ...form, voice: { ...form.voice, repeat: Number(event.target.value) } })}>
            {REPEATS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('hallSettings.rate')}</span>
          <select className="input num" data-testid="hall-voice-rate" value={form.voice.rate} disabled={busy} onChange={(event) => edit({ ...form, voice: { ...form.voice, rate: Number(event.target.value) } })}>
            {(RATES.some((rate) => rate === form.voice.rate) ? RATES : [...RATES, form.voice.rate]).map((rate) => (
              <option key={rate} value={rate}>
                {rate.toFixed(1)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <div className="dialog__buttons settings__buttons">
        <button type="button" className="button button--primary" data-testid="hall-settings-save" disabled={busy} onClick={() => void save()}>
          {busy ? t('settings.saving') : t('settings.save')}
        </button>
      </div>
      {saved && (
        <div className="notice small" data-testid="hall-settings-saved">
          {t('hallSettings.queueSaved')}
        </div>
      )}
    </section>
  );
}

// ── 设备 (on the hub, admin) ──

function DevicesCard() {
  const { t } = useI18n();
  const { call, timeZone } = useStation();
  const [devices, setDevices] = useState<readonly DeviceView[] | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [issuing, setIssuing] = useState(false);
  const [revoking, setRevoking] = useState<DeviceView | null>(null);

  const load = useCallback(() => {
    void call('hall.devices', {}).then((result) => {
      if (result.ok) setDevices(result.value.devices);
      else setError(result.error);
    });
  }, [call]);

  useEffect(() => load(), [load]);

  const instant = (iso: string | null) => (iso === null ? '—' : formatInstant(iso, timeZone));

  return (
    <section className="settings__card hall-settings hall-settings--wide" data-testid="hall-devices" aria-labelledby="hall-devices-title">
      <div className="hall-settings__head">
        <h2 className="settings__title" id="hall-devices-title">
          {t('hallSettings.devicesTitle')}
        </h2>
        <button type="button" className="button button--small" onClick={load}>
          {t('hallScreen.refresh')}
        </button>
        <button type="button" className="button button--small button--primary" data-testid="hall-issue-device" onClick={() => setIssuing(true)}>
          {t('hallSettings.issue')}
        </button>
      </div>
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {devices !== null && devices.length === 0 && <div className="empty">{t('hallSettings.noDevices')}</div>}
      {devices !== null && devices.length > 0 && (
        <div className="table-wrap hall-settings__devices">
          <table className="table">
            <thead>
              <tr>
                <th>{t('hallSettings.deviceKind')}</th>
                <th>{t('hallSettings.deviceName')}</th>
                <th>{t('hallSettings.counterNo')}</th>
                <th>{t('hallSettings.deviceOnline')}</th>
                <th>{t('hallSettings.lastSeen')}</th>
                <th>{t('hallSettings.issuedAt')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {devices.map((device) => (
                <tr
                  key={device.deviceId}
                  data-testid="hall-device-row"
                  data-device-id={device.deviceId}
                  data-kind={device.kind}
                  data-online={device.online}
                  data-revoked={device.revokedAt !== null}
                  className={device.revokedAt !== null ? 'row--reversed' : undefined}
                >
                  <td>{t(deviceKindKey(device.kind))}</td>
                  <td className="ellipsis hall-settings__device-name" title={`${device.name} · ${device.deviceId}`}>
                    {device.name}
                  </td>
                  <td className="num">{device.counterNo ?? '—'}</td>
                  <td>
                    {device.revokedAt !== null ? (
                      <span className="text-danger">{t('hallSettings.revokedAt', { at: instant(device.revokedAt) })}</span>
                    ) : (
                      <>
                        <span className={device.online ? 'hall-dot hall-dot--on' : 'hall-dot'} aria-hidden="true" />
                        {device.online ? t('hallScreen.online') : t('hallScreen.offline')}
                      </>
                    )}
                  </td>
                  <td className="num">{instant(device.lastSeenAt)}</td>
                  <td className="num" title={device.issuedBy}>
                    {instant(device.issuedAt)}
                  </td>
                  <td>
                    {device.revokedAt === null && (
                      <button type="button" className="button button--small" data-testid="hall-revoke-device" onClick={() => setRevoking(device)}>
                        {t('hallSettings.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {issuing && (
        <IssueDeviceDialog
          onClose={() => {
            setIssuing(false);
            load();
          }}
        />
      )}
      {revoking !== null && (
        <RevokeDialog
          device={revoking}
          onClose={(changed) => {
            setRevoking(null);
            if (changed) load();
          }}
        />
      )}
    </section>
  );
}

function RevokeDialog({ device, onClose }: { readonly device: DeviceView; readonly onClose: (changed: boolean) => void }) {
  const { t } = useI18n();
  const { call } = useStation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StationError | null>(null);

  const revoke = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await call('hall.revokeDevice', { deviceId: device.deviceId });
    setBusy(false);
    if (result.ok) onClose(true);
    else setError(result.error);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' && !busy) {
      event.preventDefault();
      event.stopPropagation();
      onClose(false);
    }
  };

  return (
    <Dialog title={t('hallSettings.revokeTitle')} testId="hall-revoke-dialog" onKeyDown={onKeyDown}>
      <p>{t('hallSettings.revokeConfirm', { kind: t(deviceKindKey(device.kind)), name: device.name })}</p>
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <div className="dialog__buttons">
        <button type="button" className="button" disabled={busy} onClick={() => onClose(false)}>
          {t('queueTransfer.cancel')}
        </button>
        <button type="button" className="button button--danger" data-testid="hall-revoke-confirm" disabled={busy} onClick={() => void revoke()}>
          {t('hallSettings.revoke')}
        </button>
      </div>
    </Dialog>
  );
}

type PrinterChoice = 'none' | 'virtual' | 'tcp';
const PRINTER_CHOICES: readonly PrinterChoice[] = ['none', 'virtual', 'tcp'];

function printerChoiceKey(choice: PrinterChoice): MessageKey {
  switch (choice) {
    case 'none':
      return 'hallSettings.printer.none';
    case 'virtual':
      return 'printerSettings.kind.virtual';
    case 'tcp':
      return 'printerSettings.kind.tcp';
    default: {
      const unreachable: never = choice;
      return unreachable;
    }
  }
}

const HOST = /^[0-9A-Za-z.-]{1,253}$/;

function IssueDeviceDialog({ onClose }: { readonly onClose: () => void }) {
  const { t } = useI18n();
  const { call } = useStation();
  const [kind, setKind] = useState<DeviceKind>('counter');
  const [name, setName] = useState('');
  const [counterText, setCounterText] = useState('');
  const [printer, setPrinter] = useState<PrinterChoice>('none');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('9100');
  const [columns, setColumns] = useState<32 | 48>(48);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedDevice | null>(null);
  const [copied, setCopied] = useState<'credential' | 'url' | null>(null);

  const printerSettings = (): PrinterSettings | null | 'bad' => {
    if (kind !== 'kiosk' || printer === 'none') return null;
    const rest = { model: 'escpos', paperColumns: columns, mode: 'text', kickDrawerOnCash: false } as const;
    if (printer === 'virtual') return { ...rest, interface: { kind: 'virtual' } };
    const portNo = Number(port.trim());
    if (!HOST.test(host.trim()) || !Number.isInteger(portNo) || portNo < 1 || portNo > 65535) return 'bad';
    return { ...rest, interface: { kind: 'tcp', host: host.trim(), port: portNo } };
  };

  const issue = async () => {
    if (busy || issued !== null) return;
    if (name.trim() === '') return setProblem(t('hallSettings.needName'));
    const counterNo = kind === 'counter' ? parseCounterNo(counterText) : null;
    if (kind === 'counter' && counterNo === null) return setProblem(t('queueTransfer.badCounter'));
    const settings = printerSettings();
    if (settings === 'bad') return setProblem(t('hallSettings.badPrinter'));
    setProblem(null);
    setError(null);
    setBusy(true);
    const result = await call('hall.issueDevice', { kind, name: name.trim(), counterNo, printer: settings });
    setBusy(false);
    if (result.ok) setIssued(result.value);
    else setError(result.error);
  };

  const copy = (text: string, which: 'credential' | 'url') => {
    void navigator.clipboard.writeText(text).then(
      () => setCopied(which),
      () => setCopied(null),
    );
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' && !busy) {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    } else if (event.key === 'Enter' && issued === null && !(event.target instanceof HTMLButtonElement)) {
      event.preventDefault();
      void issue();
    }
  };

  if (issued !== null) {
    return (
      <Dialog title={t('hallSettings.issuedTitle', { name: issued.device.name })} testId="hall-issued-dialog" onKeyDown={onKeyDown}>
        <div className="notice notice--warn small">{t('hallSettings.issuedOnce')}</div>
        <label className="field">
          <span className="field__label">{t('hallSettings.credential')}</span>
          <div className="hall-settings__secret">
            <input className="input num" data-testid="hall-issued-credential" readOnly value={issued.credential} onFocus={(event) => event.target.select()} />
            <button type="button" className="button" data-testid="hall-copy-credential" onClick={() => copy(issued.credential, 'credential')}>
              {copied === 'credential' ? t('hallSettings.copied') : t('hallSettings.copy')}
            </button>
          </div>
        </label>
        {issued.pageUrl !== null && (
          <label className="field">
            <span className="field__label">{t('hallSettings.pageUrl')}</span>
            <div className="hall-settings__secret">
              <input className="input num" data-testid="hall-issued-page-url" readOnly value={issued.pageUrl} onFocus={(event) => event.target.select()} />
              <button type="button" className="button" data-testid="hall-copy-page-url" onClick={() => copy(issued.pageUrl ?? '', 'url')}>
                {copied === 'url' ? t('hallSettings.copied') : t('hallSettings.copy')}
              </button>
            </div>
          </label>
        )}
        <div className="dialog__buttons">
          <button type="button" className="button button--primary" data-testid="hall-issued-close" onClick={onClose}>
            {t('hallSettings.done')}
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={t('hallSettings.issueTitle')} testId="hall-issue-dialog" onKeyDown={onKeyDown}>
      <div className="field-row">
        <label className="field">
          <span className="field__label">{t('hallSettings.deviceKind')}</span>
          <select
            className="input"
            data-testid="hall-issue-kind"
            value={kind}
            disabled={busy}
            onChange={(event) => {
              setKind(DEVICE_KINDS.find((candidate) => candidate === event.target.value) ?? 'counter');
              setProblem(null);
            }}
          >
            {DEVICE_KINDS.map((option) => (
              <option key={option} value={option}>
                {t(deviceKindKey(option))}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('hallSettings.deviceName')}</span>
          <input className="input" data-testid="hall-issue-name" maxLength={32} autoFocus value={name} disabled={busy} onChange={(event) => setName(event.target.value)} />
        </label>
        {kind === 'counter' && (
          <label className="field">
            <span className="field__label">{t('hallSettings.counterNo')}</span>
            <input
              className="input num"
              data-testid="hall-issue-counter"
              inputMode="numeric"
              maxLength={2}
              value={counterText}
              disabled={busy}
              onChange={(event) => setCounterText(event.target.value)}
            />
          </label>
        )}
      </div>
      {kind === 'kiosk' && (
        <>
          <div className="field-row">
            <label className="field">
              <span className="field__label">{t('hallSettings.ticketPrinter')}</span>
              <select
                className="input"
                data-testid="hall-issue-printer"
                value={printer}
                disabled={busy}
                onChange={(event) => setPrinter(PRINTER_CHOICES.find((choice) => choice === event.target.value) ?? 'none')}
              >
                {PRINTER_CHOICES.map((choice) => (
                  <option key={choice} value={choice}>
                    {t(printerChoiceKey(choice))}
                  </option>
                ))}
              </select>
            </label>
            {printer !== 'none' && (
              <label className="field">
                <span className="field__label">{t('printerSettings.paper')}</span>
                <select className="input" data-testid="hall-issue-paper" value={columns} disabled={busy} onChange={(event) => setColumns(event.target.value === '32' ? 32 : 48)}>
                  <option value={48}>{t('printerSettings.paper.48')}</option>
                  <option value={32}>{t('printerSettings.paper.32')}</option>
                </select>
              </label>
            )}
          </div>
          {printer === 'tcp' && (
            <div className="field-row">
              <label className="field settings__path">
                <span className="field__label">{t('printerSettings.host')}</span>
                <input className="input num" data-testid="hall-issue-host" maxLength={253} autoComplete="off" value={host} disabled={busy} onChange={(event) => setHost(event.target.value)} />
              </label>
              <label className="field settings__baud">
                <span className="field__label">{t('printerSettings.port')}</span>
                <input className="input num" data-testid="hall-issue-port" inputMode="numeric" maxLength={5} value={port} disabled={busy} onChange={(event) => setPort(event.target.value)} />
              </label>
            </div>
          )}
          <div className="muted small">{t('hallSettings.printerHint')}</div>
        </>
      )}
      {problem !== null && (
        <div className="field-error" data-testid="hall-issue-problem">
          {problem}
        </div>
      )}
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <div className="dialog__buttons">
        <button type="button" className="button" disabled={busy} onClick={onClose}>
          {t('queueTransfer.cancel')}
        </button>
        <button type="button" className="button button--primary" data-testid="hall-issue-submit" disabled={busy} onClick={() => void issue()}>
          {busy ? t('hallSettings.issuing') : t('hallSettings.issueSubmit')}
        </button>
      </div>
    </Dialog>
  );
}
