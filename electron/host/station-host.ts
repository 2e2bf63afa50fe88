/**
 * The station host: the built renderer over HTTP and the contract over a WebSocket, both on
 * 127.0.0.1 only, for a browser (development, end-to-end tests, a counter without Electron).
 *
 * Who may talk to it:
 * - Only processes on this machine: the server binds the loopback address and nothing else.
 * - Only pages served by this host: every request's Host header must name this host (a DNS
 *   rebinding page arrives with its own host name), and a WebSocket's Origin must be this host
 *   (another page open in the same browser cannot connect: browsers always send Origin).
 * - Only whoever was given the URL: the socket needs the per-start token, which the page reads
 *   from its URL fragment (a fragment is never sent in a request, so it does not leak into logs
 *   or Referer headers).
 *
 * Wire: one JSON text frame per WireRequest; one WireResponse per request, in completion order
 * (requests on a socket may run concurrently: the station has its own single writer queue);
 * WireEvents are broadcast to every open socket.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { err } from '../../core/contract/result.js';
import type { ConnectionContext, StationDispatcher, WireEvent, WireResponse } from '../../core/contract/wire.js';
import { resolveStaticFile, SECURITY_HEADERS } from './static-files.js';
import { closeSocket, numericId, rawDataToString, refuseUpgrade, sendPlain } from './socket-edge.js';

export interface StationHostOptions {
  readonly dispatcher: StationDispatcher;
  /** The built renderer (dist/renderer): index.html and its assets. */
  readonly rendererDir: string;
  /** 0 (the default) picks any free port. */
  readonly port?: number;
  /** Loopback only; hall-network devices will get their own, authenticated listener. */
  readonly host?: '127.0.0.1';
  /** How often to ping each socket; a socket that missed the previous pong is dropped. Tests shorten it. */
  readonly heartbeatIntervalMs?: number;
}

