import { GlobalFonts } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { CJK_FONT_LOCATIONS, CjkFontError, cellsOf, findCjkFont, registerCjkFont, requireCjkFont } from './fonts.js';

const NOTO = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const MISSING = '/nonexistent/fonts/NoSuchFont.ttc';

describe('findCjkFont', () => {
  it('knows the usual places on Debian, Fedora, Windows and macOS', () => {
    expect(CJK_FONT_LOCATIONS).toEqual(
      expect.arrayContaining([NOTO, '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc', 'C:\\Windows\\Fonts\\msyh.ttc', 'C:\\Windows\\Fonts\\simsun.ttc', '/System/Library/Fonts/PingFang.ttc']),
    );
    expect(CJK_FONT_LOCATIONS.some((path) => path.includes('google-noto'))).toBe(true);
  });

  it('takes the configured font if it exists, else the first known one that does', () => {
    expect(findCjkFont(NOTO, [])).toBe(NOTO);
    expect(findCjkFont(MISSING, [MISSING, NOTO])).toBe(NOTO);
    expect(findCjkFont(null, [NOTO])).toBe(NOTO);
    expect(findCjkFont(MISSING, [MISSING])).toBeNull();
    // CI and the dev image install fonts-noto-cjk, so the defaults find it.
    expect(findCjkFont(null)).toBe(NOTO);
  });

  it('fails without a font, saying where it looked', () => {
    expect(() => requireCjkFont(MISSING, ['/a/x.ttc', '/b/y.ttc'])).toThrow(CjkFontError);
    expect(() => requireCjkFont(MISSING, ['/a/x.ttc', '/b/y.ttc'])).toThrow(`${MISSING}, /a/x.ttc, /b/y.ttc`);
    expect(() => requireCjkFont(null, [])).toThrow(/Chinese font/);
    expect(requireCjkFont(null)).toBe(NOTO);
  });
});

describe('registerCjkFont', () => {
  it('registers a path once and returns its family', () => {
    const family = registerCjkFont(NOTO);
    expect(GlobalFonts.has(family)).toBe(true);
    expect(registerCjkFont(NOTO)).toBe(family);
    expect(registerCjkFont('/usr/share/fonts/opentype/noto/../noto/NotoSansCJK-Regular.ttc')).toBe(family);
  });

  it('refuses a file that is not a font', () => {
    expect(() => registerCjkFont('package.json')).toThrow(CjkFontError);
  });
});

describe('cellsOf', () => {
  it('gives wide characters two columns and keeps marks with their character', () => {
    expect(cellsOf('合A￥1e\u0301')).toEqual([
      { text: '合', width: 2 },
      { text: 'A', width: 1 },
      { text: '￥', width: 2 },
      { text: '1', width: 1 },
      { text: 'e\u0301', width: 1 },
    ]);
    expect(cellsOf('\u0301𠀀')).toEqual([{ text: '𠀀', width: 2 }]);
  });
});
