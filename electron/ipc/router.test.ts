import { ledgerEntryViewSchema } from '../../core/contract/views.js';
import { v1Samples } from '../../core/schema/samples.js';
import { describe, expect, it } from 'vitest';
import { ok } from '../../core/contract/result.js';
import {
  IPC_CHANNEL_EVENT,
  IPC_CHANNEL_REQUEST,
  type ConnectionContext,
  type StationDispatcher,
  type WireEvent,
  type WireResponse,
} from '../../core/contract/wire.js';
import { registerStationIpc, type EventTargetLike, type InvokeEventLike, type IpcMainLike } from './router.js';
import { APP_INDEX_URL, decideSender, type SenderFacts } from './sender-policy.js';

const sampleEntry = ledgerEntryViewSchema.parse({ ...v1Samples['ledger-entry'], reversedByEntryId: null });

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error('second handler');
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(event: InvokeEventLike, message: unknown): Promise<unknown> {
    const handler = this.handlers.get(IPC_CHANNEL_REQUEST);
    if (handler === undefined) throw new Error('no handler');
    return handler(event, message);
  }
}

class FakeDispatcher implements StationDispatcher {
  readonly calls: Array<{ request: unknown; connection: ConnectionContext }> = [];
  readonly listeners = new Set<(event: WireEvent) => void>();
  fail = false;
  dispatch(request: unknown, connection: ConnectionContext): Promise<WireResponse> {
    this.calls.push({ request, connection });
    if (this.fail) return Promise.reject(new Error('boom'));
    const id = (request as { id: number }).id;
    return Promise.resolve({ type: 'response', id, result: ok(null) } as unknown as WireResponse);
  }
  onEvent(listener: (event: WireEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

class FakeWebContents implements EventTargetLike {
  readonly sent: unknown[][] = [];
  destroyed = false;
  constructor(
    readonly id: number,
    public url: string,
  ) {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.url;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
}

const mainFrame = (url: string): InvokeEventLike['senderFrame'] => ({ url, parent: null });

function setup() {
  const ipc = new FakeIpcMain();
  const dispatcher = new FakeDispatcher();
  const windows = [new FakeWebContents(1, APP_INDEX_URL), new FakeWebContents(2, APP_INDEX_URL)];
  const refused: Array<{ facts: SenderFacts; reason: string }> = [];
  const isOurs = (id: number): boolean => windows.some((w) => w.id === id);
  const dispose = registerStationIpc(ipc, dispatcher, (facts) => decideSender(facts, { isOurWebContents: isOurs }), {
    eventTargets: () => windows,
    onRefused: (facts, reason) => refused.push({ facts, reason }),
  });
  return { ipc, dispatcher, windows, refused, dispose };
}

const request = { type: 'request', id: 5, command: 'session.whoami', input: {} };

describe('registerStationIpc', () => {
  it('dispatches a request from our window with a per-window connection id', async () => {
    const { ipc, dispatcher } = setup();
    const reply = await ipc.invoke({ sender: { id: 1 }, senderFrame: mainFrame(APP_INDEX_URL) }, request);
    expect(reply).toEqual({ type: 'response', id: 5, result: { ok: true, value: null } });
    expect(dispatcher.calls).toEqual([{ request, connection: { connectionId: 'wc-1', transport: 'electron-ipc' } }]);
  });

  it.each<[string, InvokeEventLike]>([
    ['another webContents', { sender: { id: 9 }, senderFrame: mainFrame(APP_INDEX_URL) }],
    ['a subframe', { sender: { id: 1 }, senderFrame: { url: APP_INDEX_URL, parent: {} } }],
    ['a foreign page', { sender: { id: 1 }, senderFrame: mainFrame('https://evil.example/') }],
    ['a file page', { sender: { id: 1 }, senderFrame: mainFrame('file:///tmp/x.html') }],
    ['a vanished frame', { sender: { id: 1 }, senderFrame: null }],
  ])('answers FORBIDDEN to %s without dispatching or throwing', async (_name, event) => {
    const { ipc, dispatcher, refused } = setup();
    const reply = await ipc.invoke(event, request);
    expect(reply).toMatchObject({ type: 'response', id: 5, result: { ok: false, error: { code: 'FORBIDDEN' } } });
    expect(dispatcher.calls).toEqual([]);
    expect(refused).toHaveLength(1);
  });

  it('treats a frame that throws on access as gone', async () => {
    const { ipc } = setup();
    const event = {
      sender: { id: 1 },
      get senderFrame(): InvokeEventLike['senderFrame'] {
        throw new Error('Render frame was disposed');
      },
    };
    const reply = await ipc.invoke(event, 'not even an object');
    expect(reply).toMatchObject({ id: 0, result: { ok: false, error: { code: 'FORBIDDEN' } } });
  });

  it('answers INTERNAL instead of throwing if the dispatcher throws', async () => {
    const { ipc, dispatcher } = setup();
    dispatcher.fail = true;
    const reply = await ipc.invoke({ sender: { id: 1 }, senderFrame: mainFrame(APP_INDEX_URL) }, request);
    expect(reply).toMatchObject({ id: 5, result: { ok: false, error: { code: 'INTERNAL' } } });
  });

  it('forwards events to our live windows that still show our page', () => {
    const { dispatcher, windows } = setup();
    const [first, second] = windows;
    if (first === undefined || second === undefined) throw new Error('setup');
    const third = new FakeWebContents(3, APP_INDEX_URL);
    windows.push(third);
    second.url = 'https://evil.example/';
    third.destroyed = true;
    const event: WireEvent = { type: 'event', event: 'ledger.committed', payload: { accountNo: '3401000001', entry: sampleEntry } };
    for (const listener of dispatcher.listeners) listener(event);
    expect(first.sent).toEqual([[IPC_CHANNEL_EVENT, event]]);
    expect(second.sent).toEqual([]);
    expect(third.sent).toEqual([]);
  });

  it('dispose removes the handler and the event subscription', () => {
    const { ipc, dispatcher, dispose } = setup();
    dispose();
    expect(ipc.handlers.size).toBe(0);
    expect(dispatcher.listeners.size).toBe(0);
  });
});
