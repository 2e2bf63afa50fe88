/**
 * The GCR-1 driver against the GCR-1 emulator over a real socat pty pair (pacing off): the two
 * were written from the spec independently, so this is where a misreading on either side shows.
 */
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../emulator/control-client.js';
import { DEFAULT_DECK, DEMO_CARD_KEY_HEX } from '../emulator/deck.js';
import { startEmulatorService, type RunningEmulator } from '../emulator/service.js';
import { Gcr1Reader } from './driver.js';
import type { ReaderEvent } from '../../core/reader/port.js';

const socat = existsSync('/usr/bin/socat');
let emulator: RunningEmulator | undefined;
let control: ControlClient | undefined;
let reader: Gcr1Reader | undefined;

afterEach(async () => {
  await reader?.close();
  control?.close();
  await emulator?.stop();
  reader = undefined;
  control = undefined;
  emulator = undefined;
});

async function start(baudRate: 9600 | 115200 = 115200) {
  emulator = await startEmulatorService({ socat: true, controlPort: 0, deck: DEFAULT_DECK, cardKeyHex: DEMO_CARD_KEY_HEX, timing: { pacing: false } });
  if (emulator.hostPath === null || emulator.controlPort === null) throw new Error('no pty');
  control = await ControlClient.connect(emulator.controlPort);
  reader = new Gcr1Reader({ path: emulator.hostPath, baudRate });
  const events: ReaderEvent[] = [];
  reader.onEvent((event) => events.push(event));
  const opened = await reader.open();
  if (!opened.ok) throw new Error(`open failed: ${opened.error.code}`);
  return { reader, control, events, info: opened.value };
}

const psc = (serialHex: string) => new Uint8Array(createHmac('sha256', Buffer.from(DEMO_CARD_KEY_HEX, 'hex')).update(Buffer.from(serialHex, 'hex')).digest().subarray(0, 3));
const title = (name: string) => (socat ? name : `${name} (skipped: socat is not installed)`);

describe('driver ↔ emulator over a pty', () => {
  it.skipIf(!socat)(title('identifies the reader, switches baud, reads, verifies, writes and reads back'), async () => {
    const { reader: r, control: c, info } = await start(115200);
    expect(info.description).toMatch(/^GCR-1/);
    expect(info.baudRate).toBe(115200);
    await c.insert('issued');
    const opened = await r.openCard();
    if (!opened.ok) throw new Error(opened.error.code);
    const session = opened.value;
    expect(session.serial).toBe('5444000000000001');
    const verified = await session.verifyPsc(psc(session.serial));
    expect(verified.ok).toBe(true);
    const data = new Uint8Array(32).map((_, i) => (i * 7 + 1) & 0xff);
    const written = await session.write(0xa0, data);
    expect(written.ok).toBe(true);
    const back = await session.readMain(0xa0, 32);
    expect(back.ok && Buffer.from(back.value).equals(Buffer.from(data))).toBe(true);
  });

  it.skipIf(!socat)(title('never presents a PSC to a card with one attempt left, nor a wrong PSC twice'), async () => {
    const { reader: r, control: c } = await start();
    await c.insert('one-attempt');
    const opened = await r.openCard();
    if (!opened.ok) throw new Error(opened.error.code);
    const refused = await opened.value.verifyPsc(psc(opened.value.serial));
    expect(refused.ok ? 'ok' : refused.error.code).toBe('PSC_ATTEMPTS_LOW');
    const state = await c.state();
    expect(state.cards.find((card) => card.name === 'one-attempt')?.securityCounter).toBe(0x01);

    await c.remove();
    await c.insert('issued');
    const issued = await r.openCard();
    if (!issued.ok) throw new Error(issued.error.code);
    const wrong = await issued.value.verifyPsc(new Uint8Array([1, 2, 3]));
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('WRONG_PSC');
    const again = await issued.value.verifyPsc(new Uint8Array([1, 2, 3]));
    expect(again.ok ? 'ok' : again.error.code).toBe('PSC_ALREADY_REJECTED');
    const after = await c.state();
    // One wrong presentation only: two attempts remain (0x03).
    expect(after.cards.find((card) => card.name === 'issued')?.securityCounter).toBe(0x03);
  });

  it.skipIf(!socat)(title('sees insert and remove events, and a swapped card as CARD_CHANGED'), async () => {
    const { reader: r, control: c, events } = await start();
    await c.insert('loaded');
    const opened = await r.openCard();
    if (!opened.ok) throw new Error(opened.error.code);
    await c.remove();
    await c.insert('unloaded');
    const read = await opened.value.readMain(0, 32);
    expect(read.ok ? 'ok' : read.error.code).toBe('CARD_CHANGED');
    expect(events.some((e) => e.type === 'card-removed')).toBe(true);
    expect(events.filter((e) => e.type === 'card-inserted').length).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(!socat)(title('notices the reader unplugged and recovers when it is plugged back'), async () => {
    const { reader: r, control: c, events } = await start();
    const connectedBefore = events.filter((e) => e.type === 'reader-connected').length;
    await c.send({ cmd: 'unplug' });
    await expect.poll(() => events.some((e) => e.type === 'reader-disconnected'), { timeout: 5000 }).toBe(true);
    await c.send({ cmd: 'replug' });
    await expect.poll(() => events.filter((e) => e.type === 'reader-connected').length, { timeout: 15_000 }).toBeGreaterThan(connectedBefore);
    const status = await r.cardStatus();
    expect(status.ok).toBe(true);
  });
});
