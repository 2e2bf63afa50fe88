/**
 * Who may use the station through Electron IPC, where our windows may navigate, and which
 * browser permissions they get. Pure: plain data in, a decision out, so it is unit-tested
 * without Electron.
 *
 * Why a custom `app://tongda/` origin rather than file://: every file:// page shares one opaque
 * origin, so "the URL is file://" would also admit any HTML file on the disk (a downloaded
 * attachment, a page in a USB stick) that somehow got loaded in our window. `app://tongda/` is
 * served only from dist/renderer by our protocol handler, gives the renderer a real origin for
 * its CSP ('self'), and makes root-relative asset paths (`/assets/…`) work as they do over HTTP,
 * so the same vite build serves both the station host and Electron.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'tongda';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** What the main process knows about the sender of an IPC message. */
export interface SenderFacts {
  readonly webContentsId: number;
  /** The sending frame's URL; null when the frame is gone (navigated away or destroyed). */
  readonly frameUrl: string | null;
  /** False for iframes: only the top-level document of our window may call the station. */
  readonly isMainFrame: boolean;
}

export type SenderDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export interface SenderPolicyOptions {
  /** True for the webContents of windows this app created. */
  isOurWebContents(webContentsId: number): boolean;
}

/** Parses a URL and says whether it is a page of our app (never throws). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Node reports origin "null" for schemes it does not know, so compare the parts instead.
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

export function decideSender(facts: SenderFacts, options: SenderPolicyOptions): SenderDecision {
  if (!options.isOurWebContents(facts.webContentsId)) return { allowed: false, reason: `webContents ${facts.webContentsId} is not one of our windows` };
  if (facts.frameUrl === null) return { allowed: false, reason: 'the sending frame is gone' };
  if (!facts.isMainFrame) return { allowed: false, reason: `a subframe (${facts.frameUrl}) may not call the station` };
  if (!isAppUrl(facts.frameUrl)) return { allowed: false, reason: `${facts.frameUrl} is not ${APP_ORIGIN}` };
  return { allowed: true };
}

/**
 * The renderer is a single page that routes inside itself, so a real navigation is never ours to
 * want: allow only a reload of the current app page (same URL apart from the fragment).
 */
export function isNavigationAllowed(currentUrl: string, targetUrl: string): boolean {
  if (!isAppUrl(targetUrl) || !isAppUrl(currentUrl)) return false;
  return withoutFragment(currentUrl) === withoutFragment(targetUrl);
}

function withoutFragment(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.href;
}

export interface PermissionFacts {
  /** Electron's permission name ('media', 'notifications', 'clipboard-read', …). */
  readonly permission: string;
  /** The URL (request) or origin (check) asking. */
  readonly requestingUrl: string;
  readonly fromOurWindow: boolean;
  /** Our page has no iframes; an iframe asking for the camera is not something we put there. */
  readonly isMainFrame: boolean;
  /** For 'media' requests: what is asked for ('video', 'audio'); absent on permission checks. */
  readonly mediaTypes?: readonly string[];
}

/**
 * Everything is denied except camera and microphone ('media') for our own page in our own
 * window: counters record the service conversation on video (服务过程录音录像), which needs both.
 * Screen capture is a different permission ('display-capture') and stays denied, as do
 * notifications, geolocation, clipboard reads, HID/serial/USB (devices belong to the main
 * process, behind the contract), and everything Chromium adds later.
 */
export function decidePermission(facts: PermissionFacts): boolean {
  // A permission check passes an origin ("app://tongda"), a request a full URL: isAppUrl takes both.
  if (!facts.fromOurWindow || !facts.isMainFrame || !isAppUrl(facts.requestingUrl)) return false;
  if (facts.permission !== 'media') return false;
  const wanted = facts.mediaTypes ?? [];
  return wanted.every((type) => type === 'video' || type === 'audio');
}

