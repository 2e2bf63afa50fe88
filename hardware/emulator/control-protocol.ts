/**
 * The emulator's control channel: JSON lines over a local TCP port on 127.0.0.1 (or stdin).
 *
 * Request, one line:  {"id": 1, "cmd": "insert", "card": "loaded"}
 * Reply, one line:    {"id": 1, "ok": true, "result": {...}}  or  {"id": 1, "ok": false, "error": "..."}
 *
 * `id` is echoed so a client may pipeline; requests are handled in arrival order.
 * Commands (arguments beside `cmd`):
 *   insert {card}                        the card goes into the reader (insert event)
 *   remove {}                            the card in the reader comes out (removal event)
 *   use-in-meter {card, reinsert?}       the card goes into its meter (out of the reader first);
 *                                        a card the deck gave no meter (the blank card once
 *                                        issued) goes to the meter numbered in its account
 *                                        block: the deck's, or a fresh empty one (generation 0)
 *   pull-after {bytes, card?, mode?, event?}
 *                                        the next write to the card stops after `bytes` bytes and
 *                                        the card goes ('pull': out of the slot, 'power-glitch':
 *                                        unpowered in the slot); event order vs. the response
 *   garble {index?, mask?, responses?}   flip bits (mask, default 0x01) of byte `index` (default
 *                                        4, the status code) in the next `responses` responses
 *   drop {responses?} | drop {bytes, offset?}
 *                                        leave out the next responses entirely, or `bytes` bytes
 *                                        of the next response from `offset` (default 5)
 *   clear-faults {}
 *   lock {card} / set-attempts {card, counter}
 *   power-loss {offMs?}                  reader power cut: no answer to what it was doing, 9600
 *   consume {card, volume}               the card's meter burns gas (0.01 m³)
 *   set-pacing {on, requests?} / set-turnaround {ms, outOfSpec?}
 *                                        requests: also take the host's bytes at the baud
 *   state {} / card {card}               what is where; one card's memory and meter
 *   unplug {} / replug {}                kill socat (the host port closes) / start it again
 *                                        (only when the emulator started socat itself)
 */
import { z } from 'zod';
import type { MeterOutcome, MeterState } from './meter.js';
import type { ReaderStats, ReaderTiming, ResponseFault } from './reader.js';
import type { Sle4442Snapshot } from './sle4442.js';

const cardName = z.string().min(1);

export const controlCommandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('insert'), card: cardName }),
  z.object({ cmd: z.literal('remove') }),
  z.object({ cmd: z.literal('use-in-meter'), card: cardName, reinsert: z.boolean().optional() }),
  z.object({
    cmd: z.literal('pull-after'),
    bytes: z.number().int().min(0),
    card: cardName.optional(),
    mode: z.enum(['pull', 'power-glitch']).optional(),
    event: z.enum(['after-response', 'before-response']).optional(),
  }),
  z.object({
    cmd: z.literal('garble'),
    index: z.number().int().optional(),
    mask: z.number().int().min(1).max(0xff).optional(),
    responses: z.number().int().min(1).optional(),
  }),
  z.object({
    cmd: z.literal('drop'),
    responses: z.number().int().min(1).optional(),
    bytes: z.number().int().min(1).optional(),
    offset: z.number().int().min(0).optional(),
  }),
  z.object({ cmd: z.literal('clear-faults') }),
  z.object({ cmd: z.literal('lock'), card: cardName }),
  /** Another terminal's write: raw bytes into a card's main memory (hex), bypassing the PSC. */
  z.object({ cmd: z.literal('poke'), card: cardName, address: z.number().int().min(0).max(255), hex: z.string().regex(/^([0-9a-fA-F]{2})+$/) }),
  z.object({ cmd: z.literal('set-attempts'), card: cardName, counter: z.union([z.literal(7), z.literal(3), z.literal(1), z.literal(0)]) }),
  z.object({ cmd: z.literal('power-loss'), offMs: z.number().min(0).optional() }),
  z.object({ cmd: z.literal('consume'), card: cardName, volume: z.number().int().min(0) }),
  z.object({ cmd: z.literal('set-pacing'), on: z.boolean(), requests: z.boolean().optional() }),
  z.object({ cmd: z.literal('set-turnaround'), ms: z.number().min(0).max(10_000), outOfSpec: z.boolean().optional() }),
  z.object({ cmd: z.literal('state') }),
  z.object({ cmd: z.literal('card'), card: cardName }),
  z.object({ cmd: z.literal('unplug') }),
  z.object({ cmd: z.literal('replug') }),
]);

export type ControlCommand = z.infer<typeof controlCommandSchema>;
export type ControlCommandName = ControlCommand['cmd'];
export type CommandOf<C extends ControlCommandName> = Extract<ControlCommand, { cmd: C }>;

export interface CardSummary {
  readonly name: string;
  readonly description: string;
  readonly location: 'out' | 'reader' | 'meter';
  readonly chip: 'sle4442' | 'other';
  readonly accountNo: string | null;
  readonly serialHex: string | null;
  readonly meterNo: string | null;
  readonly securityCounter: number | null;
}

export interface EmulatorState {
  readonly slot: string | null;
  readonly baud: number;
  readonly busy: boolean;
  readonly timing: ReaderTiming;
  readonly pendingFaults: readonly ResponseFault[];
  readonly stats: ReaderStats;
  readonly port: 'open' | 'closed' | 'none';
  readonly cards: readonly CardSummary[];
}

export interface CardDetail extends CardSummary {
  readonly chipState: Sle4442Snapshot | null;
  readonly meter: MeterState | null;
}

/** What each command answers on success. */
export interface ControlResults {
  insert: { readonly card: string };
  remove: { readonly card: string | null };
  'use-in-meter': { readonly card: string; readonly outcome: MeterOutcome; readonly meter: MeterState; readonly location: 'out' | 'reader' };
  'pull-after': { readonly card: string; readonly bytes: number };
  garble: { readonly queued: number };
  drop: { readonly queued: number };
  'clear-faults': { readonly cleared: number };
  lock: { readonly card: string };
  poke: { readonly card: string; readonly bytes: number };
  'set-attempts': { readonly card: string; readonly counter: number };
  'power-loss': { readonly baud: number };
  consume: { readonly meter: MeterState };
  'set-pacing': { readonly timing: ReaderTiming };
  'set-turnaround': { readonly timing: ReaderTiming };
  state: EmulatorState;
  card: CardDetail;
  unplug: { readonly port: 'closed' };
  replug: { readonly hostPath: string };
}

export type ControlReply =
  | { readonly id: number | string | null; readonly ok: true; readonly result: unknown }
  | { readonly id: number | string | null; readonly ok: false; readonly error: string };

/** Printed once on stdout when the emulator is ready. */
export const READY_PREFIX = 'TONGDA_EMULATOR_READY ';

export interface ReadyLine {
  /** The pty (or port) the host opens. */
  readonly hostPath: string | null;
  /** The pty the emulator itself holds. */
  readonly readerPath: string;
  /** TCP control port on 127.0.0.1 (null with --control stdin). */
  readonly control: number | null;
}
