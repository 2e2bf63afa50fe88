import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import type { Result } from '../../core/contract/result.js';
import { HALL_WS_PATH } from '../../core/hall/contract.js';
import { HALL_PAGE_CSP, urlsFor } from './hall-server.js';
import { openTestHub, type TestHub } from './testing.js';

const HALL_HTML = fileURLToPath(new URL('../../renderer/hall.html', import.meta.url));

let hub: TestHub;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  hub = await openTestHub('hall-server');
  await mkdir(join(hub.rendererDir, 'assets'), { recursive: true });
  await writeFile(join(hub.rendererDir, 'index.html'), '<!doctype html><title>station</title>');
  await writeFile(join(hub.rendererDir, 'assets', 'hall-abc.js'), 'console.log(1)');
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await hub.close();
});

interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

function get(path: string, method = 'GET'): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: hub.server.port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Frame {
  readonly type: string;
  readonly id?: number;
  readonly result?: Result<unknown>;
  readonly event?: string;
  readonly payload?: unknown;
}

/** A device's socket: requests by id, and every event it was pushed. */
class DeviceSocket {
  readonly frames: Frame[] = [];
  private nextId = 1;
  private readonly waiters = new Set<() => void>();
  closeCode: number | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => {
      this.frames.push(JSON.parse(rawText(data)) as Frame);
      for (const wake of this.waiters) wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const wake of this.waiters) wake();
    });
  }

  /** The first frame (from `from` on) that matches, once it has come. */
  waitFor(match: (frame: Frame) => boolean, from = 0, timeoutMs = 3000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.frames.slice(from).find(match);
        if (found === undefined) return false;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error('no such frame in time'));
      }, timeoutMs);
      this.waiters.add(wake);
      check();
    });
  }

  closed(timeoutMs = 3000): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.closeCode !== null) {
        resolve(this.closeCode);
        return;
      }
      const timer = setTimeout(() => reject(new Error('not closed in time')), timeoutMs);
      this.ws.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  async request(command: string, input: unknown): Promise<Result<unknown>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'request', id, command, input }));
    const frame = await this.waitFor((f) => f.type === 'response' && f.id === id);
    return frame.result as Result<unknown>;
  }

  events(name: string): Frame[] {
    return this.frames.filter((f) => f.type === 'event' && f.event === name);
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function connect(query: string, headers: Record<string, string> = {}): Promise<{ socket: DeviceSocket } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${hub.server.port}${query}`, { headers });
    sockets.push(ws);
    const socket = new DeviceSocket(ws);
    ws.once('open', () => resolve({ socket }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function open(credential: string): Promise<DeviceSocket> {
  const result = await connect(`${HALL_WS_PATH}?device=${encodeURIComponent(credential)}`);
  if (!('socket' in result)) throw new Error(`refused with ${result.refused}`);
  return result.socket;
}

function errorCode(result: Result<unknown>): string | null {
  return result.ok ? null : result.error.code;
}

describe('hall server: pages', () => {
  it('serves the hall page at /kiosk and /board and the build assets, with the hall CSP on every response', async () => {
    for (const path of ['/kiosk', '/kiosk/', '/board', '/board/?x=1']) {
      const reply = await get(path);
      expect(reply.status, path).toBe(200);
      expect(reply.body).toContain('<title>hall</title>');
      expect(reply.headers['content-security-policy']).toBe(HALL_PAGE_CSP);
      expect(reply.headers['cache-control']).toBe('no-store');
    }
    const asset = await get('/assets/hall-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    for (const path of ['/', '/index.html', '/nope', '/assets/../../hall/x', '/%2e%2e/secret', HALL_WS_PATH]) {
      const reply = await get(path);
      expect(reply.status, path).toBe(404);
      expect(reply.headers['content-security-policy']).toBe(HALL_PAGE_CSP);
    }
    expect((await get('/kiosk', 'POST')).status).toBe(405);
    expect((await get('/kiosk', 'HEAD')).status).toBe(405);
  });

  it.skipIf(!existsSync(HALL_HTML))('sends the same CSP as renderer/hall.html declares (skipped while that file does not exist)', async () => {
    const html = await readFile(HALL_HTML, 'utf8');
    const match = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(match?.[1]).toBe(HALL_PAGE_CSP);
  });

  it('lists loopback and every non-internal IPv4 for a wildcard bind, only the address otherwise', () => {
    expect(urlsFor('127.0.0.1', 8080)).toEqual(['http://127.0.0.1:8080']);
    expect(urlsFor('192.168.1.10', 8080)).toEqual(['http://192.168.1.10:8080']);
    const all = urlsFor('0.0.0.0', 8080);
    expect(all.at(-1)).toBe('http://127.0.0.1:8080');
    for (const url of all) expect(url).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:8080$/);
    expect(hub.server.urls).toEqual([`http://127.0.0.1:${hub.server.port}`]);
  });
});

