/**
 * Demo mode only: the emulated reader's cards, to insert and remove with a click, and 插入表具
 * (the customer takes the card home and the meter loads it). A strip in the bottom-right corner
 * that takes its own row, so it never covers the screen above it; it can be folded away.
 * Its buttons never take focus from the dialog a clerk is typing in.
 */
import { useEffect, useState, type MouseEvent } from 'react';
import type { StationError } from '../../core/contract/result.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useStation } from './station.js';

interface DemoCard {
  readonly name: string;
  readonly label: string;
  readonly accountNo: string | null;
}

const OPEN_KEY = 'tongda.demoPanel';

function initiallyOpen(): boolean {
  try {
    return window.sessionStorage.getItem(OPEN_KEY) !== 'closed';
  } catch {
    return true;
  }
}

const keepFocus = (event: MouseEvent) => event.preventDefault();

export function DemoPanel() {
  const { t } = useI18n();
  const { call } = useStation();
  const [cards, setCards] = useState<readonly DemoCard[]>([]);
  const [open, setOpen] = useState(initiallyOpen);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StationError | null>(null);

  useEffect(() => {
    let cancelled = false;
    void call('demo.cards', {}).then((result) => {
      if (cancelled) return;
      if (result.ok) setCards(result.value.cards);
      else setError(result.error);
    });
    return () => {
      cancelled = true;
    };
  }, [call]);

  const toggle = (next: boolean) => {
    setOpen(next);
    try {
      window.sessionStorage.setItem(OPEN_KEY, next ? 'open' : 'closed');
    } catch {
      // Not remembered; the panel still folds.
    }
  };

  const act = async (input: { action: 'insert'; card: string } | { action: 'remove' } | { action: 'use-in-meter' }) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await call('demo.card', input);
    setBusy(false);
    if (!result.ok) setError(result.error);
  };

  if (!open) {
    return (
      <div className="demo-panel demo-panel--closed" data-testid="demo-panel" data-open="false">
        <button type="button" className="button button--small demo-panel__toggle" onMouseDown={keepFocus} onClick={() => toggle(true)}>
          {t('demo.expand')}
        </button>
      </div>
    );
  }

  return (
    <div className="demo-panel" data-testid="demo-panel" data-open="true">
      <span className="demo-panel__title">{t('demo.title')}</span>
      <div className="demo-panel__cards">
        {cards.map((card) => (
          <button
            key={card.name}
            type="button"
            className="button button--small demo-panel__card"
            data-testid={`demo-insert-${card.name}`}
            title={`${t('demo.insert')}：${card.label}${card.accountNo === null ? '' : ` (${card.accountNo})`}`}
            disabled={busy}
            onMouseDown={keepFocus}
            onClick={() => void act({ action: 'insert', card: card.name })}
          >
            {card.label}
          </button>
        ))}
      </div>
      <button type="button" className="button button--small" data-testid="demo-remove" disabled={busy} onMouseDown={keepFocus} onClick={() => void act({ action: 'remove' })}>
        {t('demo.remove')}
      </button>
      <button
        type="button"
        className="button button--small"
        data-testid="demo-use-in-meter"
        disabled={busy}
        onMouseDown={keepFocus}
        onClick={() => void act({ action: 'use-in-meter' })}
      >
        {t('demo.useInMeter')}
      </button>
      {error !== null && (
        <div className="demo-panel__error">
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
        </div>
      )}
      <button type="button" className="button button--small button--link" onMouseDown={keepFocus} onClick={() => toggle(false)}>
        {t('demo.collapse')}
      </button>
    </div>
  );
}
