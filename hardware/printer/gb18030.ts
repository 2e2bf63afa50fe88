/**
 * GB18030 text codec for receipt printers.
 *
 * Why not node-thermal-printer's `CharacterSet.CHINA`: it encodes with iconv-lite's
 * EUC-CN table (GBK in practice) and, for a character outside it, either prints `?`
 * (㙍, CJK Extension A) or silently switches the printer to another single-byte code
 * page mid-line (𠀀, ¥). Customer names and addresses use such characters (堃, 㙍, 𠀀),
 * so we encode the whole of Unicode as GB18030 ourselves and send the bytes inside
 * `FS &` … `FS .` (see escpos.ts).
 */
import iconv from 'iconv-lite';

/** GB18030 bytes of `text`: 1 byte for ASCII, 2 for GBK, 4 for everything else. */
export function encodeGb18030(text: string): Uint8Array {
  // Copy out of the Buffer so callers (and toEqual in tests) see a plain Uint8Array.
  return Uint8Array.from(iconv.encode(text, 'gb18030'));
}

export function decodeGb18030(bytes: Uint8Array): string {
  return iconv.decode(bytes, 'gb18030');
}