describe('hall server: who may connect', () => {
  it('refuses a missing, malformed or unknown credential with 401 and a revoked one with 403, before the socket opens', async () => {
    expect(await connect(HALL_WS_PATH)).toEqual({ refused: 401 });
    expect(await connect(`${HALL_WS_PATH}?device=tdh1.nope`)).toEqual({ refused: 401 });
    const secret = hub.kiosk.credential.split('.')[2] ?? '';
    expect(await connect(`${HALL_WS_PATH}?device=tdh1.abcdef123456.${secret}`)).toEqual({ refused: 401 });
    expect(await connect(`/elsewhere?device=${hub.kiosk.credential}`)).toEqual({ refused: 404 });
    expect(await connect(`${HALL_WS_PATH}?device=${hub.kiosk.credential}`, { Origin: 'http://evil.example' })).toEqual({ refused: 403 });
    await hub.registry.revoke(hub.kiosk.device.deviceId);
    expect(await connect(`${HALL_WS_PATH}?device=${hub.kiosk.credential}`)).toEqual({ refused: 403 });
    // A browser on the hub's own origin is welcome.
    const own = await connect(`${HALL_WS_PATH}?device=${hub.board.credential}`, { Origin: `http://127.0.0.1:${hub.server.port}` });
    expect('socket' in own).toBe(true);
  });

  it('sends hall.revoked and closes a revoked device socket at once with 4403; the registry sees it online and offline', async () => {
    const counter = await open(hub.counter.credential);
    await counter.request('hall.hello', {});
    expect(hub.registry.list().find((d) => d.deviceId === hub.counter.device.deviceId)?.online).toBe(true);
    expect(hub.server.connectedCounters()).toEqual(new Set([1]));
    await hub.registry.revoke(hub.counter.device.deviceId);
    const revoked = await counter.waitFor((f) => f.event === 'hall.revoked');
    expect(revoked.payload).toEqual({ deviceId: hub.counter.device.deviceId });
    expect(await counter.closed()).toBe(4403);
    await expect.poll(() => hub.registry.list().find((d) => d.deviceId === hub.counter.device.deviceId)?.online).toBe(false);
    expect(hub.server.connectedCounters()).toEqual(new Set());
  });
});

