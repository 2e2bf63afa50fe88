/** 登录: staff number and password; Enter submits from either field. */
import { useRef, useState } from 'react';
import type { ConnectionState } from '../../core/contract/client.js';
import type { StationError } from '../../core/contract/result.js';
import type { LoginResult } from '../../core/contract/views.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useStation } from './station.js';

/** The demo data's logins (core/demo-data); shown only when the station says it runs demo data. */
const DEMO_LOGINS = [
  { staffNo: '1001', name: '李娜', role: 'clerk' },
  { staffNo: '2001', name: '王强', role: 'supervisor' },
] as const;
const DEMO_PASSWORD = '123456';

export function LoginScreen({
  notice,
  connection,
  onLoggedIn,
}: {
  readonly notice: StationError | null;
  /** Shown here too: before login there is no status bar to say the station is unreachable. */
  readonly connection: ConnectionState;
  readonly onLoggedIn: (login: LoginResult) => void;
}) {
  const { t } = useI18n();
  const { call, info } = useStation();
  const [staffNo, setStaffNo] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const staffRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const submit = async () => {
    if (busy) return;
    const staff = staffNo.trim();
    if (staff === '') {
      setHint(t('login.needStaff'));
      staffRef.current?.focus();
      return;
    }
    if (password === '') {
      setHint(t('login.needPassword'));
      passwordRef.current?.focus();
      return;
    }
    setHint(null);
    setBusy(true);
    const result = await call('session.login', { staffNo: staff, password });
    setBusy(false);
    if (result.ok) {
      onLoggedIn(result.value);
      return;
    }
    setError(result.error);
    setPassword('');
    passwordRef.current?.focus();
  };

  const shown = error ?? notice;
  return (
    <div className="login">
      <form className="login__card" onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }} noValidate>
        <div className="login__brand">
          <div className="login__logo" aria-hidden="true">
            通
          </div>
          <div>
            <div className="login__utility">{info?.utilityName ?? t('appName')}</div>
            <div className="login__station">{info === null ? t('login.waitingStation') : info.stationName}</div>
          </div>
        </div>
        <h1 className="login__title">{t('login.title')}</h1>
        {connection === 'reconnecting' || connection === 'closed' ? (
          <div className="login__conn" role="status" data-testid="login-connection">
            {t(connection === 'closed' ? 'conn.closed' : 'conn.reconnecting')}
          </div>
        ) : null}
        <label className="field">
          <span className="field__label">{t('login.staffNo')}</span>
          <input
            ref={staffRef}
            data-testid="login-staff"
            className="input input--large"
            inputMode="numeric"
            autoComplete="username"
            autoFocus
            maxLength={8}
            value={staffNo}
            onChange={(event) => setStaffNo(event.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('login.password')}</span>
          <input
            ref={passwordRef}
            data-testid="login-password"
            className="input input--large"
            type="password"
            autoComplete="current-password"
            maxLength={128}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {hint !== null && <div className="field-error">{hint}</div>}
        {shown !== null && <ErrorBanner error={shown} />}
        <button type="submit" className="button button--primary button--large" data-testid="login-submit" disabled={busy}>
          {busy ? t('login.busy') : t('login.submit')}
        </button>
        {info?.demo === true && (
          <div className="login__demo" data-testid="login-demo">
            <span>{t('login.demoTitle')}</span>
            {DEMO_LOGINS.map((demo) => (
              <span key={demo.staffNo} className="login__demo-line">
                {t('login.demoLine', { staffNo: demo.staffNo, name: demo.name, role: t(`role.${demo.role}`) })}
              </span>
            ))}
            <span>{t('login.demoPassword', { password: DEMO_PASSWORD })}</span>
          </div>
        )}
        {info !== null && <div className="login__version">{t('login.version', { version: info.version })}</div>}
      </form>
    </div>
  );
}
