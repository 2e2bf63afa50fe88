import { describe, expect, it } from 'vitest';
import { parseHallPageUrl } from './hall-page-url.js';

describe('the hall page a station window may show', () => {
  it('accepts the hub kiosk and board pages only', () => {
    expect(parseHallPageUrl('http://192.168.1.20:7700/kiosk#device=tdh1.abc123.x')).toEqual({ kind: 'kiosk', url: 'http://192.168.1.20:7700/kiosk#device=tdh1.abc123.x', origin: 'http://192.168.1.20:7700' });
    expect(parseHallPageUrl('http://192.168.1.20:7700/board/')?.kind).toBe('board');
    for (const refused of ['file:///etc/passwd', 'http://hub:7700/', 'http://hub:7700/index.html', 'javascript:alert(1)', 'http://user:pw@hub:7700/kiosk', 'not a url']) {
      expect(parseHallPageUrl(refused)).toBeNull();
    }
  });
});
