/**
 * The hall server: the hub's face on the hall network. HTTP serves the kiosk and board pages
 * (renderer/hall.html and the build's assets); a WebSocket at HALL_WS_PATH carries the hall
 * contract (core/hall/contract.ts) to kiosks, boards and counter stations.
 *
 * Who may talk to it: anyone on the hall network may load the pages (they hold nothing), but a
 * socket needs a device credential, checked before the upgrade is accepted: malformed or
 * unknown → 401, revoked → 403. The device's kind then limits its commands, and a counter acts
 * only as its own counter (the number comes from the credential, never from the input). A
 * browser always sends Origin; when it does, it must be this server (a page elsewhere cannot
 * use a credential it somehow got through the visitor's browser). Counter stations connect
 * from Node and send no Origin.
 *
 * Wire: the station's envelope (core/contract/wire.ts): one JSON text frame per request, one
 * response per request in completion order; events pushed by device kind (hallEvents). Board
 * and counter views are coalesced to one push per COALESCE_MS under load; a call is pushed at
 * once, every time, because boards announce it.
 */
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { err, ok, type Result } from '../../core/contract/result.js';
import { requestSchema } from '../../core/contract/wire.js';
import {
  HALL_PAGE_PATHS,
  HALL_WS_PATH,
  hallCommands,
  hallEvents,
  isHallCommandName,
  type HallCommandName,
  type HallCommandSpec,
  type HallEventName,
  type HallEventPayload,
  type HallParsedInput,
  type IssuedTicket,
} from '../../core/hall/contract.js';
import type { CounterNo } from '../../core/hall/model.js';
import { systemClock, type Clock } from '../../core/time/local-date.js';
import { resolveStaticFile, SECURITY_HEADERS, type StaticFile } from '../host/static-files.js';
import type { DeviceRegistry, HallDevice, HallQueue } from './types.js';
import { CLOSE_GRACE_MS, closeSocket, numericId, rawDataToString, refuseUpgrade, sendPlain } from '../host/socket-edge.js';

/**
 * The kiosk and board pages' Content-Security-Policy; renderer/hall.html carries the same string
 * in its meta tag (hall-server.test.ts compares them). `connect-src 'self'` covers the page's
 * WebSocket to this same host and port; `media-src 'self'` the board's recorded call clips.
 */
export const HALL_PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; " +
  "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Every hall response's headers: the station's, with the hall pages' CSP. */
export const HALL_SECURITY_HEADERS: Readonly<Record<string, string>> = { ...SECURITY_HEADERS, 'Content-Security-Policy': HALL_PAGE_CSP };

/** The page both paths serve: it reads its path to be the kiosk or the board. */
export const HALL_PAGE_FILE = '/hall.html';

/** Close code for a revoked device: the client stops retrying fast and shows "refused". */
export const HALL_CLOSE_REVOKED = 4403;
/** Close code for a page whose credential the hub does not know. */
export const HALL_CLOSE_UNAUTHORIZED = 4401;
const REVOKED_REASON = 'Device revoked';

/** The station's log (the same shape as the queue's): notices, and failures with their error. */
export interface HallLog {
  info(message: string): void;
  error(message: string, error: unknown): void;
}

export const SILENT_LOG: HallLog = { info: () => undefined, error: () => undefined };

export interface HallServerOptions {
  readonly queue: HallQueue;
  readonly registry: DeviceRegistry;
  /** The hall network address to listen on ('0.0.0.0': every interface). */
  readonly bindAddress: string;
  /** 0 picks any free port. */
  readonly port: number;
  /** The built renderer (dist/renderer), with hall.html and its assets. */
  readonly rendererDir: string;
  /** Called once per issued ticket (a retried request does not print again), after the ticket is durable. */
  readonly printTicket: (device: HallDevice, issued: Omit<IssuedTicket, 'print'>) => Promise<IssuedTicket['print']>;
  /** How often to ping each socket; a socket that missed the previous pong is dropped. */
  readonly heartbeatIntervalMs?: number;
  readonly log?: HallLog;
  /** For `hall.hello`'s `at`. */
  readonly clock?: Clock;
}

