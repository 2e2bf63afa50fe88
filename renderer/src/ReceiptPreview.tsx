/**
 * The virtual printer's paper on screen: when the station prints on its own virtual printer (the
 * demo, or a counter still waiting for its printer), each receipt it received is shown as the
 * paper would look (`printer.previews`, fetched on mount and, for the new ones only, on every
 * `printer.changed`). A column on the right edge, beside the screen and above a dialog's
 * backdrop (dialogs centre themselves in the space left of it), that folds away to a tab.
 *
 * On a demo station a row of buttons makes the virtual printer run out of paper, open its
 * cover, go offline, hang, or be fine again (`demo.printer`). Like the demo card strip, its
 * buttons never take focus from the dialog a clerk is typing in.
 */
import { useEffect, useRef, useState, type MouseEvent } from 'react';
import type { PrintPreview } from '../../core/contract/printing.js';
import type { StationError } from '../../core/contract/result.js';
import { useI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/messages.js';
import { ErrorBanner } from './ErrorBanner.js';
import { formatInstant } from './format.js';
import { useOutsidePrints, usePrinter } from './printer.js';
import { useStation } from './station.js';

type DemoPrinterState = 'ok' | 'paper-out' | 'cover-open' | 'offline' | 'stalled';
const DEMO_STATES: readonly DemoPrinterState[] = ['ok', 'paper-out', 'cover-open', 'offline', 'stalled'];

/** The station keeps a dozen; so does the screen. */
const KEPT = 12;
const OPEN_KEY = 'tongda.receiptPreview';

function demoKey(state: DemoPrinterState): MessageKey {
  switch (state) {
    case 'ok':
      return 'preview.demo.ok';
    case 'paper-out':
      return 'preview.demo.paper-out';
    case 'cover-open':
      return 'preview.demo.cover-open';
    case 'offline':
      return 'preview.demo.offline';
    case 'stalled':
      return 'preview.demo.stalled';
  }
}

function initiallyOpen(): boolean {
  try {
    return window.sessionStorage.getItem(OPEN_KEY) !== 'closed';
  } catch {
    return true;
  }
}

const keepFocus = (event: MouseEvent) => event.preventDefault();

/** Shown only while the station prints on its virtual printer. `demo`: offer the printer-state buttons. */
export function ReceiptPreview({ demo }: { readonly demo: boolean }) {
  const printer = usePrinter();
  if (printer?.settings.interface.kind !== 'virtual') return null;
  return <PreviewPanel demo={demo} />;
}

function PreviewPanel({ demo }: { readonly demo: boolean }) {
  const { t } = useI18n();
  const { client, call, timeZone } = useStation();
  const [previews, setPreviews] = useState<readonly PrintPreview[]>([]);
  /** The one on screen; null follows the newest. */
  const [shownJobNo, setShownJobNo] = useState<number | null>(null);
  const [open, setOpen] = useState(initiallyOpen);
  const [busy, setBusy] = useState(false);
  const [demoState, setDemoState] = useState<DemoPrinterState | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const { outside } = useOutsidePrints();
  /** The running effect's fetch, for a test page (which no `printer.changed` announces). */
  const fetchRef = useRef<(() => void) | null>(null);

  useEffect(() => {
    let alive = true;
    let lastJobNo = 0;
    let fetching = false;
    let again = false;

    /** Fetches what the printer received since the last one on screen; one request at a time. */
    const fetchNew = () => {
      if (fetching) {
        again = true;
        return;
      }
      fetching = true;
      const after = lastJobNo;
      // The raw client: a background read needs none of the session handling `call` adds.
      void client.call('printer.previews', after === 0 ? {} : { afterJobNo: after }).then((result) => {
        fetching = false;
        if (!alive) return;
        // Errors (PRINTER_NOT_VIRTUAL: the settings just changed, and this panel is about to go) are not shown.
        const fresh = result.ok ? result.value.previews.filter((preview) => preview.jobNo > lastJobNo) : [];
        const newest = fresh[fresh.length - 1];
        if (newest !== undefined) {
          lastJobNo = Math.max(lastJobNo, newest.jobNo);
          setPreviews((previous) => {
            const known = new Set(previous.map((preview) => preview.jobNo));
            return [...previous, ...fresh.filter((preview) => !known.has(preview.jobNo))].sort((a, b) => a.jobNo - b.jobNo).slice(-KEPT);
          });
          // A new receipt came out: show it.
          setShownJobNo(null);
        }
        if (again) {
          again = false;
          fetchNew();
        }
      });
    };

    fetchRef.current = fetchNew;
    fetchNew();
    const off = client.on('printer.changed', fetchNew);
    // Back after a dropped connection: the station may have restarted and numbered its jobs from 1.
    let wasOpen: boolean | null = null;
    const offState = client.onConnectionState((connection) => {
      const isOpen = connection === 'open';
      if (isOpen && wasOpen === false) {
        lastJobNo = 0;
        setPreviews([]);
        fetchNew();
      }
      wasOpen = isOpen;
    });
    return () => {
      alive = false;
      fetchRef.current = null;
      off();
      offState();
    };
  }, [client]);

  useEffect(() => {
    if (outside > 0) fetchRef.current?.();
  }, [outside]);

  const toggle = (next: boolean) => {
    setOpen(next);
    try {
      window.sessionStorage.setItem(OPEN_KEY, next ? 'open' : 'closed');
    } catch {
      // Not remembered; the panel still folds.
    }
  };

  const setPrinter = async (state: DemoPrinterState) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await call('demo.printer', { state });
    setBusy(false);
    if (result.ok) setDemoState(state);
    else setError(result.error);
  };

  if (!open) {
    return (
      <aside className="receipt-preview receipt-preview--closed" data-testid="receipt-preview" data-open="false">
        <button type="button" className="button button--small receipt-preview__toggle" onMouseDown={keepFocus} onClick={() => toggle(true)}>
          {t('preview.expand')}
        </button>
      </aside>
    );
  }

  const index = shownJobNo === null ? previews.length - 1 : previews.findIndex((preview) => preview.jobNo === shownJobNo);
  const shown = previews[index];
  const go = (to: number) => {
    const target = previews[to];
    if (target !== undefined) setShownJobNo(to === previews.length - 1 ? null : target.jobNo);
  };

  return (
    <aside className="receipt-preview receipt-preview--open" data-testid="receipt-preview" data-open="true" aria-label={t('preview.title')}>
      <div className="receipt-preview__head">
        <span className="receipt-preview__title">
          {t('preview.title')}
          <span className="receipt-preview__sub">{t('preview.subtitle')}</span>
        </span>
        <button type="button" className="button button--small button--link" onMouseDown={keepFocus} onClick={() => toggle(false)}>
          {t('preview.collapse')}
        </button>
      </div>

      <div className="receipt-preview__paper">
        {shown === undefined ? (
          <div className="empty small">{t('preview.empty')}</div>
        ) : (
          <>
            <img
              className="receipt-preview__image"
              data-testid="receipt-preview-image"
              data-job-no={shown.jobNo}
              src={shown.png}
              alt={t('preview.alt', { jobNo: shown.jobNo, at: formatInstant(shown.at, timeZone) })}
            />
            <pre className="visually-hidden" data-testid="receipt-preview-text">
              {shown.text.join('\n')}
            </pre>
          </>
        )}
      </div>

      {shown !== undefined && (
        <div className="receipt-preview__nav">
          <button
            type="button"
            className="button button--small"
            data-testid="receipt-preview-prev"
            disabled={index <= 0}
            onMouseDown={keepFocus}
            onClick={() => go(index - 1)}
          >
            {t('preview.prev')}
          </button>
          <span className="num small receipt-preview__position">
            <span>{t('preview.position', { n: index + 1, total: previews.length })}</span>
            {shown.raster && <span className="muted">{t('preview.raster')}</span>}
          </span>
          <button
            type="button"
            className="button button--small"
            data-testid="receipt-preview-next"
            disabled={index >= previews.length - 1}
            onMouseDown={keepFocus}
            onClick={() => go(index + 1)}
          >
            {t('preview.next')}
          </button>
        </div>
      )}

      {demo && (
        <div className="receipt-preview__demo">
          <span className="receipt-preview__demo-title">{t('preview.demoTitle')}</span>
          {DEMO_STATES.map((state) => (
            <button
              key={state}
              type="button"
              className={demoState === state ? 'button button--small receipt-preview__state receipt-preview__state--on' : 'button button--small receipt-preview__state'}
              data-testid={`demo-printer-${state}`}
              title={t('preview.demoHint', { state: t(demoKey(state)) })}
              aria-pressed={demoState === state}
              disabled={busy}
              onMouseDown={keepFocus}
              onClick={() => void setPrinter(state)}
            >
              {t(demoKey(state))}
            </button>
          ))}
        </div>
      )}

      {error !== null && (
        <div className="receipt-preview__error">
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
        </div>
      )}
    </aside>
  );
}
