import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BAUD_CODE,
  COMMAND,
  ETX,
  FrameParser,
  MAX_DATA,
  STX,
  attemptsLeft,
  baudFromCode,
  bcc,
  encodeFrame,
  responseTimeoutMs,
  wireTimeMs,
  type Frame,
} from './frame.js';

function parseAll(bytes: Uint8Array, nowMs = 0): Frame[] {
  return new FrameParser().push(bytes, nowMs);
}

function concat(...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function sameFrame(a: Frame, b: Frame): boolean {
  if (a.seq !== b.seq || a.code !== b.code || a.data.length !== b.data.length) return false;
  return a.data.every((x, i) => x === b.data[i]);
}

describe('encodeFrame', () => {
  it('lays out STX, big-endian LEN, SEQ, CODE, DATA, BCC, ETX', () => {
    const f = encodeFrame({ seq: 0x05, code: COMMAND.READ_MAIN, data: new Uint8Array([0x10, 0x20]) });
    const len = 4;
    const expectedBcc = 0x00 ^ len ^ 0x05 ^ 0x20 ^ 0x10 ^ 0x20;
    expect([...f]).toEqual([STX, 0x00, len, 0x05, 0x20, 0x10, 0x20, expectedBcc, ETX]);
  });

  it('encodes a 250-byte DATA with a two-byte LEN', () => {
    const f = encodeFrame({ seq: 1, code: 0, data: new Uint8Array(MAX_DATA).fill(0xaa) });
    expect(f.length).toBe(MAX_DATA + 7);
    expect(f[1]).toBe(0);
    expect(f[2]).toBe(252);
  });

  it('rejects programming errors', () => {
    expect(() => encodeFrame({ seq: 256, code: 0, data: new Uint8Array() })).toThrow(RangeError);
    expect(() => encodeFrame({ seq: 1, code: -1, data: new Uint8Array() })).toThrow(RangeError);
    expect(() => encodeFrame({ seq: 1, code: 0, data: new Uint8Array(251) })).toThrow(RangeError);
  });
});

describe('FrameParser', () => {
  it('round-trips any frame (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: MAX_DATA }),
        (seq, code, data) => {
          const frames = parseAll(encodeFrame({ seq, code, data }));
          expect(frames).toHaveLength(1);
          const [f] = frames;
          expect(f?.seq).toBe(seq);
          expect(f?.code).toBe(code);
          expect([...(f?.data ?? [])]).toEqual([...data]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts 0x02 and 0x03 inside LEN, DATA and BCC (no stuffing)', () => {
    // LEN 0x0203 would be out of range, so put 0x02/0x03 in DATA and let BCC be 0x02.
    const data = new Uint8Array([STX, ETX, STX, STX, ETX, ETX]);
    const frame = { seq: 0x03, code: 0x02, data };
    const bytes = encodeFrame(frame);
    const frames = parseAll(bytes);
    expect(frames).toHaveLength(1);
    expect(sameFrame(frames[0] ?? { seq: -1, code: -1, data }, frame)).toBe(true);

    // A frame whose LEN low byte is 0x02 (empty DATA) and whose BCC is an STX.
    const empty = encodeFrame({ seq: 0x02, code: 0x02, data: new Uint8Array() });
    expect(empty[2]).toBe(0x02);
    expect(parseAll(concat(empty, empty))).toHaveLength(2);
    const bccIsStx = encodeFrame({ seq: 0x03, code: 0x03, data: new Uint8Array([0x01]) }); // BCC = 3 ^ 3 ^ 3 ^ 1
    expect(bccIsStx[bccIsStx.length - 2]).toBe(STX);
    expect(parseAll(bccIsStx)).toHaveLength(1);
  });

  it('parses back-to-back frames in one chunk', () => {
    const a = encodeFrame({ seq: 1, code: 0, data: new Uint8Array([1, 2, 3]) });
    const b = encodeFrame({ seq: 0, code: 0xe0, data: new Uint8Array([1]) });
    const frames = parseAll(concat(a, b, a));
    expect(frames.map((f) => f.seq)).toEqual([1, 0, 1]);
  });

  it('resynchronises after garbage, including false STX bytes', () => {
    const good = encodeFrame({ seq: 9, code: 0, data: new Uint8Array([0x02, 0x00, 0x05]) });
    const garbage = [0x00, 0xff, STX, 0x00, 0x07, 0x11, STX, STX, 0x00, ETX, 0x55];
    const frames = parseAll(concat(garbage, good, garbage, good));
    expect(frames.map((f) => f.seq)).toEqual([9, 9]);
  });

  it('finds a frame that starts inside a false candidate', () => {
    // False STX with LEN 10: the parser waits for 15 bytes, which swallow the start of
    // the good frame; the bad BCC makes it rescan what it holds and find the good one.
    const good = encodeFrame({ seq: 7, code: 0, data: new Uint8Array([1, 2, 3, 4]) });
    const frames = parseAll(concat([STX, 0x00, 0x0a, 0x44], good));
    expect(frames.map((f) => f.seq)).toEqual([7]);
  });

  it('finds every frame held behind a long false candidate', () => {
    // A false STX announcing 200 bytes swallows several short frames; when the candidate
    // fails, all of them must come out, not just the first.
    const frames = [1, 2, 3, 4].map((seq) => encodeFrame({ seq, code: 0, data: new Uint8Array([seq, STX]) }));
    const out = parseAll(concat([STX, 0x00, 200], ...frames, new Uint8Array(200).fill(0x55), frames[0] ?? []));
    expect(out.map((f) => f.seq)).toEqual([1, 2, 3, 4, 1]);
  });

  it('drops a frame with a bad BCC and keeps the next one', () => {
    const bad = encodeFrame({ seq: 1, code: 0, data: new Uint8Array([1, 2]) });
    bad[bad.length - 2] = (bad[bad.length - 2] ?? 0) ^ 0x40;
    const good = encodeFrame({ seq: 2, code: 0, data: new Uint8Array([1, 2]) });
    expect(parseAll(concat(bad, good)).map((f) => f.seq)).toEqual([2]);
  });

  it('drops a frame with a missing ETX', () => {
    const bad = encodeFrame({ seq: 1, code: 0, data: new Uint8Array([1, 2]) });
    bad[bad.length - 1] = 0x04;
    const good = encodeFrame({ seq: 2, code: 0, data: new Uint8Array() });
    expect(parseAll(concat(bad, good)).map((f) => f.seq)).toEqual([2]);
  });

  it('rejects LEN below 2 or above 252 without waiting for the body', () => {
    const parser = new FrameParser();
    // (None of these LEN bytes is itself an 0x02, which would rightly start a new candidate.)
    for (const len of [0, 1, 253, 0x0100, 0xffff]) {
      expect(parser.push(new Uint8Array([STX, len >> 8, len & 0xff]), 0)).toEqual([]);
      expect(parser.pending).toBe(0);
    }
    // LEN 1 with what would be a consistent BCC and ETX is still not a frame.
    const lenOne = new Uint8Array([STX, 0x00, 0x01, 0x05, 0x00 ^ 0x01 ^ 0x05, ETX]);
    const good = encodeFrame({ seq: 3, code: 0, data: new Uint8Array() });
    expect(parseAll(concat(lenOne, good)).map((f) => f.seq)).toEqual([3]);
  });

  it('parses a frame split byte by byte', () => {
    const bytes = encodeFrame({ seq: 0x42, code: 0, data: new Uint8Array([STX, ETX, 0, 0xff]) });
    const parser = new FrameParser();
    const out: Frame[] = [];
    bytes.forEach((b, i) => out.push(...parser.push(new Uint8Array([b]), i * 10)));
    expect(out).toHaveLength(1);
    expect(out[0]?.seq).toBe(0x42);
  });

  it('drops a partial frame after more than 100 ms between two of its bytes', () => {
    const bytes = encodeFrame({ seq: 5, code: 0, data: new Uint8Array([1, 2, 3]) });
    const parser = new FrameParser();
    expect(parser.push(bytes.subarray(0, 4), 1000)).toEqual([]);
    // Exactly 100 ms is still within the frame.
    expect(parser.push(bytes.subarray(4, 6), 1100)).toEqual([]);
    expect(parser.pending).toBe(6);
    // 101 ms later the partial is gone, and the rest alone is not a frame.
    expect(parser.push(bytes.subarray(6), 1201)).toEqual([]);
    expect(parser.pending).toBe(0);
    // A false STX cannot stall the next real frame.
    expect(parser.push(new Uint8Array([STX, 0x00, 0xfa]), 2000)).toEqual([]);
    expect(parser.push(bytes, 2200).map((f) => f.seq)).toEqual([5]);
  });

  it('still delivers a complete frame that a stale false candidate had swallowed', () => {
    const good = encodeFrame({ seq: 8, code: 0, data: new Uint8Array([1]) });
    const parser = new FrameParser();
    expect(parser.push(concat([STX, 0x00, 100], good), 0)).toEqual([]);
    expect(parser.push(new Uint8Array([0x55]), 500).map((f) => f.seq)).toEqual([8]);
    expect(parser.pending).toBe(0);
  });

  it('holds at most one maximal frame', () => {
    const parser = new FrameParser();
    parser.push(new Uint8Array([STX, 0x00, 252]), 0);
    parser.push(new Uint8Array(253).fill(0x11), 0);
    expect(parser.pending).toBeLessThanOrEqual(257);
  });
});

/** mulberry32: a small seeded PRNG so the fuzz run is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('FrameParser fuzz', () => {
  it('survives 100,000 random, mutated and garbage-wrapped frames', () => {
    const rnd = prng(0x6c71);
    const int = (n: number): number => Math.floor(rnd() * n);
    // Biased towards the bytes that matter to framing.
    const byte = (): number => (rnd() < 0.3 ? [STX, ETX, 0x00, 0xff][int(4)] ?? 0 : int(256));
    const randomFrame = (): Frame => {
      const n = rnd() < 0.8 ? int(16) : int(MAX_DATA + 1);
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = byte();
      return { seq: int(256), code: byte(), data };
    };
    const mutate = (bytes: Uint8Array): Uint8Array => {
      const arr = [...bytes];
      const edits = 1 + int(3);
      for (let e = 0; e < edits; e++) {
        const at = int(arr.length + 1);
        switch (int(4)) {
          case 0: // bit flip
            if (at < arr.length) arr[at] = (arr[at] ?? 0) ^ (1 << int(8));
            break;
          case 1: // insertion
            arr.splice(at, 0, byte());
            break;
          case 2: // deletion
            arr.splice(at, 1);
            break;
          default: // truncation
            arr.length = Math.min(arr.length, at);
        }
      }
      return Uint8Array.from(arr);
    };

    const FRAMES = 100_000;
    const expected: Frame[] = [];
    const stream: number[] = [];
    const boundaries: number[] = []; // stream offsets where a time gap may be inserted
    for (let i = 0; i < FRAMES; i++) {
      const f = randomFrame();
      const kind = rnd();
      if (kind < 0.5) {
        expected.push(f);
        stream.push(...encodeFrame(f));
      } else if (kind < 0.85) {
        stream.push(...mutate(encodeFrame(f)));
      } else {
        const g = int(40);
        for (let k = 0; k < g; k++) stream.push(byte());
      }
      boundaries.push(stream.length);
    }
    const input = Uint8Array.from(stream);

    const parser = new FrameParser();
    const out: Frame[] = [];
    let now = 0;
    let pos = 0;
    let b = 0;
    const started = performance.now();
    while (pos < input.length) {
      const end = Math.min(input.length, pos + 1 + int(64));
      out.push(...parser.push(input.subarray(pos, end), now));
      pos = end;
      // Bytes of one segment arrive close together; between segments there is now and
      // then a pause long enough to drop a partial (never inside an intact frame).
      while (b < boundaries.length && (boundaries[b] ?? 0) <= pos) b++;
      const atBoundary = boundaries[b - 1] === pos;
      now += atBoundary && rnd() < 0.05 ? 150 : int(20);
      expect(parser.pending).toBeLessThanOrEqual(257);
    }
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(20_000);

    // Every frame returned is well formed and really was on the wire.
    const hex = Buffer.from(input).toString('hex');
    for (const f of out) {
      expect(f.data.length).toBeLessThanOrEqual(MAX_DATA);
      const enc = encodeFrame(f);
      const len = ((enc[1] ?? 0) << 8) | (enc[2] ?? 0);
      expect(len).toBeGreaterThanOrEqual(2);
      expect(len).toBeLessThanOrEqual(252);
      expect(enc[enc.length - 2]).toBe(bcc(enc, 1, enc.length - 2));
    }
    // Checking every frame's presence by substring search is slow; sample them.
    for (let i = 0; i < out.length; i += 97) {
      const f = out[i];
      if (f) expect(hex.includes(Buffer.from(encodeFrame(f)).toString('hex'))).toBe(true);
    }

    // Intact frames come out in order. A real frame can only be lost when a false
    // candidate that happens to validate swallows its first bytes, so every miss is
    // matched by a spurious frame.
    let next = 0;
    let found = 0;
    let spurious = 0;
    for (const f of out) {
      // Look a few frames ahead so that one lost frame does not derail the matching.
      let k = next;
      while (k < Math.min(expected.length, next + 8)) {
        const want = expected[k];
        if (want && sameFrame(f, want)) break;
        k++;
      }
      if (k < Math.min(expected.length, next + 8)) {
        found++;
        next = k + 1;
      } else spurious++;
    }
    const missed = expected.length - found;
    expect(missed).toBeLessThanOrEqual(spurious);
    expect(missed).toBeLessThan(expected.length / 1000);
    expect(expected.length).toBeGreaterThan(40_000);
  });
});

describe('timing budget', () => {
  it('computes wire time at 10 bits a byte', () => {
    expect(wireTimeMs(96, 9600)).toBe(100);
    expect(wireTimeMs(1, 115200)).toBe(1);
  });

  it('adds the per-command allowances and the response wire time', () => {
    // READ_MAIN of 32 bytes at 9600: 200 + wire(39 bytes) + 100.
    expect(responseTimeoutMs(COMMAND.READ_MAIN, 2, 32, 9600)).toBe(200 + Math.ceil(390 / 9.6) + 100);
    // WRITE_MAIN of 16 data bytes (+ address): 5 ms per request data byte.
    expect(responseTimeoutMs(COMMAND.WRITE_MAIN, 17, 0, 9600)).toBe(200 + 85 + wireTimeMs(8, 9600) + 100);
    expect(responseTimeoutMs(COMMAND.VERIFY_PSC, 3, 0, 9600)).toBe(200 + 50 + wireTimeMs(8, 9600) + 100);
    expect(responseTimeoutMs(COMMAND.CHANGE_PSC, 3, 0, 115200)).toBe(200 + 50 + 1 + 100);
  });
});

describe('helpers', () => {
  it('maps baud codes and security counters', () => {
    expect(BAUD_CODE[38400]).toBe(0x03);
    expect(baudFromCode(0x04)).toBe(115200);
    expect(baudFromCode(0x05)).toBeUndefined();
    expect([0x07, 0x03, 0x01, 0x00].map(attemptsLeft)).toEqual([3, 2, 1, 0]);
  });
});
