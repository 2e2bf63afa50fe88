import { describe, expect, it } from 'vitest';
import { CREDENTIAL_STORAGE_KEY, createHallLink, hallSocketUrl, takeCredential, type HallLinkState, type HallSocketHandlers, type HallTimers } from './hall-transport.js';

function fakeNetwork() {
  const sockets: { url: string; handlers: HallSocketHandlers; sent: string[]; open: boolean; closed: boolean }[] = [];
  const timers: { callback: () => void; ms: number }[] = [];
  const fakeTimers: HallTimers = {
    setTimeout: (callback, ms) => {
      const timer = { callback, ms };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      const index = timers.indexOf(handle as (typeof timers)[number]);
      if (index >= 0) timers.splice(index, 1);
    },
  };
  const createSocket = (url: string, handlers: HallSocketHandlers) => {
    const socket = { url, handlers, sent: [] as string[], open: false, closed: false };
    sockets.push(socket);
    return {
      isOpen: () => socket.open,
      send: (data: string) => socket.sent.push(data),
      close: () => {
        socket.closed = true;
      },
    };
  };
  const last = () => {
    const socket = sockets.at(-1);
    if (socket === undefined) throw new Error('no socket');
    return socket;
  };
  return {
    sockets,
    timers,
    fakeTimers,
    createSocket,
    open() {
      last().open = true;
      last().handlers.onOpen();
    },
    drop(code = 1006) {
      last().open = false;
      last().handlers.onClose(code);
    },
    serverSends(message: unknown) {
      last().handlers.onMessage(JSON.stringify(message));
    },
    sent: () => last().sent.map((frame) => JSON.parse(frame) as { id: number; command: string; input: unknown }),
    fireTimer() {
      const timer = timers.shift();
      if (timer === undefined) throw new Error('no timer');
      timer.callback();
      return timer.ms;
    },
  };
}

const requestId = 'req-00000001';

