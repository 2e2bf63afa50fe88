import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallView } from '../../core/hall/model.js';
import { connectHallClient, socketUrlOf, type HallClient, type HallClientState } from './hall-client.js';
import { openTestHub, type TestHub } from './testing.js';

let hub: TestHub;
const clients: HallClient[] = [];
const FAST = { initialMs: 30, maxMs: 150 };

beforeEach(async () => {
  hub = await openTestHub('hall-client');
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await hub.close();
});

function connect(credential: string, extra: { requestTimeoutMs?: number; refusedRetryMs?: number; staleAfterMs?: number; hubUrl?: string } = {}): HallClient {
  const client = connectHallClient({
    hubUrl: extra.hubUrl ?? `http://127.0.0.1:${hub.server.port}`,
    credential,
    clock: hub.clock,
    reconnect: FAST,
    ...(extra.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: extra.requestTimeoutMs }),
    ...(extra.refusedRetryMs === undefined ? {} : { refusedRetryMs: extra.refusedRetryMs }),
    ...(extra.staleAfterMs === undefined ? {} : { staleAfterMs: extra.staleAfterMs }),
  });
  clients.push(client);
  return client;
}

/** Resolves once the client's state matches; rejects after `timeoutMs`. */
function until(client: HallClient, match: (state: HallClientState) => boolean, timeoutMs = 3000): Promise<HallClientState> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const state = client.state();
      if (!match(state)) return false;
      stop();
      clearTimeout(timer);
      resolve(state);
      return true;
    };
    const stop = client.onChange(() => void check());
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`state not reached in time: ${JSON.stringify(client.state())}`));
    }, timeoutMs);
    check();
  });
}

