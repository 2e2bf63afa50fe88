/**
 * 锁屏: covers everything (customer data included) until the same operator types their password.
 * Another clerk takes over by "switch user", which logs the first one out.
 */
import { useRef, useState } from 'react';
import type { StationError } from '../../core/contract/result.js';
import type { OperatorView } from '../../core/contract/views.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useStation } from './station.js';

export function LockScreen({
  operator,
  idleLockSeconds,
  onUnlocked,
  onSwitchUser,
}: {
  readonly operator: OperatorView;
  readonly idleLockSeconds: number;
  readonly onUnlocked: (operator: OperatorView) => void;
  readonly onSwitchUser: () => void;
}) {
  const { t } = useI18n();
  const { call } = useStation();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  const submit = async () => {
    if (busy || password === '') {
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    const result = await call('session.unlock', { password });
    setBusy(false);
    setPassword('');
    if (result.ok) {
      onUnlocked(result.value);
      return;
    }
    setError(result.error);
    inputRef.current?.focus();
  };

  return (
    <div className="lock-screen" data-testid="lock-screen">
      <form className="login__card" onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }} noValidate>
        {/* A character, not an emoji: counter PCs often have no colour-emoji font. */}
        <div className="login__logo lock-screen__icon" aria-hidden="true">
          锁
        </div>
        <h1 className="login__title">{t('lock.title')}</h1>
        <p className="lock-screen__who" data-testid="lock-who">
          {t('lock.who', { name: operator.name, staffNo: operator.staffNo })}
        </p>
        <label className="field">
          <span className="field__label">{t('lock.password')}</span>
          <input
            ref={inputRef}
            data-testid="unlock-password"
            className="input input--large"
            type="password"
            autoComplete="current-password"
            autoFocus
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error !== null && <ErrorBanner error={error} />}
        <button type="submit" className="button button--primary button--large" data-testid="unlock-submit" disabled={busy}>
          {t('lock.unlock')}
        </button>
        <button type="button" className="button button--link" data-testid="switch-user" onClick={onSwitchUser}>
          {t('lock.switchUser')}
        </button>
        <p className="lock-screen__hint">{t('lock.hint', { minutes: Math.max(1, Math.round(idleLockSeconds / 60)) })}</p>
      </form>
    </div>
  );
}
