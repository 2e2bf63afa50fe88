/**
 * The station's card reader: which one is configured (none, the emulator, a serial port), its
 * connection, and the events the UI needs ("reader.changed"). The reader itself sits behind the
 * CardReaderPort of core/reader/port.ts; backends (reader-backends.ts) make one from the
 * configuration, so tests can hand in an emulator running in-process.
 */
import type { ReaderStateView } from '../../core/contract/cards.js';
import type { CardReaderPort, ReaderEvent } from '../../core/reader/port.js';
import type { DemoCardSpec } from '../../hardware/emulator/deck.js';
import type { StationConfig } from './config.js';

export type ReaderConfig = StationConfig['reader'];

/** The demo's hands: put a demo card in the reader, take it out, carry it to its meter. */
export interface DemoCardControl {
  cards(): Promise<{ name: string; label: string; accountNo: string | null }[]>;
  insert(name: string): Promise<void>;
  remove(): Promise<void>;
  /** Takes the card now in the reader to its meter and back into the reader. */
  useInMeter(): Promise<void>;
}

export interface ReaderBackend {
  readonly port: CardReaderPort;
  /** The path the port was opened on, for the settings screen. */
  readonly path: string | null;
  readonly demo: DemoCardControl | null;
  close(): Promise<void>;
}

/** The demo's cards (specs for the emulator, labels for the demo panel). */
export interface DemoDeckSpecs {
  readonly specs: readonly DemoCardSpec[];
  readonly labels: ReadonlyMap<string, string>;
}

export type ReaderBackendFactory = (config: ReaderConfig, deck: DemoDeckSpecs) => Promise<ReaderBackend | null>;

export interface ReaderServiceLog {
  info(message: string): void;
  error(message: string, error: unknown): void;
}

export class ReaderService {
  private backend: ReaderBackend | null = null;
  private config: ReaderConfig = { kind: 'none', path: null, baudRate: 9600 };
  private connected = false;
  private description: string | null = null;
  private cardPresent = false;
  private problem: string | null = null;
  private unsubscribe: (() => void) | null = null;
  private events = 0;
  /** Serialises configure/close so two settings saves cannot open two readers. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly factory: ReaderBackendFactory,
    private readonly deck: DemoDeckSpecs,
    private readonly onChange: (state: ReaderStateView) => void,
    private readonly log: ReaderServiceLog,
  ) {}

  state(): ReaderStateView {
    return {
      kind: this.config.kind,
      path: this.backend?.path ?? this.config.path,
      baudRate: this.config.baudRate,
      connected: this.connected,
      description: this.description,
      cardPresent: this.cardPresent,
      problem: this.problem,
    };
  }

  port(): CardReaderPort | null {
    return this.connected ? (this.backend?.port ?? null) : null;
  }

  demo(): DemoCardControl | null {
    return this.backend?.demo ?? null;
  }

  configure(config: ReaderConfig): Promise<ReaderStateView> {
    const run = this.chain.then(() => this.reconfigure(config));
    this.chain = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    const run = this.chain.then(() => this.shutdown());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async reconfigure(config: ReaderConfig): Promise<ReaderStateView> {
    await this.shutdown();
    this.config = config;
    this.problem = null;
    if (config.kind === 'none') {
      this.changed();
      return this.state();
    }
    try {
      const backend = await this.factory(config, this.deck);
      if (!backend) {
        this.changed();
        return this.state();
      }
      this.backend = backend;
      this.unsubscribe = backend.port.onEvent((event) => this.onEvent(event));
      const opened = await backend.port.open();
      if (opened.ok) {
        this.connected = true;
        this.description = opened.value.description;
        const status = await backend.port.cardStatus();
        this.cardPresent = status.ok && status.value.present;
      } else {
        this.problem = `${opened.error.code}: ${opened.error.message}`;
        this.log.info(`reader did not open: ${this.problem}`);
      }
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      this.log.error('reader backend failed to start', error);
    }
    this.changed();
    return this.state();
  }

  /**
   * Counts every reader event (and every reconfiguration): a card reading taken at count n
   * describes the card in the slot only while the count is still n.
   */
  get eventCount(): number {
    return this.events;
  }

  private onEvent(event: ReaderEvent): void {
    this.events += 1;
    switch (event.type) {
      case 'card-inserted':
        this.cardPresent = true;
        break;
      case 'card-removed':
        this.cardPresent = false;
        break;
      case 'reader-connected':
        this.connected = true;
        this.description = event.info.description;
        this.problem = null;
        break;
      case 'reader-disconnected':
        this.connected = false;
        this.cardPresent = false;
        this.problem = event.reason;
        break;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
    this.changed();
  }

  private changed(): void {
    this.onChange(this.state());
  }

  private async shutdown(): Promise<void> {
    this.events += 1;
    this.unsubscribe?.();
    this.unsubscribe = null;
    const backend = this.backend;
    this.backend = null;
    this.connected = false;
    this.cardPresent = false;
    this.description = null;
    if (!backend) return;
    await backend.port.close();
    await backend.close();
  }
}