export interface HallServer {
  readonly port: number;
  /** `http://<address>:<port>` for each IPv4 address devices can use to reach this server. */
  readonly urls: string[];
  /** Counters with a device connected now (for the figures' `online`). */
  connectedCounters(): Set<CounterNo>;
  /** Closes every socket and the server (not the queue or the registry). Idempotent. */
  close(): Promise<void>;
}

/** The largest hall request is well under 1 KiB; this bounds what a device can make us parse. */
const MAX_PAYLOAD_BYTES = 64 * 1024;
const DEFAULT_HEARTBEAT_MS = 15_000;
/** A device that stops reading must not make the hub buffer boards without bound: drop it, it reconnects. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** At most one board/counters push per this many ms: 1,000 calls a minute must not mean 1,000 snapshots per socket. */
export const COALESCE_MS = 50;
/** Print outcomes kept per (device, requestId), so a retried issue answers without printing again. */
const PRINTS_REMEMBERED = 1_000;
const PAGE_PATHS: ReadonlySet<string> = new Set([HALL_PAGE_PATHS.kiosk, `${HALL_PAGE_PATHS.kiosk}/`, HALL_PAGE_PATHS.board, `${HALL_PAGE_PATHS.board}/`]);

interface Peer {
  readonly ws: WebSocket;
  readonly device: HallDevice;
  readonly credential: string;
  alive: boolean;
  revoked: boolean;
}

interface HallWireResponse {
  readonly type: 'response';
  readonly id: number;
  readonly result: Result<unknown>;
}

type UpgradeCheck = { readonly ok: true; readonly device: HallDevice; readonly credential: string } | { readonly ok: false; readonly status: 400 | 401 | 403 | 404; readonly reason: string };

