import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, decidePermission, decideSender, isAppUrl, isNavigationAllowed, type SenderFacts } from './sender-policy.js';

const ours = { isOurWebContents: (id: number) => id === 1 };
const good: SenderFacts = { webContentsId: 1, frameUrl: APP_INDEX_URL, isMainFrame: true };

describe('decideSender', () => {
  it('allows the main frame of our window on our app origin', () => {
    expect(decideSender(good, ours)).toEqual({ allowed: true });
    expect(decideSender({ ...good, frameUrl: 'app://tongda/index.html#/payments?account=1' }, ours)).toEqual({ allowed: true });
    expect(decideSender({ ...good, frameUrl: 'app://tongda/' }, ours)).toEqual({ allowed: true });
  });

  it.each<[string, SenderFacts]>([
    ['a webContents that is not our window', { ...good, webContentsId: 2 }],
    ['a frame that is gone', { ...good, frameUrl: null }],
    ['a subframe, even on our origin', { ...good, isMainFrame: false }],
    ['a file:// page', { ...good, frameUrl: 'file:///tmp/evil.html' }],
    ['our index opened from disk', { ...good, frameUrl: 'file:///opt/tongda/dist/renderer/index.html' }],
    ['a web page', { ...good, frameUrl: 'https://evil.example/' }],
    ['the station host page', { ...good, frameUrl: 'http://127.0.0.1:8631/' }],
    ['another app:// host', { ...good, frameUrl: 'app://other/index.html' }],
    ['a look-alike host', { ...good, frameUrl: 'app://tongda.evil.example/index.html' }],
    ['credentials in the URL', { ...good, frameUrl: 'app://user:pw@tongda/index.html' }],
    ['about:blank', { ...good, frameUrl: 'about:blank' }],
    ['data: URL', { ...good, frameUrl: 'data:text/html,<script>1</script>' }],
    ['garbage', { ...good, frameUrl: 'not a url' }],
  ])('refuses %s', (_name, facts) => {
    const decision = decideSender(facts, ours);
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.reason).not.toBe('');
  });
});

describe('isAppUrl', () => {
  it('accepts an origin or a URL on app://tongda only', () => {
    expect(isAppUrl('app://tongda')).toBe(true);
    // Chromium canonicalises a standard scheme's host to lower case before we see it, so anything
    // else did not come from Chromium: refusing it costs nothing.
    expect(isAppUrl('app://TONGDA/index.html')).toBe(false);
    expect(isAppUrl('app://tongda:80/')).toBe(false);
    expect(isAppUrl('')).toBe(false);
  });
});

describe('isNavigationAllowed', () => {
  it('allows only a reload of the current page', () => {
    expect(isNavigationAllowed(APP_INDEX_URL, APP_INDEX_URL)).toBe(true);
    expect(isNavigationAllowed(`${APP_INDEX_URL}#/a`, `${APP_INDEX_URL}#/b`)).toBe(true);
    expect(isNavigationAllowed(APP_INDEX_URL, 'app://tongda/other.html')).toBe(false);
    expect(isNavigationAllowed(APP_INDEX_URL, 'https://evil.example/')).toBe(false);
    expect(isNavigationAllowed(APP_INDEX_URL, 'file:///etc/passwd')).toBe(false);
    expect(isNavigationAllowed('about:blank', 'about:blank')).toBe(false);
  });
});

describe('decidePermission', () => {
  const base = { requestingUrl: APP_INDEX_URL, fromOurWindow: true, isMainFrame: true };
  it('grants camera and microphone to our page in our window', () => {
    expect(decidePermission({ ...base, permission: 'media', mediaTypes: ['video'] })).toBe(true);
    expect(decidePermission({ ...base, permission: 'media', mediaTypes: ['video', 'audio'] })).toBe(true);
    expect(decidePermission({ ...base, permission: 'media', requestingUrl: 'app://tongda' })).toBe(true);
  });

  it('denies media to anyone else and for unknown media types', () => {
    expect(decidePermission({ ...base, permission: 'media', fromOurWindow: false })).toBe(false);
    expect(decidePermission({ ...base, permission: 'media', isMainFrame: false })).toBe(false);
    expect(decidePermission({ ...base, permission: 'media', requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(decidePermission({ ...base, permission: 'media', mediaTypes: ['screen'] })).toBe(false);
  });

  it.each(['notifications', 'geolocation', 'clipboard-read', 'display-capture', 'hid', 'serial', 'usb', 'openExternal', 'unknown'])(
    'denies %s even to our page',
    (permission) => {
      expect(decidePermission({ ...base, permission })).toBe(false);
    },
  );
});