describe('hall client', () => {
  it('builds the hub socket URL from the hub address', () => {
    expect(socketUrlOf('http://10.0.0.5:7300', 'tdh1.abc.def')).toBe('ws://10.0.0.5:7300/hall/ws?device=tdh1.abc.def');
    expect(socketUrlOf('https://hub.example/', 'x')).toBe('wss://hub.example/hall/ws?device=x');
  });

  it('goes online, fetches its counter and the board, and keeps them current from pushes', async () => {
    const counter = connect(hub.counter.credential);
    const calls: CallView[] = [];
    counter.onCalled((call) => calls.push(call));
    const online = await until(counter, (s) => s.connection === 'online' && s.counter !== null && s.board !== null);
    expect(online.problem).toBeNull();
    expect(online.counter).toMatchObject({ counterNo: 1, current: null, waitingForMe: 0 });

    const kiosk = connect(hub.kiosk.credential);
    await until(kiosk, (s) => s.connection === 'online');
    expect(kiosk.state().counter).toBeNull();
    const issued = await kiosk.call('hall.issueTicket', { requestId: 'client-req-0001', service: 'A', priority: 'vip' });
    expect(issued).toMatchObject({ ok: true, value: { ticket: { number: 'A001' }, print: { state: 'printed' } } });
    await until(counter, (s) => s.counter?.waitingForMe === 1 && s.board?.waiting.find((w) => w.service === 'A')?.count === 1);

    const called = await counter.call('hall.callNext', { requestId: 'client-req-0002' });
    expect(called).toMatchObject({ ok: true, value: { current: { number: 'A001', state: 'called' } } });
    await until(counter, (s) => s.counter?.current?.number === 'A001');
    await expect.poll(() => calls.map((c) => c.number)).toEqual(['A001']);
    // Its kind still limits it: a counter cannot issue tickets.
    expect(await counter.call('hall.issueTicket', { requestId: 'client-req-0003', service: 'A', priority: 'none' })).toMatchObject({ ok: false, error: { code: 'HALL_DEVICE_REFUSED' } });
  });

  it('reconnects after the hub restarts and resends an unanswered request with the same requestId: one ticket, one paper', async () => {
    let releaseFirst: () => void = () => undefined;
    const firstPrintStarted: Promise<void>[] = [];
    // The first hub hangs in the printer, so the kiosk's request is out when the hub goes down.
    let started: () => void = () => undefined;
    firstPrintStarted.push(new Promise((resolve) => (started = resolve)));
    const hanging = await hub.restartServer(() => {
      started();
      return new Promise((resolve) => (releaseFirst = () => resolve({ state: 'failed', problem: 'no-answer' })));
    });
    const port = hanging.port;

    const kiosk = connect(hub.kiosk.credential);
    await until(kiosk, (s) => s.connection === 'online');
    const answer = kiosk.call('hall.issueTicket', { requestId: 'restart-req-0001', service: 'C', priority: 'none' });
    await firstPrintStarted[0];
    expect(hub.queue.tickets()).toHaveLength(1);

    // The hub restarts: server and queue go down; the queue comes back from the database.
    await hub.server.close();
    await hub.queue.close();
    await until(kiosk, (s) => s.connection !== 'online');
    await hub.reopenQueue();
    await hub.restartServer(hub.tickets.print, port);

    const result = await answer;
    expect(result).toMatchObject({ ok: true, value: { ticket: { number: 'C001' }, print: { state: 'printed' } } });
    expect(kiosk.state().connection).toBe('online');
    expect(hub.queue.tickets().map((t) => t.number)).toEqual(['C001']);
    const jobs = await hub.printer.waitForJobs(1);
    expect(jobs[0]?.summary.lines).toContain('C001');
    releaseFirst();
    // A later ticket is a new one.
    expect(await kiosk.call('hall.issueTicket', { requestId: 'restart-req-0002', service: 'C', priority: 'none' })).toMatchObject({ ok: true, value: { ticket: { number: 'C002' } } });
  });

  it('answers HALL_UNREACHABLE at once when the hub cannot be reached, and an unanswered request after its time', async () => {
    const nowhere = connect(hub.counter.credential, { hubUrl: 'http://127.0.0.1:1' });
    const state = await until(nowhere, (s) => s.connection === 'unreachable');
    expect(state.problem).not.toBeNull();
    const started = performance.now();
    expect(await nowhere.call('hall.board', {})).toMatchObject({ ok: false, error: { code: 'HALL_UNREACHABLE' } });
    expect(performance.now() - started).toBeLessThan(100);

    // Online, then the hub goes away for good: a call made while it reconnects answers once the reconnect fails.
    const counter = connect(hub.counter.credential, { requestTimeoutMs: 400 });
    await until(counter, (s) => s.connection === 'online' && s.counter !== null);
    await hub.server.close();
    await until(counter, (s) => s.connection !== 'online');
    expect(await counter.call('hall.counter', {})).toMatchObject({ ok: false, error: { code: 'HALL_UNREACHABLE' } });
    await until(counter, (s) => s.connection === 'unreachable');
  });

  it('gives up on a request the hub never answers after requestTimeoutMs', async () => {
    // A printer that never answers and a hub that does not bound it: the kiosk's request stays out.
    await hub.restartServer(() => new Promise(() => undefined));
    const kiosk = connect(hub.kiosk.credential, { requestTimeoutMs: 300 });
    await until(kiosk, (s) => s.connection === 'online');
    const started = performance.now();
    const answer = await kiosk.call('hall.issueTicket', { requestId: 'timeout-req-0001', service: 'A', priority: 'none' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'HALL_UNREACHABLE' } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(kiosk.state().connection).toBe('online');
  });

  it('takes a socket that hears nothing for too long for dead, and reconnects', async () => {
    // The hub pings every 15 s; a client that expects to hear something every 200 ms gives up on it first.
    const counter = connect(hub.counter.credential, { staleAfterMs: 200 });
    await until(counter, (s) => s.connection === 'online');
    const dropped = await until(counter, (s) => s.connection !== 'online');
    expect(dropped.problem).not.toBeNull();
    await until(counter, (s) => s.connection === 'online');
  });

  it('is refused with a revoked credential, and turns refused when revoked while online', async () => {
    const counter = connect(hub.counter.credential);
    await until(counter, (s) => s.connection === 'online');
    await hub.registry.revoke(hub.counter.device.deviceId);
    const refused = await until(counter, (s) => s.connection === 'refused');
    expect(refused.problem).toContain('revoked');
    expect(await counter.call('hall.counter', {})).toMatchObject({ ok: false, error: { code: 'HALL_DEVICE_REFUSED' } });

    const again = connect(hub.counter.credential, { refusedRetryMs: 100 });
    await until(again, (s) => s.connection === 'refused');
    expect(await again.call('hall.board', {})).toMatchObject({ ok: false, error: { code: 'HALL_DEVICE_REFUSED' } });

    const unknown = connect(`tdh1.abcdef123456.${'A'.repeat(43)}`);
    expect((await until(unknown, (s) => s.connection === 'refused')).problem).toContain('does not know');
  });
});