export async function startHallServer(options: HallServerOptions): Promise<HallServer> {
  const { queue, registry, rendererDir, printTicket } = options;
  const log: HallLog = options.log ?? SILENT_LOG;
  const clock = options.clock ?? systemClock;
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) throw new Error(`Invalid port: ${String(options.port)}`);

  const server: Server = createServer((req, res) => {
    handleHttp(req, res).catch(() => {
      // A read error mid-stream: headers are gone, so all we can do is cut the response.
      res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') {
      sendPlain(res, HALL_SECURITY_HEADERS, 405, 'Method not allowed', { Allow: 'GET' });
      return;
    }
    const target = req.url ?? '/';
    if (!target.startsWith('/')) {
      sendPlain(res, HALL_SECURITY_HEADERS, 400, 'Bad request');
      return;
    }
    // Still percent-encoded: resolveStaticFile decodes once and checks the result.
    const pathname = target.split(/[?#]/, 1)[0] ?? '/';
    let file: StaticFile | null;
    if (PAGE_PATHS.has(pathname)) {
      file = await resolveStaticFile(rendererDir, HALL_PAGE_FILE);
    } else {
      file = await resolveStaticFile(rendererDir, pathname);
      // The station's own UI (index.html) is for the counter's screen, not the hall network.
      if (file?.isIndex === true) file = null;
    }
    if (file === null) {
      sendPlain(res, HALL_SECURITY_HEADERS, 404, 'Not found');
      return;
    }
    res.writeHead(200, {
      ...HALL_SECURITY_HEADERS,
      'Content-Type': file.contentType,
      'Content-Length': String(file.size),
      // The page names the current build's hashed bundles: never cache it.
      'Cache-Control': file.contentType.startsWith('text/html') ? 'no-store' : 'no-cache',
    });
    await pipeline(createReadStream(file.filePath), res);
  }

  // noServer: the credential is checked before ws accepts anything. No compression: it costs
  // CPU and lets a small frame inflate into a large one.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
  const peers = new Map<WebSocket, Peer>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A device that resets mid-handshake must not crash the hub.
    socket.on('error', () => socket.destroy());
    const check = checkUpgrade(req);
    if (!check.ok) {
      log.info(`hall: refused a socket from ${req.socket.remoteAddress ?? '?'}: ${check.status} ${check.reason}`);
      // A browser page never sees an upgrade's HTTP status (only close code 1006, the same as
      // "hub down"), so a kiosk with a bad credential would retry forever instead of saying it was
      // refused: a page (it sends Origin) is accepted and at once closed with 4401/4403 instead.
      const credentialRefusal = check.status === 401 ? HALL_CLOSE_UNAUTHORIZED : check.status === 403 && check.reason === REVOKED_REASON ? HALL_CLOSE_REVOKED : null;
      if (credentialRefusal !== null && req.headers.origin !== undefined) {
        wss.handleUpgrade(req, socket, head, (ws) => ws.close(credentialRefusal, check.reason));
        return;
      }
      refuseUpgrade(socket, check.status, check.reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, check.device, check.credential));
  });

  function checkUpgrade(req: IncomingMessage): UpgradeCheck {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://hall.invalid');
    } catch {
      return { ok: false, status: 400, reason: 'Bad request' };
    }
    if (url.pathname !== HALL_WS_PATH) return { ok: false, status: 404, reason: 'Not found' };
    const origin = req.headers.origin;
    if (origin !== undefined && !originMatchesHost(origin, req.headers.host)) return { ok: false, status: 403, reason: 'Forbidden origin' };
    const credential = url.searchParams.get('device');
    if (credential === null) return { ok: false, status: 401, reason: 'Unauthorized' };
    const auth = registry.authenticate(credential);
    if (auth.ok) return { ok: true, device: auth.device, credential };
    switch (auth.reason) {
      case 'malformed':
      case 'unknown':
        return { ok: false, status: 401, reason: 'Unauthorized' };
      case 'revoked':
        return { ok: false, status: 403, reason: REVOKED_REASON };
      default: {
        const unreachable: never = auth.reason;
        return unreachable;
      }
    }
  }

  function accept(ws: WebSocket, device: HallDevice, credential: string): void {
    const peer: Peer = { ws, device, credential, alive: true, revoked: false };
    peers.set(ws, peer);
    registry.markSeen(device.deviceId, true);
    log.info(`hall: ${device.kind} ${device.deviceId} (${device.name}) connected`);
    ws.on('pong', () => {
      peer.alive = true;
    });
    // ws closes the socket itself after an error (a frame over maxPayload); a listener keeps it from being thrown.
    ws.on('error', () => undefined);
    ws.on('close', () => {
      peers.delete(ws);
      registry.markSeen(device.deviceId, false);
      log.info(`hall: ${device.kind} ${device.deviceId} disconnected`);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // Not awaited: requests on one socket run concurrently; the queue serialises mutations itself.
      void handleMessage(peer, data, isBinary);
    });
    // Revoked between the upgrade check and now: the revocation listener ran before this peer existed.
    if (!registry.authenticate(credential).ok) revokePeer(peer);
  }

  async function handleMessage(peer: Peer, data: RawData, isBinary: boolean): Promise<void> {
    if (peer.revoked) return;
    if (isBinary) {
      respond(peer, 0, err('BAD_REQUEST', 'Binary frames are not accepted; send JSON text.'));
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(rawDataToString(data));
    } catch {
      respond(peer, 0, err('BAD_REQUEST', 'The message is not valid JSON.'));
      return;
    }
    const id = numericId(message);
    if (id === null) {
      respond(peer, 0, err('BAD_REQUEST', 'The message has no numeric id.'));
      return;
    }
    const envelope = requestSchema.safeParse(message);
    if (!envelope.success) {
      respond(peer, id, err('BAD_REQUEST', 'not a well-formed request', { issues: issuesOf(envelope.error) }));
      return;
    }
    let result: Result<unknown>;
    try {
      result = await dispatch(peer.device, envelope.data.command, envelope.data.input);
    } catch (error: unknown) {
      log.error(`hall: ${envelope.data.command} from ${peer.device.deviceId} failed`, error);
      result = err('INTERNAL', `The hub failed: ${messageOf(error)}`);
    }
    respond(peer, id, result);
  }

  async function dispatch(device: HallDevice, command: string, rawInput: unknown): Promise<Result<unknown>> {
    if (!isHallCommandName(command)) return err('BAD_REQUEST', `Unknown hall command ${command}.`);
    const spec: HallCommandSpec = hallCommands[command];
    if (!spec.kinds.includes(device.kind)) {
      return err('HALL_DEVICE_REFUSED', `A ${device.kind} may not call ${command}.`, { kind: device.kind, command });
    }
    // A command without input may be sent without the field.
    const parsed = spec.input.safeParse(rawInput === undefined ? {} : rawInput);
    if (!parsed.success) return err('INVALID_INPUT', `invalid input for ${command}`, { issues: issuesOf(parsed.error) });
    return run(device, command, parsed.data);
  }

  // Print outcomes by `<deviceId> <requestId>`; the promise is stored before it settles, so a
  // retry arriving while the first ticket prints waits for that print instead of starting another.
  const prints = new Map<string, Promise<IssuedTicket['print']>>();

  function printOnce(device: HallDevice, requestId: string, issued: Omit<IssuedTicket, 'print'>): Promise<IssuedTicket['print']> {
    const key = `${device.deviceId} ${requestId}`;
    const known = prints.get(key);
    if (known !== undefined) return known;
    const printing = printTicket(device, issued).catch((error: unknown): IssuedTicket['print'] => {
      log.error(`hall: printing ${issued.ticket.number} failed`, error);
      return { state: 'failed', problem: 'error' };
    });
    prints.set(key, printing);
    if (prints.size > PRINTS_REMEMBERED) {
      const oldest = prints.keys().next();
      if (oldest.done !== true) prints.delete(oldest.value);
    }
    return printing;
  }

  async function run(device: HallDevice, command: HallCommandName, data: unknown): Promise<Result<unknown>> {
    const counterNo = device.counterNo;
    switch (command) {
      case 'hall.hello': {
        const view = registry.list().find((d) => d.deviceId === device.deviceId);
        if (view === undefined) return err('HALL_DEVICE_REFUSED', 'This device is no longer registered.');
        return ok({ device: view, hallId: queue.hallId, hallName: queue.settings().hallName, day: queue.day(), at: clock.now().toISOString() });
      }
      case 'hall.kiosk':
        return ok(queue.kiosk());
      case 'hall.issueTicket': {
        const input = inputOf(command, data);
        const issued = await queue.issueTicket(device, input);
        if (!issued.ok) return issued;
        const print = await printOnce(device, input.requestId, issued.value);
        return ok({ ...issued.value, print });
      }
      case 'hall.board':
        return ok(queue.board());
      case 'hall.counter':
        if (counterNo === null) return err('HALL_NOT_CONFIGURED', 'This counter device has no counter number.');
        return queue.counterView(counterNo);
      case 'hall.callNext':
        return queue.callNext(device, inputOf(command, data).requestId);
      case 'hall.recall': {
        const input = inputOf(command, data);
        return queue.recall(device, input.requestId, input.ticketId);
      }
      case 'hall.start': {
        const input = inputOf(command, data);
        return queue.start(device, input.requestId, input.ticketId);
      }
      case 'hall.finish': {
        const input = inputOf(command, data);
        return queue.finish(device, input.requestId, input.ticketId);
      }
      case 'hall.noShow': {
        const input = inputOf(command, data);
        return queue.noShow(device, input.requestId, input.ticketId);
      }
      case 'hall.transfer': {
        const input = inputOf(command, data);
        return queue.transfer(device, input.requestId, input.ticketId, input.to);
      }
      case 'hall.figures':
        return ok(queue.figures(connectedCounters()));
      case 'hall.ticket':
        return queue.ticket(inputOf(command, data));
      default: {
        const unreachable: never = command;
        return unreachable;
      }
    }
  }

  function respond(peer: Peer, id: number, result: Result<unknown>): void {
    const response: HallWireResponse = { type: 'response', id, result };
    let text: string;
    try {
      text = JSON.stringify(response);
    } catch (error: unknown) {
      text = JSON.stringify({ type: 'response', id, result: err('INTERNAL', `Unserialisable reply: ${messageOf(error)}`) });
    }
    sendText(peer.ws, text);
  }

  function sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  function broadcast<E extends HallEventName>(event: E, payload: HallEventPayload<E>, only?: (peer: Peer) => boolean): void {
    const kinds: readonly string[] = hallEvents[event].kinds;
    let text: string | null = null;
    for (const peer of peers.values()) {
      if (peer.revoked || !kinds.includes(peer.device.kind)) continue;
      if (only !== undefined && !only(peer)) continue;
      // Serialised once, and only when someone listens.
      text ??= JSON.stringify({ type: 'event', event, payload });
      sendText(peer.ws, text);
    }
  }

  const hasPeerOfKind = (kinds: readonly string[]): boolean => {
    for (const peer of peers.values()) if (!peer.revoked && kinds.includes(peer.device.kind)) return true;
    return false;
  };

  let viewsTimer: NodeJS.Timeout | null = null;
  let lastViewsAt = Number.NEGATIVE_INFINITY;

  function pushViews(): void {
    lastViewsAt = performance.now();
    try {
      if (hasPeerOfKind(hallEvents['hall.board'].kinds)) broadcast('hall.board', queue.board());
      if (hasPeerOfKind(hallEvents['hall.counters'].kinds)) broadcast('hall.counters', { counters: queue.allCounterViews() });
    } catch (error: unknown) {
      log.error('hall: cannot push the board', error);
    }
  }

  function scheduleViews(): void {
    if (viewsTimer !== null) return;
    // Leading edge after a quiet spell (a timer of 0, so the queue has finished its change), then at most one per COALESCE_MS.
    const wait = Math.max(0, lastViewsAt + COALESCE_MS - performance.now());
    viewsTimer = setTimeout(() => {
      viewsTimer = null;
      pushViews();
    }, wait);
  }

  const unsubscribeQueue = queue.onChange((change) => {
    if (change.called !== null) broadcast('hall.called', change.called);
    scheduleViews();
  });

  function revokePeer(peer: Peer): void {
    if (peer.revoked) return;
    sendText(peer.ws, JSON.stringify({ type: 'event', event: 'hall.revoked', payload: { deviceId: peer.device.deviceId } }));
    peer.revoked = true;
    peer.ws.close(HALL_CLOSE_REVOKED, 'Device revoked');
    // A device that does not answer the close handshake is cut.
    setTimeout(() => peer.ws.terminate(), CLOSE_GRACE_MS).unref();
    log.info(`hall: closed the socket of revoked ${peer.device.kind} ${peer.device.deviceId}`);
  }

  const unsubscribeRevoked = registry.onRevoked((deviceId) => {
    for (const peer of [...peers.values()]) if (peer.device.deviceId === deviceId) revokePeer(peer);
  });

  function connectedCounters(): Set<CounterNo> {
    const counters = new Set<CounterNo>();
    for (const peer of peers.values()) if (!peer.revoked && peer.device.kind === 'counter' && peer.device.counterNo !== null) counters.add(peer.device.counterNo);
    return counters;
  }

  const heartbeat = setInterval(() => {
    for (const peer of peers.values()) {
      if (!peer.alive) {
        peer.ws.terminate();
        continue;
      }
      peer.alive = false;
      peer.ws.ping();
    }
  }, options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();

  const stopAll = (): void => {
    clearInterval(heartbeat);
    if (viewsTimer !== null) clearTimeout(viewsTimer);
    viewsTimer = null;
    unsubscribeQueue();
    unsubscribeRevoked();
  };

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error: unknown) {
    stopAll();
    wss.close();
    throw error;
  }
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The hall server has no TCP address.');
  const port = address.port;
  const urls = urlsFor(options.bindAddress, port);
  log.info(`hall: serving ${urls.join(', ')}`);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopAll();
      await Promise.all([...peers.keys()].map((ws) => closeSocket(ws, 'Hub closing')));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      });
    })();
    return closing;
  };

  return { port, urls, connectedCounters, close };
}

function inputOf<C extends HallCommandName>(_command: C, data: unknown): HallParsedInput<C> {
  // `data` is the output of hallCommands[C].input; TypeScript cannot follow that through the index.
  return data as HallParsedInput<C>;
}

/** The addresses a device can use: every non-internal IPv4 for a wildcard bind, plus loopback. */
export function urlsFor(bindAddress: string, port: number): string[] {
  const addresses: string[] = [];
  if (bindAddress === '0.0.0.0' || bindAddress === '::' || bindAddress === '') {
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) {
        // Node 18.0–18.3 reported the family as a number.
        const family: unknown = entry.family;
        if ((family === 'IPv4' || family === 4) && !entry.internal) addresses.push(entry.address);
      }
    }
    addresses.push('127.0.0.1');
  } else {
    addresses.push(bindAddress);
  }
  return [...new Set(addresses)].map((address) => (address.includes(':') ? `http://[${address}]:${port}` : `http://${address}:${port}`));
}

function originMatchesHost(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
