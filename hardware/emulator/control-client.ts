/**
 * Typed client for the emulator's control channel (control-protocol.ts), for tests, the CLI
 * and the station's demo tooling.
 *
 *   const client = await ControlClient.connect(port);
 *   await client.send({ cmd: 'insert', card: 'loaded' });   // typed: ControlResults['insert']
 *   client.close();
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { CommandOf, ControlCommandName, ControlReply, ControlResults } from './control-protocol.js';

export class ControlRequestError extends Error {}

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | null = null;

  private constructor(private readonly socket: Socket) {
    createInterface({ input: socket }).on('line', (line) => this.onLine(line));
    socket.on('close', () => this.failAll(new ControlRequestError('control connection closed')));
    socket.on('error', (error) => this.failAll(error));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new ControlClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one command and waits for its reply; rejects with the emulator's refusal. */
  send<C extends ControlCommandName>(command: CommandOf<C>): Promise<ControlResults[C]> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<ControlResults[C]>((resolve, reject) => {
      // The emulator answers each command with ControlResults[cmd] (Emulator.handle); this cast
      // is where the wire's JSON meets that contract.
      this.pending.set(id, { resolve: (result) => resolve(result as ControlResults[C]), reject });
      this.socket.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  insert(card: string): Promise<ControlResults['insert']> {
    return this.send({ cmd: 'insert', card });
  }

  remove(): Promise<ControlResults['remove']> {
    return this.send({ cmd: 'remove' });
  }

  useInMeter(card: string, reinsert = false): Promise<ControlResults['use-in-meter']> {
    return this.send({ cmd: 'use-in-meter', card, reinsert });
  }

  pullAfter(bytes: number, options: Omit<CommandOf<'pull-after'>, 'cmd' | 'bytes'> = {}): Promise<ControlResults['pull-after']> {
    return this.send({ cmd: 'pull-after', bytes, ...options });
  }

  state(): Promise<ControlResults['state']> {
    return this.send({ cmd: 'state' });
  }

  setPacing(on: boolean): Promise<ControlResults['set-pacing']> {
    return this.send({ cmd: 'set-pacing', on });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private onLine(line: string): void {
    let reply: ControlReply;
    try {
      reply = JSON.parse(line) as ControlReply;
    } catch {
      return;
    }
    if (typeof reply.id !== 'number') return;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new ControlRequestError(reply.error));
  }

  private failAll(error: Error): void {
    this.closedError ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