describe('hall server: commands by device kind', () => {
  it('lets each kind call only its own commands', async () => {
    const kiosk = await open(hub.kiosk.credential);
    const board = await open(hub.board.credential);
    const counter = await open(hub.counter.credential);
    const requestId = (n: number): string => `req-${String(n).padStart(6, '0')}`;

    expect(errorCode(await board.request('hall.issueTicket', { requestId: requestId(1), service: 'A', priority: 'none' }))).toBe('HALL_DEVICE_REFUSED');
    expect(errorCode(await board.request('hall.callNext', { requestId: requestId(2) }))).toBe('HALL_DEVICE_REFUSED');
    expect(errorCode(await kiosk.request('hall.callNext', { requestId: requestId(3) }))).toBe('HALL_DEVICE_REFUSED');
    expect(errorCode(await kiosk.request('hall.board', {}))).toBe('HALL_DEVICE_REFUSED');
    expect(errorCode(await counter.request('hall.issueTicket', { requestId: requestId(4), service: 'A', priority: 'none' }))).toBe('HALL_DEVICE_REFUSED');
    expect(errorCode(await board.request('hall.figures', {}))).toBe('HALL_DEVICE_REFUSED');
    expect(hub.queue.tickets()).toEqual([]);

    const hello = await board.request('hall.hello', {});
    expect(hello).toMatchObject({ ok: true, value: { device: { deviceId: hub.board.device.deviceId, kind: 'board', online: true }, hallId: 'HALL01', day: '2026-03-02' } });
    expect(await kiosk.request('hall.kiosk', {})).toMatchObject({ ok: true, value: { hallName: '蜀山营业厅' } });
    expect(await board.request('hall.board', {})).toMatchObject({ ok: true, value: { day: '2026-03-02' } });

    const issued = await kiosk.request('hall.issueTicket', { requestId: requestId(5), service: 'A', priority: 'none' });
    expect(issued).toMatchObject({ ok: true, value: { ticket: { number: 'A001' }, waitingAhead: 0 } });
    // The counter number comes from the credential: an input naming another counter is refused by the schema.
    expect(errorCode(await counter.request('hall.callNext', { requestId: requestId(6), counterNo: 2 }))).toBe('INVALID_INPUT');
    const called = await counter.request('hall.callNext', { requestId: requestId(7) });
    expect(called).toMatchObject({ ok: true, value: { counterNo: 1, current: { number: 'A001', state: 'called' } } });
    expect(await counter.request('hall.counter', {})).toMatchObject({ ok: true, value: { counterNo: 1, current: { number: 'A001' } } });
    expect(await counter.request('hall.figures', {})).toMatchObject({ ok: true, value: { byCounter: expect.arrayContaining([expect.objectContaining({ counterNo: 1, online: true })]) as unknown } });
    expect(await counter.request('hall.ticket', { number: 'A001' })).toMatchObject({ ok: true, value: { ticket: { number: 'A001' } } });
  });

  it('answers bad JSON, binary frames, unknown commands and invalid input with errors, and changes nothing', async () => {
    const kiosk = await open(hub.kiosk.credential);
    kiosk.sendRaw('{not json');
    expect((await kiosk.waitFor((f) => f.type === 'response')).result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    let from = kiosk.frames.length;
    kiosk.sendRaw(Buffer.from([1, 2, 3]), true);
    expect((await kiosk.waitFor((f) => f.type === 'response', from)).result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    from = kiosk.frames.length;
    kiosk.sendRaw(JSON.stringify({ type: 'request', command: 'hall.kiosk', input: {} }));
    expect((await kiosk.waitFor((f) => f.type === 'response', from)).result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    from = kiosk.frames.length;
    kiosk.sendRaw(JSON.stringify({ type: 'request', id: 77, command: 'hall.kiosk', input: {}, extra: true }));
    expect(await kiosk.waitFor((f) => f.type === 'response' && f.id === 77, from)).toMatchObject({ result: { ok: false, error: { code: 'BAD_REQUEST' } } });

    expect(errorCode(await kiosk.request('hall.nope', {}))).toBe('BAD_REQUEST');
    expect(errorCode(await kiosk.request('station.login', {}))).toBe('BAD_REQUEST');
    const invalid = await kiosk.request('hall.issueTicket', { requestId: 'x', service: 'a', priority: 'royal' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const issues = invalid.ok ? [] : ((invalid.error.details?.['issues'] ?? []) as { path: string }[]);
    expect(issues.map((issue) => issue.path).sort()).toEqual(['priority', 'requestId', 'service']);
    expect(hub.queue.tickets()).toEqual([]);
    expect(hub.printer.jobs()).toEqual([]);
    // The socket is still fine after all that.
    expect(await kiosk.request('hall.kiosk', {})).toMatchObject({ ok: true });
  });
});

describe('hall server: tickets and pushes', () => {
  it('prints a kiosk ticket exactly once even when the same requestId comes twice, and the paper shows the number', async () => {
    const kiosk = await open(hub.kiosk.credential);
    const input = { requestId: 'kiosk-req-0001', service: 'B', priority: 'elderly' };
    const [first, second] = await Promise.all([kiosk.request('hall.issueTicket', input), kiosk.request('hall.issueTicket', input)]);
    const third = await kiosk.request('hall.issueTicket', input);
    expect(first).toMatchObject({ ok: true, value: { ticket: { number: 'B001', priority: 'elderly' }, print: { state: 'printed', problem: null } } });
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(hub.queue.tickets()).toHaveLength(1);

    const jobs = await hub.printer.waitForJobs(1);
    // Give a wrong second print the time to show up before counting.
    const again = await kiosk.request('hall.kiosk', {});
    expect(again.ok).toBe(true);
    expect(hub.printer.jobs()).toHaveLength(1);
    const lines = jobs[0]?.summary.lines ?? [];
    expect(lines).toContain('B001');
    expect(lines).toContain('充值');
    expect(lines).toContain('优先：老年');
    expect(lines).toContain('您前面没有人在等候');
    expect(jobs[0]?.summary.cuts).toBe(1);
  });

  it('answers a failed print with the problem and still gives the ticket', async () => {
    hub.printer.setState('paper-out');
    const kiosk = await open(hub.kiosk.credential);
    const issued = await kiosk.request('hall.issueTicket', { requestId: 'kiosk-req-0002', service: 'A', priority: 'none' });
    expect(issued).toMatchObject({ ok: true, value: { ticket: { number: 'A001' }, print: { state: 'failed', problem: 'paper-out' } } });
  });

  it('pushes hall.board to boards, hall.counters to counters and every hall.called at once', async () => {
    const kiosk = await open(hub.kiosk.credential);
    const board = await open(hub.board.credential);
    const counter = await open(hub.counter.credential);
    await kiosk.request('hall.issueTicket', { requestId: 'kiosk-req-0003', service: 'A', priority: 'none' });
    const snapshot = await board.waitFor((f) => f.event === 'hall.board' && (f.payload as { waiting: { service: string; count: number }[] }).waiting.some((w) => w.service === 'A' && w.count === 1));
    expect(snapshot.payload).toMatchObject({ hallName: '蜀山营业厅' });
    await counter.waitFor((f) => f.event === 'hall.counters' && (f.payload as { counters: { counterNo: number; waitingForMe: number }[] }).counters.some((c) => c.counterNo === 1 && c.waitingForMe === 1));
    expect(kiosk.events('hall.counters')).toEqual([]);

    await counter.request('hall.callNext', { requestId: 'counter-req-0001' });
    const called = await board.waitFor((f) => f.event === 'hall.called');
    expect(called.payload).toMatchObject({ number: 'A001', counterNo: 1, recall: false });
    await counter.waitFor((f) => f.event === 'hall.called');
    expect(kiosk.events('hall.called')).toEqual([]);

    // A burst of changes is coalesced: many tickets, few snapshots, and the last one is current.
    const before = board.events('hall.board').length;
    await Promise.all(Array.from({ length: 30 }, (_, i) => kiosk.request('hall.issueTicket', { requestId: `burst-${String(i).padStart(6, '0')}`, service: 'B', priority: 'none' })));
    await board.waitFor((f) => f.event === 'hall.board' && (f.payload as { waiting: { service: string; count: number }[] }).waiting.some((w) => w.service === 'B' && w.count === 30));
    expect(board.events('hall.board').length - before).toBeLessThan(30);
  });
});
