/** Esc leaves a full screen (settings, sync, conflicts) for where the clerk came from, unless a dialog on it took the key first. */
import { useEffect } from 'react';

export function useEscapeBack(active: boolean, onBack: () => void): void {
  useEffect(() => {
    if (!active) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        onBack();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, onBack]);
}
