/**
 * 转移: sends the ticket called or served at this counter to another service's queue (any counter
 * of it calls the ticket next, before newer ones) or to one counter by its number (only that
 * counter calls it). Enter confirms, Esc cancels.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import type { QueueState } from '../../core/contract/hall.js';
import type { StationError } from '../../core/contract/result.js';
import type { TicketView, TransferTarget } from '../../core/hall/model.js';
import { useI18n } from '../i18n/i18n.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { parseCounterNo, serviceName } from './queue-rules.js';
import { useStation } from './station.js';

type Waiting = NonNullable<QueueState['counter']>['waiting'];

export function QueueTransferDialog({
  ticket,
  services,
  ownCounterNo,
  onClose,
  onDone,
}: {
  readonly ticket: TicketView;
  /** The hall's services as the counter knows them (with their waiting counts). */
  readonly services: Waiting;
  readonly ownCounterNo: number;
  readonly onClose: () => void;
  readonly onDone: (state: QueueState) => void;
}) {
  const { t, lang, count } = useI18n();
  const { call } = useStation();
  const english = lang === 'en';
  const others = services.filter((service) => service.service !== ticket.service);
  const [kind, setKind] = useState<TransferTarget['kind']>(others.length > 0 ? 'service' : 'counter');
  const [service, setService] = useState(others[0]?.service ?? '');
  const [counterText, setCounterText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);

  const targetOf = (): TransferTarget | null => {
    if (kind === 'service') {
      if (service === '') {
        setProblem(t('queueTransfer.needService'));
        return null;
      }
      return { kind: 'service', service };
    }
    const counterNo = parseCounterNo(counterText);
    if (counterNo === null) {
      setProblem(t('queueTransfer.badCounter'));
      return null;
    }
    if (counterNo === ownCounterNo) {
      setProblem(t('queueTransfer.ownCounter'));
      return null;
    }
    return { kind: 'counter', counterNo };
  };

  const submit = async () => {
    if (busyRef.current) return;
    const to = targetOf();
    if (to === null) return;
    setProblem(null);
    setError(null);
    busyRef.current = true;
    setBusy(true);
    const result = await call('queue.transfer', { ticketId: ticket.ticketId, to });
    busyRef.current = false;
    setBusy(false);
    if (result.ok) onDone(result.value);
    else setError(result.error);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' && !busyRef.current) {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    } else if (event.key === 'Enter' && !(event.target instanceof HTMLButtonElement)) {
      event.preventDefault();
      void submit();
    }
  };

  return (
    <Dialog title={t('queueTransfer.title', { number: ticket.number })} testId="queue-transfer-dialog" onKeyDown={onKeyDown}>
      <p className="muted small queue-transfer__now">
        {t('queueTransfer.now', { number: ticket.number, service: serviceName(services, ticket.service, english) })}
      </p>
      <fieldset className="queue-transfer__kinds">
        <label className="queue-transfer__kind">
          <input
            type="radio"
            name="queue-transfer-kind"
            data-testid="queue-transfer-kind-service"
            checked={kind === 'service'}
            disabled={busy || others.length === 0}
            onChange={() => {
              setKind('service');
              setProblem(null);
            }}
          />
          {t('queueTransfer.toService')}
        </label>
        <label className="queue-transfer__kind">
          <input
            type="radio"
            name="queue-transfer-kind"
            data-testid="queue-transfer-kind-counter"
            checked={kind === 'counter'}
            disabled={busy}
            onChange={() => {
              setKind('counter');
              setProblem(null);
            }}
          />
          {t('queueTransfer.toCounter')}
        </label>
      </fieldset>
      {kind === 'service' ? (
        <label className="field">
          <span className="field__label">{t('queueTransfer.service')}</span>
          <select
            className="input"
            data-testid="queue-transfer-service"
            value={service}
            disabled={busy}
            autoFocus
            onChange={(event) => {
              setService(event.target.value);
              setProblem(null);
            }}
          >
            {others.map((option) => (
              <option key={option.service} value={option.service}>
                {option.service} · {english ? option.nameEn : option.nameZh} · {t('queueTransfer.waiting', { n: count(option.count) })}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <label className="field">
          <span className="field__label">{t('queueTransfer.counter')}</span>
          <input
            className="input num queue-transfer__counter"
            data-testid="queue-transfer-counter"
            inputMode="numeric"
            maxLength={2}
            autoComplete="off"
            placeholder={t('queueTransfer.counterPlaceholder')}
            value={counterText}
            disabled={busy}
            autoFocus
            onChange={(event) => {
              setCounterText(event.target.value);
              setProblem(null);
            }}
          />
        </label>
      )}
      {problem !== null && (
        <div className="field-error" data-testid="queue-transfer-problem">
          {problem}
        </div>
      )}
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <div className="dialog__buttons">
        <button type="button" className="button" data-testid="queue-transfer-cancel" disabled={busy} onClick={onClose}>
          {t('queueTransfer.cancel')}
        </button>
        <button type="button" className="button button--primary" data-testid="queue-transfer-submit" disabled={busy} onClick={() => void submit()}>
          {busy ? t('queueTransfer.busy') : t('queueTransfer.submit')}
        </button>
      </div>
    </Dialog>
  );
}
