import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { charWidth, displayWidth, leftRight, padEnd, padStart, truncate, wrap } from './width.js';

describe('displayWidth', () => {
  it('counts ASCII as 1 and Chinese, kana, Hangul and full-width forms as 2', () => {
    expect(displayWidth('abc 123')).toBe(7);
    expect(displayWidth('燃气费')).toBe(6);
    expect(displayWidth('￥12.34')).toBe(7);
    expect(displayWidth('（第2次）：，。、')).toBe(17);
    expect(displayWidth('カナ한글')).toBe(8);
    expect(displayWidth('２０２６')).toBe(8);
  });

  it('counts symbols a GBK printer prints double-byte as 2, and ³ as 1', () => {
    expect(charWidth('×')).toBe(2);
    expect(charWidth('·')).toBe(2);
    expect(charWidth('“')).toBe(2);
    expect(charWidth('³')).toBe(1);
    expect(displayWidth('40.00 m³ × 2.80 元/m³')).toBe(22);
  });

  it('counts combining marks and zero-width characters as 0', () => {
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('a\u200bb')).toBe(2);
    expect(displayWidth('')).toBe(0);
  });

  it('counts characters outside the BMP by code point, not UTF-16 unit', () => {
    expect(displayWidth('𠀀')).toBe(2);
    expect(displayWidth('𝐀')).toBe(1);
  });
});

describe('padEnd / padStart', () => {
  it('pads mixed text to an exact width', () => {
    expect(padEnd('合计', 6)).toBe('合计  ');
    expect(padStart('￥5.00', 8)).toBe('  ￥5.00');
    expect(padEnd('合计abc', 4)).toBe('合计abc');
    expect(displayWidth(padEnd('户名：张伟 abc', 32))).toBe(32);
    expect(displayWidth(padStart('户名：张伟 abc', 48))).toBe(48);
  });

  it('refuses a fill that is not one column', () => {
    expect(() => padEnd('a', 4, '－')).toThrow(RangeError);
  });
});

describe('truncate', () => {
  it('never splits a wide character', () => {
    expect(truncate('燃气费', 5)).toBe('燃气');
    expect(truncate('a燃气', 4)).toBe('a燃');
    expect(truncate('abc', 10)).toBe('abc');
    expect(truncate('燃', 1)).toBe('');
  });

  it('keeps a combining mark with its base', () => {
    expect(truncate('ae\u0301b', 2)).toBe('ae\u0301');
  });
});

describe('wrap', () => {
  it('breaks Chinese between any two characters', () => {
    expect(wrap('冲正原因：户号输错应为另一户', 10)).toEqual(['冲正原因：', '户号输错应', '为另一户']);
  });

  it('keeps Latin words and numbers whole and drops spaces at breaks', () => {
    expect(wrap('pay bill 3401000011 now', 10)).toEqual(['pay bill', '3401000011', 'now']);
  });

  it('moves a number after Chinese to the next line rather than splitting it', () => {
    expect(wrap('应为3401000011', 10)).toEqual(['应为', '3401000011']);
  });

  it('cuts a word longer than the line', () => {
    expect(wrap('HF-SS-01:mhq3k2x0a-0a1b2c3d', 10)).toEqual(['HF-SS-01:m', 'hq3k2x0a-0', 'a1b2c3d']);
  });

  it('keeps explicit newlines and gives one empty line for empty text', () => {
    expect(wrap('a\n\nb', 10)).toEqual(['a', '', 'b']);
    expect(wrap('', 10)).toEqual(['']);
    expect(wrap('abc   ', 3)).toEqual(['abc']);
  });

  it('never returns a line wider than asked and loses no visible character', () => {
    const piece = fc.constantFrom('燃', '气', '费', 'a', 'Z', '1', ' ', '￥', '。', '×', 'e\u0301', '𠀀', 'ab12');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 2, max: 48 }), (pieces, width) => {
        const text = pieces.join('');
        const lines = wrap(text, width);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      }),
    );
  });
});

describe('leftRight', () => {
  it('puts the amount flush right at exactly 32 and 48 columns', () => {
    const [at32] = leftRight('2026-09 燃气费', '￥51.80', 32);
    expect(at32).toBe('2026-09 燃气费           ￥51.80');
    expect(displayWidth(at32 ?? '')).toBe(32);
    const [at48] = leftRight('违约金（逾期32天）', '￥1.80', 48);
    expect(at48).toBe('违约金（逾期32天）                        ￥1.80');
    expect(displayWidth(at48 ?? '')).toBe(48);
  });

  it('puts the amount on its own line when the label leaves no room', () => {
    expect(leftRight('第1档 40.00 m³ × 2.80 元/m³ =', '￥112.00', 32)).toEqual([
      '第1档 40.00 m³ × 2.80 元/m³ =',
      '                        ￥112.00',
    ]);
  });

  it('wraps a long label and puts the amount after its last line when it fits', () => {
    expect(leftRight('很长很长很长的标签文字', '￥1.00', 16)).toEqual(['很长很长很长的标', '签文字    ￥1.00']);
  });

  it('never cuts the amount', () => {
    expect(leftRight('', '￥100000000.00', 14)).toEqual(['￥100000000.00']);
    expect(() => leftRight('合计', '￥100000000.00', 13)).toThrow(RangeError);
  });

  it('every line fits and the amount appears whole, for any label', () => {
    const piece = fc.constantFrom('燃', '气', 'a', '1', ' ', '（', '×');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 50 }), fc.integer({ min: 0, max: 999_999_99 }), fc.constantFrom(32, 48), (pieces, fenValue, width) => {
        const right = `￥${(fenValue / 100).toFixed(2)}`;
        const lines = leftRight(pieces.join(''), right, width);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        expect(lines[lines.length - 1]?.endsWith(right)).toBe(true);
      }),
    );
  });
});
