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
