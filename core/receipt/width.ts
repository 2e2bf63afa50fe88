/**
 * Display width on a thermal receipt printer, in columns.
 *
 * Chinese receipt printers print in a GBK code page: every double-byte character takes two
 * columns and every single-byte character one. So the width of a character is what the printer
 * does with it, not only its Unicode East Asian Width: CJK ideographs, kana, Hangul and the
 * full-width forms (including ￥ and full-width punctuation) are 2; so are the "ambiguous"
 * symbols GBK encodes in two bytes (× · ° — “ ” …), because the printer prints them wide even
 * though a Western terminal would not. Combining marks and zero-width characters are 0.
 * Everything else is 1 (a symbol the code page lacks, such as ³, is replaced by the printer
 * driver with one narrow character).
 *
 * All cutting here works on clusters (a character and the zero-width marks after it), so a
 * wide character or an accent is never split from its base.
 */

/** Inclusive code point ranges printed two columns wide. Sorted, non-overlapping. */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x00a4, 0x00a4], // ¤
  [0x00a7, 0x00a8], // § ¨
  [0x00b0, 0x00b1], // ° ±
  [0x00b7, 0x00b7], // ·
  [0x00d7, 0x00d7], // ×
  [0x00f7, 0x00f7], // ÷
  [0x1100, 0x115f], // Hangul Jamo initials
  [0x2014, 0x2016], // — ― ‖ (GBK double-byte)
  [0x2018, 0x2019], // ‘ ’
  [0x201c, 0x201d], // “ ”
  [0x2025, 0x2026], // ‥ …
  [0x2030, 0x2030], // ‰
  [0x2103, 0x2103], // ℃
  [0x2116, 0x2116], // №
  [0x2160, 0x216b], // Roman numerals Ⅰ–Ⅻ
  [0x2190, 0x2193], // arrows
  [0x2460, 0x249b], // ① ⑴ ⒈
  [0x2500, 0x254b], // box drawing
  [0x25a0, 0x25a1], // ■ □
  [0x25b2, 0x25b3], // ▲ △
  [0x25c6, 0x25c7], // ◆ ◇
  [0x25cb, 0x25cf], // ○ ◎ ●
  [0x2605, 0x2606], // ★ ☆
  [0x2e80, 0x303e], // CJK radicals, ideographic space and punctuation 、。「」
  [0x3041, 0x33ff], // kana, bopomofo, CJK compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0xff01, 0xff60], // full-width ASCII forms ！（），：
  [0xffe0, 0xffe6], // full-width signs ￠￡￥
  [0x1f300, 0x1f64f], // emoji (never printed well, but never narrow)
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd], // CJK extensions B–F
  [0x30000, 0x3fffd],
];

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cc}\p{Cf}\u{FE00}-\u{FE0F}]$/u;

function isWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = WIDE_RANGES[mid];
    if (range === undefined) return false;
    if (cp < range[0]) hi = mid - 1;
    else if (cp > range[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Columns one code point takes: 0, 1 or 2. */
export function charWidth(char: string): 0 | 1 | 2 {
  const cp = char.codePointAt(0);
  if (cp === undefined) return 0;
  if (ZERO_WIDTH.test(String.fromCodePoint(cp))) return 0;
  return isWide(cp) ? 2 : 1;
}

/** Columns a string takes on the printer. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** Splits into clusters: a base character with the zero-width characters that follow it. */
function clusters(text: string): string[] {
  const out: string[] = [];
  for (const char of text) {
    const last = out.length - 1;
    if (charWidth(char) === 0 && last >= 0) out[last] = `${out[last] ?? ''}${char}`;
    else out.push(char);
  }
  return out;
}

function fillOf(fill: string): string {
  if (displayWidth(fill) !== 1) throw new RangeError('the fill must be one column wide');
  return fill;
}

/** `text` followed by `fill` up to `width` columns; unchanged when already as wide. */
export function padEnd(text: string, width: number, fill = ' '): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + fillOf(fill).repeat(missing) : text;
}

/** `fill` then `text`, up to `width` columns; unchanged when already as wide. */
export function padStart(text: string, width: number, fill = ' '): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? fillOf(fill).repeat(missing) + text : text;
}

/**
 * The longest prefix of `text` at most `width` columns wide. A wide character that would
 * straddle the edge is left out whole, so the result may be one column short.
 */
export function truncate(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const cluster of clusters(text)) {
    const w = displayWidth(cluster);
    if (used + w > width) break;
    out += cluster;
    used += w;
  }
  return out;
}

/**
 * A line-breaking unit: a run of narrow non-space characters (a Latin word, a number, an
 * amount: these are not broken unless longer than a line), one wide character (Chinese
 * breaks between any two characters), or a run of spaces.
 */
function tokens(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let spaces = '';
  const flush = (): void => {
    if (word !== '') out.push(word);
    if (spaces !== '') out.push(spaces);
    word = '';
    spaces = '';
  };
  for (const cluster of clusters(line)) {
    if (cluster === ' ') {
      if (word !== '') flush();
      spaces += cluster;
    } else if (displayWidth(cluster) === 2) {
      flush();
      out.push(cluster);
    } else {
      if (spaces !== '') flush();
      word += cluster;
    }
  }
  flush();
  return out;
}

/**
 * Breaks `text` into lines at most `width` columns wide. Explicit newlines are kept; spaces
 * at a break are dropped; a word longer than a line is cut by columns. Empty text gives one
 * empty line, so a caller's line count stays predictable.
 */
export function wrap(text: string, width: number): string[] {
  if (!Number.isInteger(width) || width < 2) throw new RangeError(`cannot wrap to ${width} columns`);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const before = lines.length;
    let line = '';
    let used = 0;
    const push = (): void => {
      lines.push(line.trimEnd());
      line = '';
      used = 0;
    };
    for (const token of tokens(paragraph)) {
      const w = displayWidth(token);
      if (token.startsWith(' ')) {
        // Spaces at a break vanish; spaces inside a line are kept as typed.
        if (used > 0 && used + w < width) {
          line += token;
          used += w;
        } else if (used > 0) {
          push();
        }
        continue;
      }
      if (used + w <= width) {
        line += token;
        used += w;
        continue;
      }
      if (used > 0) push();
      let rest = token;
      while (displayWidth(rest) > width) {
        const head = truncate(rest, width);
        lines.push(head);
        rest = rest.slice(head.length);
      }
      line = rest;
      used = displayWidth(rest);
    }
    if (used > 0 || lines.length === before) push();
  }
  return lines;
}

/**
 * A label on the left and a value (an amount) flush right, as one or more lines exactly
 * `width` columns wide (except wrapped left-only lines, which are not padded). The value is
 * never cut: when the label is too long it wraps, and the value goes at the end of the last
 * label line if it fits there with a space, or on a line of its own otherwise.
 */
export function leftRight(left: string, right: string, width: number): string[] {
  const rightWidth = displayWidth(right);
  if (rightWidth > width) throw new RangeError(`"${right}" is wider than ${width} columns`);
  const leftLines = left === '' ? [''] : wrap(left, width);
  const last = leftLines.pop() ?? '';
  if (displayWidth(last) + 1 + rightWidth <= width || (last === '' && rightWidth <= width)) {
    return [...leftLines, padEnd(last, width - rightWidth) + right];
  }
  return [...leftLines, last, padStart(right, width)];
}
