import { ledgerEntryViewSchema } from '../../core/contract/views.js';
import { v1Samples } from '../../core/schema/samples.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ok } from '../../core/contract/result.js';
import type { ConnectionContext, StationDispatcher, WireEvent, WireResponse } from '../../core/contract/wire.js';
import { RENDERER_CSP } from './static-files.js';
import { startStationHost, type StationHost } from './station-host.js';

const sampleEntry = ledgerEntryViewSchema.parse({ ...v1Samples['ledger-entry'], reversedByEntryId: null });

/** Echoes each request back; `input.delayMs` makes it answer late, to test concurrency. */
class EchoDispatcher implements StationDispatcher {
  readonly listeners = new Set<(event: WireEvent) => void>();
  readonly seen: ConnectionContext[] = [];

  async dispatch(request: unknown, connection: ConnectionContext): Promise<WireResponse> {
    this.seen.push(connection);
    const message = request as { id: number; input?: { delayMs?: number } };
    const delay = message.input?.delayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    // The fake answers with the request itself; the real payload shape does not matter here.
    return { type: 'response', id: message.id, result: ok({ echo: request, connectionId: connection.connectionId }) } as unknown as WireResponse;
  }

  onEvent(listener: (event: WireEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: WireEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

function get(port: number, rawPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: rawPath, method, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket, or reports the HTTP status the upgrade was refused with. */
function connect(url: string, origin?: string, headers: Record<string, string> = {}, autoPong = true): Promise<{ ws: WebSocket } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? { headers, autoPong } : { origin, headers, autoPong });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function open(host: StationHost): Promise<WebSocket> {
  const result = await connect(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, `http://127.0.0.1:${host.port}`);
  if (!('ws' in result)) throw new Error(`refused with ${result.refused}`);
  sockets.push(result.ws);
  return result.ws;
}

/** Collects parsed messages as they arrive; `next(n)` waits until n have arrived. */
function inbox(ws: WebSocket): { readonly messages: unknown[]; next(count: number): Promise<unknown[]> } {
  const messages: unknown[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString('utf8')));
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    messages,
    async next(count) {
      while (messages.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return messages.slice(0, count);
    },
  };
}

let rootDir = '';
let rendererDir = '';
const sockets: WebSocket[] = [];
const hosts: StationHost[] = [];

async function start(dispatcher: StationDispatcher = new EchoDispatcher()): Promise<StationHost> {
  const host = await startStationHost({ dispatcher, rendererDir, port: 0 });
  hosts.push(host);
  return host;
}

beforeAll(async () => {
  rootDir = await mkdtemp(path.join(tmpdir(), 'tongda-host-'));
  rendererDir = path.join(rootDir, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>通达</title>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(rendererDir, 'assets', 'app.css'), 'body{}');
  await writeFile(path.join(rootDir, 'secret.txt'), 'TOP SECRET');
});

afterAll(async () => {
  await rm(rootDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

describe('startStationHost', () => {
  it('listens on loopback with a 32-byte token in the URL fragment', async () => {
    const host = await start();
    expect(host.token).toMatch(/^[0-9a-f]{64}$/);
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    const other = await start();
    expect(other.token).not.toBe(host.token);
  });

  it('refuses any host other than 127.0.0.1', async () => {
    await expect(
      // @ts-expect-error the type forbids it; a JavaScript caller or a config file could still try.
      startStationHost({ dispatcher: new EchoDispatcher(), rendererDir, host: '0.0.0.0' }),
    ).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('serves the renderer with the CSP and security headers', async () => {
    const host = await start();
    const index = await get(host.port, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('通达');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(index.headers['cache-control']).toBe('no-store');

    const script = await get(host.port, '/assets/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['content-security-policy']).toBe(RENDERER_CSP);
    const css = await get(host.port, '/assets/app.css?v=1');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');

    const head = await get(host.port, '/index.html', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');

    const missing = await get(host.port, '/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect((await get(host.port, '/assets')).status).toBe(404);
    expect((await get(host.port, '/', {}, 'POST')).status).toBe(405);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%2e%2e%2f%2e%2e%2fpackage.json', '/index.html%00.js'])(
    'refuses path traversal %s',
    async (rawPath) => {
      const host = await start();
      const reply = await get(host.port, rawPath);
      expect(reply.status).toBe(404);
      expect(reply.body).not.toContain('SECRET');
    },
  );

  it('refuses requests whose Host header is not this host (DNS rebinding)', async () => {
    const host = await start();
    expect((await get(host.port, '/', { host: `evil.example:${host.port}` })).status).toBe(403);
    expect((await get(host.port, '/', { host: '127.0.0.1:1' })).status).toBe(403);
    expect((await get(host.port, '/', { host: `localhost:${host.port}` })).status).toBe(200);
    const socket = await connect(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, `http://127.0.0.1:${host.port}`, {
      host: `evil.example:${host.port}`,
    });
    expect(socket).toEqual({ refused: 403 });
  });

  it('refuses a socket without the token, with a wrong token, or from another origin', async () => {
    const host = await start();
    const origin = `http://127.0.0.1:${host.port}`;
    const base = `ws://127.0.0.1:${host.port}/ws`;
    expect(await connect(base, origin)).toEqual({ refused: 401 });
    expect(await connect(`${base}?token=`, origin)).toEqual({ refused: 401 });
    expect(await connect(`${base}?token=${'0'.repeat(64)}`, origin)).toEqual({ refused: 401 });
    expect(await connect(`${base}?token=${host.token}x`, origin)).toEqual({ refused: 401 });
    expect(await connect(`${base}?token=${host.token}`, 'http://evil.example')).toEqual({ refused: 403 });
    expect(await connect(`${base}?token=${host.token}`, `http://127.0.0.1:${host.port + 1}`)).toEqual({ refused: 403 });
    expect(await connect(`${base}?token=${host.token}`)).toEqual({ refused: 403 });
    expect(await connect(`ws://127.0.0.1:${host.port}/other?token=${host.token}`, origin)).toEqual({ refused: 404 });

    const fromLocalhost = await connect(`ws://localhost:${host.port}/ws?token=${host.token}`, `http://localhost:${host.port}`);
    expect('ws' in fromLocalhost).toBe(true);
    if ('ws' in fromLocalhost) sockets.push(fromLocalhost.ws);
  });

  it('answers malformed messages with BAD_REQUEST', async () => {
    const host = await start();
    const ws = await open(host);
    const box = inbox(ws);
    ws.send('{not json');
    ws.send(JSON.stringify({ type: 'request', command: 'x' }));
    ws.send(JSON.stringify([1, 2]));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const replies = await box.next(4);
    for (const reply of replies) {
      expect(reply).toMatchObject({ type: 'response', id: 0, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    }
  });

  it('answers a request under its own id, tagged with the websocket connection', async () => {
    const dispatcher = new EchoDispatcher();
    const host = await start(dispatcher);
    const ws = await open(host);
    const box = inbox(ws);
    const request = { type: 'request', id: 42, command: 'session.whoami', input: {} };
    ws.send(JSON.stringify(request));
    const [reply] = await box.next(1);
    expect(reply).toMatchObject({ type: 'response', id: 42, result: { ok: true, value: { echo: request } } });
    expect(dispatcher.seen[0]).toEqual({ connectionId: expect.stringMatching(/^ws-\d+$/) as unknown, transport: 'websocket' });
  });

  it('runs requests on one socket concurrently', async () => {
    const host = await start();
    const ws = await open(host);
    const box = inbox(ws);
    ws.send(JSON.stringify({ type: 'request', id: 1, command: 'slow', input: { delayMs: 150 } }));
    ws.send(JSON.stringify({ type: 'request', id: 2, command: 'fast', input: {} }));
    const replies = await box.next(2);
    // The fast one overtakes the slow one: they were not queued behind each other.
    expect(replies.map((reply) => (reply as { id: number }).id)).toEqual([2, 1]);
  });

  it('answers INTERNAL if the dispatcher breaks its promise and throws', async () => {
    const dispatcher = new EchoDispatcher();
    dispatcher.dispatch = () => Promise.reject(new Error('boom'));
    const host = await start(dispatcher);
    const ws = await open(host);
    const box = inbox(ws);
    ws.send(JSON.stringify({ type: 'request', id: 7, command: 'x', input: {} }));
    const [reply] = await box.next(1);
    expect(reply).toMatchObject({ id: 7, result: { ok: false, error: { code: 'INTERNAL' } } });
  });

  it('broadcasts events to every open socket, each with its own connection id', async () => {
    const dispatcher = new EchoDispatcher();
    const host = await start(dispatcher);
    const first = await open(host);
    const second = await open(host);
    const boxes = [inbox(first), inbox(second)];
    const event: WireEvent = { type: 'event', event: 'ledger.committed', payload: { accountNo: '3401000001', entry: sampleEntry } };
    dispatcher.emit(event);
    for (const box of boxes) expect(await box.next(1)).toEqual([event]);

    first.send(JSON.stringify({ type: 'request', id: 1, command: 'x', input: {} }));
    second.send(JSON.stringify({ type: 'request', id: 1, command: 'x', input: {} }));
    await Promise.all(boxes.map((box) => box.next(2)));
    const ids = new Set(dispatcher.seen.map((seen) => seen.connectionId));
    expect(ids.size).toBe(2);
  });

  it('drops a socket that sends more than 256 KiB in one frame', async () => {
    const host = await start();
    const ws = await open(host);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ type: 'request', id: 1, command: 'x', input: 'x'.repeat(300 * 1024) }));
    expect(await closed).toBe(1009);
  });

  it('terminates sockets that stop answering pings', async () => {
    const host = await startStationHost({ dispatcher: new EchoDispatcher(), rendererDir, heartbeatIntervalMs: 40 });
    hosts.push(host);
    // A client that does not answer pings looks dead to the host.
    const result = await connect(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, `http://127.0.0.1:${host.port}`, {}, false);
    if (!('ws' in result)) throw new Error('refused');
    const ws = result.ws;
    sockets.push(ws);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    // A terminated socket closes without a close frame: 1006.
    expect(await closed).toBe(1006);
  });

  it('close() closes open sockets and stops listening', async () => {
    const host = await startStationHost({ dispatcher: new EchoDispatcher(), rendererDir });
    const ws = await open(host);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await host.close();
    expect(await closed).toBe(1001);
    await expect(get(host.port, '/')).rejects.toThrow();
    await host.close(); // idempotent
  });
});
