/**
 * CRC-16/CCITT-FALSE, the checksum of the gas card's account block, purchase slots and meter
 * return block (`gas-card-layout.md`, "Encodings"): polynomial 0x1021, initial value 0xFFFF, no
 * reflection of input or output, no final XOR. Check value: ASCII "123456789" gives 0x29B1.
 * The card stores it high byte first.
 *
 * Table-driven, because a whole-card decode checks four blocks and the demo deck decodes many
 * cards; the table is built once from the polynomial rather than pasted, so it cannot hold a typo.
 */

const POLY = 0x1021;
const INIT = 0xffff;

const TABLE: readonly number[] = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit++) {
    crc = crc & 0x8000 ? ((crc << 1) ^ POLY) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
});

/** CRC-16/CCITT-FALSE over `bytes[from..to)` (the whole array by default). */
export function crc16(bytes: Uint8Array, from = 0, to = bytes.length): number {
  if (from < 0 || to > bytes.length || from > to) {
    throw new RangeError(`crc16 range ${from}..${to} is outside ${bytes.length} bytes`);
  }
  let crc = INIT;
  for (let i = from; i < to; i++) {
    const byte = bytes[i] ?? 0;
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  }
  return crc;
}
