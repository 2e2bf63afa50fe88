/**
 * The station host prints a per-start URL `http://127.0.0.1:port/#token=...`. The token must
 * survive a reload (F5 at the counter) but should not sit in the address bar or in history,
 * so it moves from the hash into sessionStorage at once.
 */
const STORAGE_KEY = 'tongda.hostToken';

export function takeHostToken(): string | null {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash !== null && fromHash !== '') {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, fromHash);
    } catch {
      // Storage may be disabled; the token still works for this page load.
    }
    params.delete('token');
    const rest = params.toString();
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${rest === '' ? '' : `#${rest}`}`);
    return fromHash;
  }
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function hostSocketUrl(token: string | null): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  return `${scheme}://${window.location.host}/ws${query}`;
}
