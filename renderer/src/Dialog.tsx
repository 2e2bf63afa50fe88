/**
 * A modal dialog: keeps Tab inside itself, so keyboard-only clerks never end up behind it, and
 * marks itself aria-modal so the shell's global shortcuts stand down while it is open.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog({
  title,
  testId,
  onKeyDown,
  children,
  wide,
}: {
  readonly title: string;
  readonly testId: string;
  readonly onKeyDown?: (event: KeyboardEvent<HTMLDivElement>) => void;
  readonly children: ReactNode;
  readonly wide?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);

  // Read during the first render, before the dialog's own autofocus moves it.
  const [before] = useState(() => document.activeElement);
  useEffect(() => {
    // Keys must reach the dialog at once (Enter confirms), unless a field inside took focus itself.
    const root = ref.current;
    if (root !== null && !root.contains(document.activeElement)) root.focus();
  }, []);
  useEffect(() => {
    // A modal keeps the keyboard: Enter must confirm, so focus that drops to the page (a focused
    // button inside became disabled or went away, a re-render elsewhere) comes back to the dialog.
    // Another modal (an approval over this one) may take it.
    const reclaim = () => {
      const root = ref.current;
      if (root === null || !root.isConnected) return;
      const active = document.activeElement;
      const inModal = active instanceof Element && active.closest('[aria-modal="true"]') !== null;
      if (active === null || active === document.body || !inModal) root.focus();
    };
    const onFocusIn = (event: FocusEvent) => {
      if (event.target instanceof Element && event.target.closest('[aria-modal="true"]') === null) reclaim();
    };
    const onFocusOut = (event: FocusEvent) => {
      if (event.relatedTarget === null) window.setTimeout(reclaim, 0);
    };
    document.addEventListener('focusin', onFocusIn);
    const root = ref.current;
    root?.addEventListener('focusout', onFocusOut);
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      root?.removeEventListener('focusout', onFocusOut);
    };
  }, []);
  useEffect(() => {
    // Whatever had focus before (a table row, the pay button) gets it back when we close.
    return () => {
      if (before instanceof HTMLElement && before.isConnected) before.focus();
    };
  }, [before]);

  const handleKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Tab' && ref.current !== null) {
      const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = items[0];
      const last = items[items.length - 1];
      if (first !== undefined && last !== undefined) {
        if (event.shiftKey && (document.activeElement === first || document.activeElement === ref.current)) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && document.activeElement === last) {
          event.preventDefault();
          first.focus();
        }
      }
    }
    onKeyDown?.(event);
  };

  return (
    <div className="dialog-backdrop">
      <div
        ref={ref}
        className={wide === true ? 'dialog dialog--wide' : 'dialog'}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        tabIndex={-1}
        onKeyDown={handleKeyDown}
      >
        <h2 className="dialog__title">{title}</h2>
        {children}
      </div>
    </div>
  );
}
