/**
 * The emulated world behind the control channel: one GCR-1 reader, a deck of demo cards and
 * their meters, and the faults a tester can throw at a host. No I/O here: `service.ts` wires
 * it to a serial port and a TCP server, tests drive it directly.
 *
 * A card is in exactly one place: out, in the reader, or (for the instant of `use-in-meter`)
 * in its meter. `use-in-meter` takes the card out of the reader first, because a customer
 * carries it home.
 *
 * A card's meter is the one the deck gave it; a card the deck gave none (the blank card after a
 * station issued a card or a replacement card onto it) is found by its own account block, as a
 * real card finds the meter in the kitchen: the deck's meter with the meter number at 0x26
 * (shared with every other card naming that number), or, when the deck has none, a fresh meter
 * for that number starting empty (accepted generation 0, remaining 0, last loaded sequence 0;
 * see `Deck.meterFor`). `use-in-meter` and `consume` create that fresh meter; `card` and
 * `state` only report a meter that already exists.
 */
import type { BaudRate } from '../gcr1/frame.js';
import type { CardDetail, CardSummary, CommandOf, ControlCommand, ControlResults, EmulatorState } from './control-protocol.js';
import { buildDeck, cardMeterNumber, DEFAULT_DECK, OUR_UTILITY_CODE, type Deck, type DemoCard, type DemoCardSpec } from './deck.js';
import type { PrepaidMeter } from './meter.js';
import { Gcr1Reader, SPEC_TURNAROUND_BUDGET_MS, type ReaderTiming, type ResponseFault, type Scheduler } from './reader.js';
import { isSecurityCounter, type Sle4442Card } from './sle4442.js';

export interface EmulatorOptions {
  /** Raw bytes to the host. */
  readonly output: (bytes: Uint8Array) => void;
  readonly deck?: readonly DemoCardSpec[];
  readonly cardKeyHex?: string;
  readonly timing?: Partial<ReaderTiming>;
  readonly scheduler?: Scheduler;
  readonly clock?: () => number;
  readonly onBaud?: (baud: BaudRate) => void;
  readonly log?: (line: string) => void;
  /** Kill / restart the pty pair (service.ts provides them when it runs socat). */
  readonly unplug?: () => Promise<void>;
  readonly replug?: () => Promise<string>;
  readonly portState?: () => 'open' | 'closed' | 'none';
}

export class ControlError extends Error {}

export class Emulator {
  readonly reader: Gcr1Reader;
  readonly deck: Deck;
  private readonly options: EmulatorOptions;