export interface StationHost {
  /** `http://127.0.0.1:<port>/#token=<token>`: open this in a browser. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Closes every socket and the server. Idempotent. */
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
/** The largest request the contract needs is a few KiB; 256 KiB bounds what a client can make us parse. */
const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Half the renderer's 30 s reconnect budget: a dead socket is noticed before the UI gives up on it. */
const DEFAULT_HEARTBEAT_MS = 15_000;
/** A client that stops reading must not make us buffer events without bound: drop it, it reconnects. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export async function startStationHost(options: StationHostOptions): Promise<StationHost> {
  // The type already says so; this guards JavaScript callers and config files.
  const host: unknown = options.host ?? LOOPBACK;
  if (host !== LOOPBACK) {
    throw new Error(`The station host binds ${LOOPBACK} only, not ${String(host)}.`);
  }
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
    throw new Error(`Invalid port: ${String(requestedPort)}`);
  }

  const { dispatcher, rendererDir } = options;
  const token = randomBytes(32).toString('hex');
  const tokenDigest = digest(token);
  let port = 0; // known once listening; every check below runs after that.

  const allowedHosts = (): readonly string[] => [`${LOOPBACK}:${port}`, `localhost:${port}`];
  const allowedOrigins = (): readonly string[] => [`http://${LOOPBACK}:${port}`, `http://localhost:${port}`];
  const hostAllowed = (req: IncomingMessage): boolean => {
    const value = req.headers.host?.toLowerCase();
    return value !== undefined && allowedHosts().includes(value);
  };

  const server: Server = createServer((req, res) => {
    handleHttp(req, res).catch(() => {
      // A read error mid-stream: headers are gone, so all we can do is cut the response.
      res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req)) {
      sendPlain(res, SECURITY_HEADERS, 403, 'Forbidden host');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendPlain(res, SECURITY_HEADERS, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
      return;
    }
    const target = req.url ?? '/';
    // Origin-form only ("/path?query"); an absolute-form target has no business here.
    if (!target.startsWith('/')) {
      sendPlain(res, SECURITY_HEADERS, 400, 'Bad request');
      return;
    }
    // Keep the pathname percent-encoded and unnormalised: resolveStaticFile decodes it once and
    // checks the result, so encoded dot segments cannot slip past a normaliser.
    const pathname = target.split(/[?#]/, 1)[0] ?? '/';
    const file = await resolveStaticFile(rendererDir, pathname);
    if (file === null) {
      sendPlain(res, SECURITY_HEADERS, 404, 'Not found');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': file.contentType,
      'Content-Length': String(file.size),
      // index.html names the current build's hashed bundles; the bundles are cheap to revalidate on loopback.
      'Cache-Control': file.isIndex ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(file.filePath), res);
  }

  // noServer: the upgrade is ours to check (host, path, token, origin) before ws sees it.
  // No compression: it costs CPU on loopback and lets a small frame inflate into a large one.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets mid-handshake must not crash the station.
    socket.on('error', () => socket.destroy());
    const refusal = checkUpgrade(req);
    if (refusal !== null) {
      refuseUpgrade(socket, refusal.status, refusal.reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      acceptSocket(ws);
    });
  });

  function checkUpgrade(req: IncomingMessage): UpgradeRefusal | null {
    if (!hostAllowed(req)) return { status: 403, reason: 'Forbidden host' };
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`);
    } catch {
      return { status: 400, reason: 'Bad request' };
    }
    if (url.pathname !== '/ws') return { status: 404, reason: 'Not found' };
    const offered = url.searchParams.get('token');
    if (offered === null || !timingSafeEqual(digest(offered), tokenDigest)) {
      return { status: 401, reason: 'Unauthorized' };
    }
    const origin = req.headers.origin;
    if (origin === undefined || !allowedOrigins().includes(origin)) {
      return { status: 403, reason: 'Forbidden origin' };
    }
    return null;
  }

  const alive = new WeakMap<WebSocket, boolean>();
  let nextConnection = 1;

  function acceptSocket(ws: WebSocket): void {
    const connection: ConnectionContext = { connectionId: `ws-${nextConnection++}`, transport: 'websocket' };
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    // ws closes the socket itself after an error (e.g. a frame over maxPayload); we only need
    // a listener so the error is not thrown as unhandled.
    ws.on('error', () => undefined);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // Not awaited on purpose: requests on one socket run concurrently.
      void handleMessage(ws, connection, data, isBinary);
    });
  }

  async function handleMessage(ws: WebSocket, connection: ConnectionContext, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      send(ws, badRequest(0, 'Binary frames are not accepted; send JSON text.'));
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(rawDataToString(data));
    } catch {
      send(ws, badRequest(0, 'The message is not valid JSON.'));
      return;
    }
    const id = numericId(message);
    if (id === null) {
      send(ws, badRequest(0, 'The message has no numeric id.'));
      return;
    }
    let response: WireResponse;
    try {
      response = await dispatcher.dispatch(message, connection);
    } catch (error: unknown) {
      // The dispatcher promises never to throw; if it does, the client still gets its answer.
      response = { type: 'response', id, result: err('INTERNAL', `Dispatch failed: ${errorMessage(error)}`) };
    }
    send(ws, response, id);
  }

  function send(ws: WebSocket, message: WireResponse | WireEvent, idForErrors = 0): void {
    if (ws.readyState !== WebSocket.OPEN) return; // closed while the request ran: nobody to tell.
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error: unknown) {
      text = JSON.stringify({ type: 'response', id: idForErrors, result: err('INTERNAL', `Unserialisable reply: ${errorMessage(error)}`) });
    }
    sendText(ws, text);
  }

  function sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  const unsubscribe = dispatcher.onEvent((event) => {
    // Serialise once, send to all.
    let text: string;
    try {
      text = JSON.stringify(event);
    } catch {
      return; // An event that cannot be serialised cannot be delivered to anyone.
    }
    for (const ws of wss.clients) sendText(ws, text);
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) !== true) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS);
  // The heartbeat alone must not keep the process alive.
  heartbeat.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(requestedPort, LOOPBACK, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error: unknown) {
    clearInterval(heartbeat);
    unsubscribe();
    wss.close();
    throw error;
  }
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The station host has no TCP address.');
  port = address.port;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(heartbeat);
      unsubscribe();
      const sockets = [...wss.clients];
      await Promise.all(sockets.map((ws) => closeSocket(ws, 'Station closing')));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      });
    })();
    return closing;
  };

  return { url: `http://${LOOPBACK}:${port}/#token=${token}`, port, token, close };
}

interface UpgradeRefusal {
  readonly status: 400 | 401 | 403 | 404;
  readonly reason: string;
}

function badRequest(id: number, message: string): WireResponse {
  return { type: 'response', id, result: err('BAD_REQUEST', message) };
}

/** Hashing first gives equal-length inputs to timingSafeEqual, so the token's length does not leak either. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
