import { describe, expect, it } from 'vitest';
import { WebSocketStationClient, type SocketHandlers, type SocketLike, type Timers } from './websocket-client.js';
import type { ConnectionState } from '../../core/contract/client.js';
import { fen } from '../../core/money/money.js';

/** A socket the test drives by hand: it records frames and opens, answers or drops on request. */
class FakeSocket implements SocketLike {
  readonly sent: string[] = [];
  open = false;
  closed = false;

  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}

  isOpen(): boolean {
    return this.open && !this.closed;
  }
  send(data: string): void {
    if (!this.isOpen()) throw new Error('not open');
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
  }
  acceptConnection(): void {
    this.open = true;
    this.handlers.onOpen();
  }
  drop(): void {
    this.open = false;
    this.closed = true;
    this.handlers.onClose();
  }
  push(message: unknown): void {
    this.handlers.onMessage(JSON.stringify(message));
  }
  requests(): { id: number; command: string; input: unknown; session?: string }[] {
    return this.sent.map((frame) => JSON.parse(frame) as { id: number; command: string; input: unknown; session?: string });
  }
}

/** Timers that fire only when the test says so, recording the delays asked for. */
class ManualTimers implements Timers {
  readonly delays: number[] = [];
  private queue: { callback: () => void; handle: number }[] = [];
  private next = 1;
  setTimeout(callback: () => void, ms: number): unknown {
    this.delays.push(ms);
    const handle = this.next++;
    this.queue.push({ callback, handle });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((item) => item.handle !== handle);
  }
  runAll(): void {
    const due = this.queue;
    this.queue = [];
    for (const item of due) item.callback();
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers = new ManualTimers();
  const client = new WebSocketStationClient({
    url: 'ws://127.0.0.1:9/ws?token=t',
    timers,
    createSocket: (url, handlers) => {
      const socket = new FakeSocket(url, handlers);
      sockets.push(socket);
      return socket;
    },
  });
  const states: ConnectionState[] = [];
  client.onConnectionState((state) => states.push(state));
  const socket = (index: number): FakeSocket => {
    const found = sockets[index];
    if (found === undefined) throw new Error(`no socket #${index}`);
    return found;
  };
  return { client, sockets, socket, timers, states };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('WebSocketStationClient', () => {
  it('matches responses to requests by id, whatever order they arrive in', async () => {
    const { client, socket } = setup();
    socket(0).acceptConnection();
    const info = client.call('station.info', {});
    const search = client.call('accounts.search', { query: '李' });
    const [first, second] = socket(0).requests();
    expect(first?.command).toBe('station.info');
    expect(second?.command).toBe('accounts.search');
    socket(0).push({ type: 'response', id: second?.id, result: { ok: true, value: { total: 0, results: [] } } });
    socket(0).push({ type: 'response', id: first?.id, result: { ok: false, error: { code: 'INTERNAL', message: 'x' } } });
    const searchResult = await search;
    const infoResult = await info;
    expect(searchResult).toEqual({ ok: true, value: { total: 0, results: [] } });
    expect(infoResult.ok).toBe(false);
    if (!infoResult.ok) expect(infoResult.error.code).toBe('INTERNAL');
  });

  it('queues requests made before the socket opens', async () => {
    const { client, socket } = setup();
    const pending = client.call('station.info', {});
    expect(socket(0).sent).toHaveLength(0);
    socket(0).acceptConnection();
    const [request] = socket(0).requests();
    expect(request?.command).toBe('station.info');
    socket(0).push({ type: 'response', id: request?.id, result: { ok: true, value: { demo: true } } });
    expect((await pending).ok).toBe(true);
  });

  it('re-sends unanswered requests after reconnecting, with back-off, and ignores a duplicate answer', async () => {
    const { client, socket, sockets, timers, states } = setup();
    socket(0).acceptConnection();
    client.setSession('s'.repeat(40));
    const answered = client.call('station.info', {});
    const confirm = client.call('payments.confirm', { txnId: 'HALL-01:txn-0001', method: 'cash', tendered: fen(10000) });
    const [infoRequest, confirmRequest] = socket(0).requests();
    socket(0).push({ type: 'response', id: infoRequest?.id, result: { ok: true, value: {} } });
    expect((await answered).ok).toBe(true);

    socket(0).drop();
    expect(states.at(-1)).toBe('reconnecting');
    // The first reconnect fails too: the delay doubles.
    timers.runAll();
    socket(1).drop();
    timers.runAll();
    expect(timers.delays).toEqual([250, 500]);
    expect(sockets).toHaveLength(3);
    socket(2).acceptConnection();
    expect(states.at(-1)).toBe('open');

    // Only the unanswered confirm is sent again, identical to the first time.
    const resent = socket(2).requests();
    expect(resent).toHaveLength(1);
    expect(resent[0]).toEqual(confirmRequest);
    expect(resent[0]?.session).toBe('s'.repeat(40));

    let settled = false;
    void confirm.then(() => {
      settled = true;
    });
    await flush();
    expect(settled).toBe(false);
    const entry = { entryId: 'HALL-01:txn-0001' };
    socket(2).push({ type: 'response', id: resent[0]?.id, result: { ok: true, value: { entry, replayed: true } } });
    // A stray second answer for the same id must not break anything.
    socket(2).push({ type: 'response', id: resent[0]?.id, result: { ok: true, value: { entry, replayed: true } } });
    const result = await confirm;
    expect(result.ok && result.value.replayed).toBe(true);

    // After a good connection the back-off starts again from 250 ms.
    socket(2).drop();
    expect(timers.delays.at(-1)).toBe(250);
  });

  it('caps the back-off at 5 s and delivers pushed events', () => {
    const { client, socket, timers } = setup();
    for (let i = 0; i < 8; i += 1) {
      socket(i).drop();
      timers.runAll();
    }
    expect(timers.delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
    const seen: string[] = [];
    client.on('ledger.committed', (payload) => seen.push(payload.accountNo));
    socket(8).acceptConnection();
    socket(8).push({ type: 'event', event: 'ledger.committed', payload: { accountNo: '3401000001', entry: {} } });
    socket(8).push({ type: 'event', event: 'no.such.event', payload: {} });
    expect(seen).toEqual(['3401000001']);
  });
});