describe('the hall link', () => {
  it('sends a request when open and resolves with the hub’s answer; delivers events', async () => {
    const net = fakeNetwork();
    const link = createHallLink({ url: 'ws://hub/hall/ws?device=x', createSocket: net.createSocket, timers: net.fakeTimers });
    const boards: unknown[] = [];
    link.on('hall.board', (payload) => boards.push(payload));
    const answer = link.call('hall.issueTicket', { requestId, service: 'A', priority: 'none' });
    expect(net.sockets[0]?.sent).toEqual([]);
    net.open();
    expect(net.sent()).toEqual([{ type: 'request', id: 1, command: 'hall.issueTicket', input: { requestId, service: 'A', priority: 'none' } }]);
    net.serverSends({ type: 'response', id: 1, result: { ok: true, value: { waitingAhead: 4 } } });
    expect(await answer).toEqual({ ok: true, value: { waitingAhead: 4 } });
    net.serverSends({ type: 'event', event: 'hall.board', payload: { hallName: '蜀山营业厅' } });
    net.serverSends({ type: 'event', event: 'station.unknown', payload: {} });
    expect(boards).toEqual([{ hallName: '蜀山营业厅' }]);
  });

  it('reconnects with growing back-off after a drop and re-sends the unanswered request unchanged', async () => {
    const net = fakeNetwork();
    const states: HallLinkState[] = [];
    const link = createHallLink({ url: 'ws://hub/hall/ws', createSocket: net.createSocket, timers: net.fakeTimers, initialBackoffMs: 100, maxBackoffMs: 300 });
    link.onState((state) => states.push(state));
    net.open();
    const answer = link.call('hall.issueTicket', { requestId, service: 'B', priority: 'elderly' });
    const first = net.sent();
    net.drop();
    expect(net.fireTimer()).toBe(100);
    net.drop();
    expect(net.fireTimer()).toBe(200);
    net.drop();
    expect(net.fireTimer()).toBe(300);
    net.open();
    expect(net.sent()).toEqual(first);
    net.serverSends({ type: 'response', id: 1, result: { ok: true, value: 'ticket' } });
    expect(await answer).toEqual({ ok: true, value: 'ticket' });
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(net.sockets).toHaveLength(4);
  });

  it('stops for good when the hub refuses the credential (close 4403), answering what waits with HALL_DEVICE_REFUSED', async () => {
    const net = fakeNetwork();
    const link = createHallLink({ url: 'ws://hub/hall/ws', createSocket: net.createSocket, timers: net.fakeTimers });
    const states: HallLinkState[] = [];
    link.onState((state) => states.push(state));
    const answer = link.call('hall.kiosk', {});
    net.drop(4403);
    expect(net.timers).toEqual([]);
    expect(states.at(-1)).toBe('refused');
    const result = await answer;
    expect(result.ok ? null : result.error.code).toBe('HALL_DEVICE_REFUSED');
    const later = await link.call('hall.kiosk', {});
    expect(later.ok ? null : later.error.code).toBe('HALL_DEVICE_REFUSED');
  });

  it('stops on hall.revoked before the socket even closes', () => {
    const net = fakeNetwork();
    const link = createHallLink({ url: 'ws://hub/hall/ws', createSocket: net.createSocket, timers: net.fakeTimers });
    const revoked: unknown[] = [];
    link.on('hall.revoked', (payload) => revoked.push(payload));
    const states: HallLinkState[] = [];
    link.onState((state) => states.push(state));
    net.open();
    net.serverSends({ type: 'event', event: 'hall.revoked', payload: { deviceId: 'kiosk01' } });
    expect(revoked).toEqual([{ deviceId: 'kiosk01' }]);
    expect(states.at(-1)).toBe('refused');
    expect(net.sockets[0]?.closed).toBe(true);
    net.drop(1000);
    expect(net.timers).toEqual([]);
  });

  it('builds the socket URL on the page’s own origin', () => {
    expect(hallSocketUrl({ protocol: 'http:', host: '192.0.2.5:8470' }, 'tdh1.abc123.x')).toBe('ws://192.0.2.5:8470/hall/ws?device=tdh1.abc123.x');
    expect(hallSocketUrl({ protocol: 'https:', host: 'hall' }, 'a b')).toBe('wss://hall/hall/ws?device=a%20b');
  });
});

describe('the device credential', () => {
  const good = `tdh1.kiosk01.${'s'.repeat(40)}`;
  function memoryStorage(initial: Record<string, string> = {}) {
    const data = new Map(Object.entries(initial));
    return { data, getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value) };
  }

  it('is taken from #device= the first time, kept, and the fragment removed', () => {
    const storage = memoryStorage();
    let cleared = 0;
    expect(takeCredential({ hash: `#device=${good}`, storage, clearHash: () => (cleared += 1) })).toEqual({ kind: 'found', credential: good });
    expect(cleared).toBe(1);
    expect(storage.data.get(CREDENTIAL_STORAGE_KEY)).toBe(good);
    expect(takeCredential({ hash: '', storage, clearHash: () => (cleared += 1) })).toEqual({ kind: 'found', credential: good });
    expect(cleared).toBe(1);
  });

  it('a new fragment replaces the stored one; missing and malformed ones are told apart', () => {
    const storage = memoryStorage({ [CREDENTIAL_STORAGE_KEY]: good });
    const other = `tdh1.kiosk02.${'t'.repeat(40)}`;
    expect(takeCredential({ hash: `#device=${other}`, storage, clearHash: () => undefined })).toEqual({ kind: 'found', credential: other });
    expect(takeCredential({ hash: '', storage: memoryStorage(), clearHash: () => undefined })).toEqual({ kind: 'missing' });
    expect(takeCredential({ hash: '#device=nonsense', storage, clearHash: () => undefined })).toEqual({ kind: 'malformed' });
    // A malformed fragment does not overwrite a good stored credential.
    expect(storage.data.get(CREDENTIAL_STORAGE_KEY)).toBe(other);
  });
});
