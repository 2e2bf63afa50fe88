/**
 * A station window showing the hall's kiosk or board page (`--hall-page <url>`): the page of the
 * hub, as a browser on the hall network would open it. Only such a URL is accepted, so the
 * window cannot be pointed at anything else.
 */
import { HALL_PAGE_PATHS } from '../../core/hall/contract.js';

export type HallPageKind = keyof typeof HALL_PAGE_PATHS;

export interface HallPage {
  readonly kind: HallPageKind;
  /** The URL to load (with the credential fragment the first time). */
  readonly url: string;
  readonly origin: string;
}

export function parseHallPageUrl(text: string): HallPage | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  const path = url.pathname.replace(/\/$/, '');
  const kind = (Object.keys(HALL_PAGE_PATHS) as HallPageKind[]).find((candidate) => HALL_PAGE_PATHS[candidate] === path);
  if (kind === undefined) return null;
  return { kind, url: url.href, origin: url.origin };
}