  constructor(options: EmulatorOptions) {
    this.options = options;
    this.deck = buildDeck(options.deck ?? DEFAULT_DECK, {
      ...(options.cardKeyHex ? { cardKeyHex: options.cardKeyHex } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.reader = new Gcr1Reader({
      output: options.output,
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      ...(options.timing ? { timing: options.timing } : {}),
      ...(options.onBaud ? { onBaud: options.onBaud } : {}),
      ...(options.log ? { log: options.log } : {}),
      onCardPulled: (slot) => {
        const card = this.deck.cards.get(slot.name);
        if (card) card.location = 'out';
      },
      onBeep: (ms) => options.log?.(`beep ${ms} ms`),
    });
  }

  /** Bytes from the host. */
  receive(chunk: Uint8Array): void {
    this.reader.receive(chunk);
  }

  card(name: string): DemoCard {
    const card = this.deck.cards.get(name);
    if (!card) throw new ControlError(`no card named "${name}" (deck: ${[...this.deck.cards.keys()].join(', ')})`);
    return card;
  }

  insert(name: string): ControlResults['insert'] {
    const card = this.card(name);
    if (card.location === 'reader') throw new ControlError(`${name} is already in the reader`);
    const inSlot = this.reader.slot;
    if (inSlot) throw new ControlError(`the reader already holds ${inSlot.name}; remove it first`);
    this.reader.insert(card.slot);
    card.location = 'reader';
    return { card: name };
  }

  remove(): ControlResults['remove'] {
    const slot = this.reader.remove();
    if (!slot) return { card: null };
    const card = this.deck.cards.get(slot.name);
    if (card) card.location = 'out';
    return { card: slot.name };
  }

  useInMeter(name: string, reinsert = false): ControlResults['use-in-meter'] {
    const card = this.card(name);
    const meter = this.meterOf(card, true);
    if (!meter || card.slot.chip !== 'sle4442') throw new ControlError(`${name} has no meter`);
    if (card.location === 'reader') this.remove();
    card.location = 'meter';
    const outcome = meter.insert(card.slot.card);
    card.location = 'out';
    const back = reinsert && !this.reader.slot;
    if (back) this.insert(name);
    return { card: name, outcome, meter: meter.snapshot(), location: back ? 'reader' : 'out' };
  }

  pullAfter(command: CommandOf<'pull-after'>): ControlResults['pull-after'] {
    const name = command.card ?? this.reader.slot?.name;
    if (name === undefined) throw new ControlError('no card named and none in the reader');
    const chip = this.chipOf(name);
    chip.armPull(command.bytes, command.mode ?? 'pull');
    this.reader.setPullEventOrder(command.event ?? 'after-response');
    return { card: name, bytes: command.bytes };
  }

  queueFaults(faults: readonly ResponseFault[]): number {
    for (const fault of faults) this.reader.queueFault(fault);
    return faults.length;
  }

  state(): EmulatorState {
    return {
      slot: this.reader.slot?.name ?? null,
      baud: this.reader.baud,
      busy: this.reader.busy,
      timing: this.reader.timing,
      pendingFaults: this.reader.pendingFaults,
      stats: { ...this.reader.stats, commands: { ...this.reader.stats.commands } },
      port: this.options.portState?.() ?? 'none',
      cards: [...this.deck.cards.values()].map((card) => this.summary(card)),
    };
  }

  detail(name: string): CardDetail {
    const card = this.card(name);
    return {
      ...this.summary(card),
      chipState: card.slot.chip === 'sle4442' ? card.slot.card.snapshot() : null,
      meter: this.meterOf(card, false)?.snapshot() ?? null,
    };
  }

  /** One control command; throws ControlError for a refusal the client should see. */
  async handle(command: ControlCommand): Promise<unknown> {
    switch (command.cmd) {
      case 'insert':
        return this.insert(command.card);
      case 'remove':
        return this.remove();
      case 'use-in-meter':
        return this.useInMeter(command.card, command.reinsert ?? false);
      case 'pull-after':
        return this.pullAfter(command);
      case 'garble': {
        const fault: ResponseFault = { kind: 'garble', index: command.index ?? 4, mask: command.mask ?? 0x01 };
        return { queued: this.queueFaults(Array.from({ length: command.responses ?? 1 }, () => fault)) } satisfies ControlResults['garble'];
      }
      case 'drop': {
        if (command.bytes !== undefined) {
          return { queued: this.queueFaults([{ kind: 'cut', offset: command.offset ?? 5, count: command.bytes }]) } satisfies ControlResults['drop'];
        }
        return { queued: this.queueFaults(Array.from({ length: command.responses ?? 1 }, (): ResponseFault => ({ kind: 'drop' }))) };
      }
      case 'clear-faults': {
        const cleared = this.reader.pendingFaults.length;
        this.reader.clearFaults();
        for (const card of this.deck.cards.values()) if (card.slot.chip === 'sle4442') card.slot.card.disarmPull();
        return { cleared } satisfies ControlResults['clear-faults'];
      }
      case 'lock':
        this.chipOf(command.card).lock();
        return { card: command.card } satisfies ControlResults['lock'];
      case 'poke': {
        const bytes = Uint8Array.from(Buffer.from(command.hex, 'hex'));
        if (command.address + bytes.length > 256) throw new ControlError('poke past the end of the card');
        this.chipOf(command.card).overwrite(command.address, bytes);
        return { card: command.card, bytes: bytes.length } satisfies ControlResults['poke'];
      }
      case 'set-attempts': {
        const counter = command.counter;
        if (!isSecurityCounter(counter)) throw new ControlError('counter must be 7, 3, 1 or 0');
        this.chipOf(command.card).setSecurityCounter(counter);
        return { card: command.card, counter } satisfies ControlResults['set-attempts'];
      }
      case 'power-loss':
        this.reader.powerLoss(command.offMs ?? 0);
        return { baud: this.reader.baud } satisfies ControlResults['power-loss'];
      case 'consume': {
        const meter = this.meterOf(this.card(command.card), true);
        if (!meter) throw new ControlError(`${command.card} has no meter`);
        meter.consume(command.volume);
        return { meter: meter.snapshot() } satisfies ControlResults['consume'];
      }
      case 'set-pacing':
        this.reader.setTiming({ pacing: command.on, ...(command.requests !== undefined ? { requestPacing: command.requests } : {}) });
        return { timing: this.reader.timing } satisfies ControlResults['set-pacing'];
      case 'set-turnaround':
        if (command.ms > SPEC_TURNAROUND_BUDGET_MS && command.outOfSpec !== true) {
          throw new ControlError(`${command.ms} ms breaks the spec's ${SPEC_TURNAROUND_BUDGET_MS} ms budget; pass outOfSpec: true to mean it`);
        }
        this.reader.setTiming({ turnaroundMs: command.ms });
        return { timing: this.reader.timing } satisfies ControlResults['set-turnaround'];
      case 'state':
        return this.state();
      case 'card':
        return this.detail(command.card);
      case 'unplug': {
        if (!this.options.unplug) throw new ControlError('unplug needs the emulator to run socat itself (--socat)');
        await this.options.unplug();
        return { port: 'closed' } satisfies ControlResults['unplug'];
      }
      case 'replug': {
        if (!this.options.replug) throw new ControlError('replug needs the emulator to run socat itself (--socat)');
        return { hostPath: await this.options.replug() } satisfies ControlResults['replug'];
      }
      default: {
        const never: never = command;
        return never;
      }
    }
  }

  dispose(): void {
    this.reader.dispose();
  }

  /**
   * The card's own meter, or for a card without one the meter its account block names: the
   * deck's, or (when `create`) a fresh empty one for that number. Null for a card whose account
   * block is not valid (a blank card) or that is not an SLE4442.
   */
  private meterOf(card: DemoCard, create: boolean): PrepaidMeter | null {
    if (card.meter) return card.meter;
    if (card.slot.chip !== 'sle4442') return null;
    const named = cardMeterNumber(card.slot.card);
    if (!named) return null;
    return create ? this.deck.meterFor(named.meterNo, named.utilityCode ?? OUR_UTILITY_CODE) : this.deck.findMeter(named.meterNo);
  }

  private chipOf(name: string): Sle4442Card {
    const card = this.card(name);
    if (card.slot.chip !== 'sle4442') throw new ControlError(`${name} is not an SLE4442`);
    return card.slot.card;
  }

  private summary(card: DemoCard): CardSummary {
    return {
      name: card.name,
      description: card.description,
      location: card.location,
      chip: card.slot.chip,
      accountNo: card.accountNo,
      serialHex: card.serialHex,
      meterNo: this.meterOf(card, false)?.meterNo ?? null,
      securityCounter: card.slot.chip === 'sle4442' ? card.slot.card.securityCounter : null,
    };
  }
}
