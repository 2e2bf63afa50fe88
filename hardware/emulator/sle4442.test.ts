import { describe, expect, it } from 'vitest';
import { Sle4442Card } from './sle4442.js';

describe('SLE4442 card model', () => {
  it('answers A2 13 10 91 to reset and starts every power session unverified', () => {
    const card = new Sle4442Card();
    expect([...card.powerOn()]).toEqual([0xa2, 0x13, 0x10, 0x91]);
    expect(card.verify([0xff, 0xff, 0xff]).ok).toBe(true);
    expect(card.verified).toBe(true);
    card.powerOff();
    card.powerOn();
    expect(card.verified).toBe(false);
  });

  it('spends one attempt per wrong PSC, restores all three on a right one, locks on the third wrong in a row', () => {
    const card = new Sle4442Card({ psc: [1, 2, 3] });
    card.powerOn();
    expect(card.verify([9, 9, 9])).toEqual({ ok: false, counter: 0x03 });
    expect(card.verify([9, 9, 9])).toEqual({ ok: false, counter: 0x01 });
    expect(card.verify([1, 2, 3])).toEqual({ ok: true, counter: 0x07 });
    expect(card.verify([9, 9, 9]).counter).toBe(0x03);
    expect(card.verify([9, 9, 9]).counter).toBe(0x01);
    expect(card.verify([9, 9, 9])).toEqual({ ok: false, counter: 0x00 });
    expect(card.isLocked).toBe(true);
    // Locked: still readable, never verifiable or writable.
    expect(card.read(0, 4).length).toBe(4);
    expect(() => card.verify([1, 2, 3])).toThrow();
    expect(() => card.writeByte(0x40, 1)).toThrow();
  });

  it('reports protection inverted (bit = 0 protected) and refuses to change a protected byte', () => {
    const memory = new Uint8Array(256);
    memory[0] = 0x47;
    const card = new Sle4442Card({ memory, protectedBytes: [0, 9, 31] });
    expect([...card.protectionBits()]).toEqual([0xfe, 0xfd, 0xff, 0x7f]);
    card.powerOn();
    card.verify([0xff, 0xff, 0xff]);
    expect(card.wouldChangeProtected(0, Uint8Array.of(0x47, 1))).toBe(false);
    expect(card.wouldChangeProtected(0, Uint8Array.of(0x48))).toBe(true);
    expect(() => card.writeByte(0, 0x48)).toThrow();
    expect(card.writeByte(0, 0x47)).toBe('written');
    expect(card.matches(0, Uint8Array.of(0x47, 0))).toBe(true);
    expect(card.protectByte(1, 0)).toBe('written');
    expect(card.isProtected(1)).toBe(true);
  });

  it('keeps exactly the first N bytes of a write pulled after N bytes', () => {
    const card = new Sle4442Card();
    card.powerOn();
    card.verify([0xff, 0xff, 0xff]);
    card.armPull(3);
    const results = [1, 2, 3, 4].map((v, k) => card.writeByte(0x40 + k, v));
    expect(results.slice(0, 3)).toEqual(['written', 'written', 'written']);
    expect(results[3]).toBe('pulled');
    expect(card.lastPullMode).toBe('pull');
    expect(card.powered).toBe(false);
    expect(card.verified).toBe(false);
    expect([...card.peek(0x40, 5)]).toEqual([1, 2, 3, 0, 0]);
  });

  it('a write no longer than the armed count completes and the card goes right after it', () => {
    const card = new Sle4442Card();
    card.powerOn();
    card.verify([0xff, 0xff, 0xff]);
    card.armPull(2, 'power-glitch');
    expect(card.writeByte(0x50, 7)).toBe('written');
    expect(card.writeByte(0x51, 8)).toBe('written');
    expect(card.finishWrite()).toBe('power-glitch');
    expect(card.powered).toBe(false);
    expect(card.finishWrite()).toBeNull();
  });

  it('a pull between PSC bytes leaves a mixed code', () => {
    const card = new Sle4442Card();
    card.powerOn();
    card.verify([0xff, 0xff, 0xff]);
    card.armPull(1);
    expect(card.writePscByte(0, 0x11)).toBe('written');
    expect(card.writePscByte(1, 0x22)).toBe('pulled');
    expect(card.pscForTests).toEqual([0x11, 0xff, 0xff]);
  });
});
