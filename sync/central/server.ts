/**
 * The embedded central: a CouchDB-protocol server (express-pouchdb on PouchDB/LevelDB) on
 * 127.0.0.1, for development, the demo and the tests. Production runs Apache CouchDB 3; the
 * setup command and the station's replication speak plain HTTP to either.
 *
 * express-pouchdb is not CouchDB, and a few of its gaps are holes, so a small gate runs in front
 * of it (see `gate` below and the README section "Where the embedded central differs from
 * CouchDB 3"):
 * - a non-admin `PUT /<db>` hangs express-pouchdb once an admin exists (the security plugin
 *   rejects `PouchDB.new`, and the route then calls `info` on the rejected promise): refused here;
 * - `_users`, `_all_dbs`, `_config` and express-pouchdb's own bookkeeping databases
 *   (`pouch__auth_sessions__` holds live session ids) are open or half-open there: admin only here;
 * - pouchdb-security keeps the security object in the ordinary local document
 *   `_local/_security`, which any member may overwrite (and so make itself a database admin,
 *   and then drop the validation): every write to it, by anyone, is refused here;
 * - request bodies are capped.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import PouchDB from 'pouchdb';
import expressPouchDB from 'express-pouchdb';

export interface EmbeddedCentralOptions {
  /** LevelDB folder; null: a temporary folder removed on close (pouchdb-adapter-memory is not installed). */
  readonly dataDir: string | null;
  /** 0 (the default): an ephemeral port. */
  readonly port?: number;
  /** The server admin, created at start (kept in memory: a restart sets it again). */
  readonly admin: { readonly username: string; readonly password: string };
  readonly log?: (line: string) => void;
  /** Larger request bodies are refused with 413. Default DEFAULT_MAX_REQUEST_BYTES. */
  readonly maxRequestBytes?: number;
}

export interface EmbeddedCentral {
  /** `http://127.0.0.1:<port>`, without credentials. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Big enough for a district snapshot attachment sent inline; CouchDB 3's own limit is max_http_request_size. */
export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/** The reasons the gate gives; tests and the README quote them. */
export const GATE_REASONS = {
  createDb: 'only admins create databases',
  deleteDb: 'only admins delete databases',
  serverAdmin: 'only server admins may use this resource',
  securityDoc: '_local/_security is where this server keeps the security object: change it with PUT /<db>/_security',
  tooLarge: 'the request body is larger than this server accepts',
  lengthRequired: 'a request body needs a Content-Length header',
} as const;

/** Top-level resources any authenticated or anonymous caller may reach (the rest of `_…` is admin only). */
const OPEN_SYSTEM_RESOURCES = new Set(['_session', '_uuids']);
const BODY_METHODS = new Set(['PUT', 'POST', 'COPY', 'PATCH']);
const SECURITY_DOC = '_local/_security';

interface JsonBody {
  readonly [key: string]: unknown;
}

type GateDecision =
  | { readonly kind: 'pass' }
  | { readonly kind: 'admin'; readonly reason: string }
  | { readonly kind: 'forbidden'; readonly reason: string }
  /** A JSON body that may name documents: read it here and check the ids before express-pouchdb sees it. */
  | { readonly kind: 'inspect'; readonly where: 'single' | 'bulk' };

/** Decodes each path segment; null when one is malformed. */
function pathSegments(url: string): string[] | null {
  const pathname = url.split('?', 1)[0] ?? '';
  try {
    return pathname
      .split('/')
      .filter((segment) => segment.length > 0)
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return null;
  }
}

function isSecurityDocPath(docPath: string): boolean {
  return docPath === SECURITY_DOC || docPath.startsWith(`${SECURITY_DOC}/`);
}

function decide(method: string, segments: readonly string[], headers: IncomingMessage['headers']): GateDecision {
  const [first, ...rest] = segments;
  if (first === undefined) return { kind: 'pass' };
  if (first.startsWith('_')) {
    return OPEN_SYSTEM_RESOURCES.has(first) ? { kind: 'pass' } : { kind: 'admin', reason: GATE_REASONS.serverAdmin };
  }
  // express-pouchdb's own bookkeeping (sessions, the database registry): nobody's business.
  if (first.startsWith('pouch__')) return { kind: 'admin', reason: GATE_REASONS.serverAdmin };
  if (rest.length === 0) {
    if (method === 'PUT') return { kind: 'admin', reason: GATE_REASONS.createDb };
    if (method === 'DELETE') return { kind: 'admin', reason: GATE_REASONS.deleteDb };
    if (method === 'POST' && isJson(headers)) return { kind: 'inspect', where: 'single' };
    return { kind: 'pass' };
  }
  const docPath = rest.join('/');
  const reading = method === 'GET' || method === 'HEAD';
  if (!reading && isSecurityDocPath(docPath)) return { kind: 'forbidden', reason: GATE_REASONS.securityDoc };
  if (method === 'COPY') {
    const destination = headers.destination;
    const target = typeof destination === 'string' ? safeDecode(destination.split('?', 1)[0] ?? '') : '';
    if (target === null || isSecurityDocPath(target)) return { kind: 'forbidden', reason: GATE_REASONS.securityDoc };
  }
  if (method === 'POST' && docPath === '_bulk_docs' && isJson(headers)) return { kind: 'inspect', where: 'bulk' };
  return { kind: 'pass' };
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function isJson(headers: IncomingMessage['headers']): boolean {
  return (headers['content-type'] ?? '').toLowerCase().includes('json');
}

function sendJson(response: ServerResponse, status: number, body: object): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

/** The ids a `POST /<db>` or `_bulk_docs` body would write. */
function idsIn(body: unknown, where: 'single' | 'bulk'): unknown[] {
  if (typeof body !== 'object' || body === null) return [];
  if (where === 'single') return [(body as JsonBody)._id];
  const docs = (body as JsonBody).docs;
  if (!Array.isArray(docs)) return [];
  return docs.map((doc: unknown) => (typeof doc === 'object' && doc !== null ? (doc as JsonBody)._id : undefined));
}

interface SessionAnswer {
  readonly status: number;
  readonly name: string | null;
  readonly roles: readonly string[];
  readonly body: object;
}

function userCtxOf(body: unknown): { name: string | null; roles: string[] } {
  if (typeof body !== 'object' || body === null) return { name: null, roles: [] };
  const userCtx = (body as JsonBody).userCtx;
  if (typeof userCtx !== 'object' || userCtx === null) return { name: null, roles: [] };
  const { name, roles } = userCtx as JsonBody;
  return {
    name: typeof name === 'string' ? name : null,
    roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
  };
}

/** express-pouchdb keeps the names of its databases in a registry it feeds from PouchDB's process-wide events. */
const GLOBAL_EVENTS = ['created', 'destroyed'] as const;

export async function startEmbeddedCentral(options: EmbeddedCentralOptions): Promise<EmbeddedCentral> {
  const log = options.log ?? (() => undefined);
  const maxBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const temporary = options.dataDir === null;
  const dir = options.dataDir === null ? await mkdtemp(path.join(tmpdir(), 'tongda-central-')) : path.resolve(options.dataDir);
  await mkdir(dir, { recursive: true });

  const Central = PouchDB.defaults({ prefix: `${dir}${path.sep}` });
  // Every database this server opens, so close() can release the LevelDB locks (a restart in
  // the same process, as the tests do, reopens the same folders).
  const opened = new Set<{ close(): Promise<void> }>();
  const onRef = (db: unknown): void => {
    if (db instanceof Central) opened.add(db);
  };
  const onUnref = (db: unknown): void => {
    if (db instanceof Central) opened.delete(db);
  };
  const before = new Map(GLOBAL_EVENTS.map((event) => [event, new Set(PouchDB.listeners(event))]));
  PouchDB.on('ref', onRef);
  PouchDB.on('unref', onUnref);

  const app = expressPouchDB({
    mode: 'fullCouchDB',
    inMemoryConfig: true,
    logPath: options.dataDir === null ? devNull : path.join(dir, 'couch.log'),
    // Not needed by Tongda, and each is one more thing that differs from CouchDB: the Fauxton
    // UI, server-side replication (and its _replicator daemon), a test-only auth route, and a
    // log line per request into a file that only grows. No gzip either: CouchDB does not
    // compress responses, it costs CPU on loopback, and it would hide the body from the gate.
    overrideMode: { exclude: ['compression', 'routes/fauxton', 'routes/replicate', 'replicator', 'routes/special-test-auth', 'routes/http-log'] },
  });
  await app.setPouchDB(Central);
  const added = GLOBAL_EVENTS.flatMap((event) =>
    PouchDB.listeners(event)
      .filter((listener) => !(before.get(event)?.has(listener) ?? false))
      .map((listener) => ({ event, listener })),
  );
  await new Promise<void>((resolve, reject) => {
    app.couchConfig.set('couchdb', 'max_document_size', maxBytes, (error) => (error ? reject(toError(error)) : resolve()));
  });
  await new Promise<void>((resolve, reject) => {
    app.couchConfig.set('admins', options.admin.username, options.admin.password, (error) => (error ? reject(toError(error)) : resolve()));
  });

  let baseUrl = '';

  async function sessionOf(request: IncomingMessage): Promise<SessionAnswer> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (request.headers.authorization) headers.Authorization = request.headers.authorization;
    if (request.headers.cookie) headers.Cookie = request.headers.cookie;
    const response = await fetch(`${baseUrl}/_session`, { headers });
    const body = (await response.json()) as object;
    return { status: response.status, ...userCtxOf(body), body };
  }

  /**
   * CouchDB ignores (as a success, without running validate_doc_update) a replicated revision
   * it already has; pouchdb-validation would run the validation with the stored document as
   * oldDoc, and our immutability rule would refuse the replay. So a `new_edits: false` batch is
   * first trimmed of the revisions the database already holds, which is what CouchDB answers.
   */
  async function dropRevisionsAlreadyStored(request: IncomingMessage, db: string, body: unknown): Promise<void> {
    if (typeof body !== 'object' || body === null) return;
    const { docs, new_edits: newEdits } = body as JsonBody;
    if (newEdits !== false || !Array.isArray(docs)) return;
    const wanted: Record<string, string[]> = {};
    for (const doc of docs as unknown[]) {
      if (typeof doc !== 'object' || doc === null) continue;
      const { _id: id, _rev: rev } = doc as JsonBody;
      if (typeof id === 'string' && typeof rev === 'string') (wanted[id] ??= []).push(rev);
    }
    if (Object.keys(wanted).length === 0) return;
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
    if (request.headers.authorization) headers.Authorization = request.headers.authorization;
    if (request.headers.cookie) headers.Cookie = request.headers.cookie;
    const response = await fetch(`${baseUrl}/${encodeURIComponent(db)}/_revs_diff`, { method: 'POST', headers, body: JSON.stringify(wanted) });
    // Not allowed or no such database: express-pouchdb gives its own answer to the batch itself.
    if (response.status !== 200) return;
    const missing = (await response.json()) as Record<string, { missing?: string[] } | undefined>;
    (body as { docs: unknown[] }).docs = (docs as unknown[]).filter((doc) => {
      if (typeof doc !== 'object' || doc === null) return true;
      const { _id: id, _rev: rev } = doc as JsonBody;
      if (typeof id !== 'string' || typeof rev !== 'string') return true;
      return missing[id]?.missing?.includes(rev) ?? false;
    });
  }

  async function gate(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const refuse = (status: number, error: string, reason: string, who = ''): void => {
      log(`central: ${status} ${method} ${url.split('?', 1)[0] ?? ''}${who ? ` (${who})` : ''}: ${reason}`);
      sendJson(response, status, { error, reason });
    };

    const declared = request.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) return refuse(413, 'too_large', GATE_REASONS.tooLarge);
    if (declared === undefined && request.headers['transfer-encoding'] !== undefined && BODY_METHODS.has(method)) {
      return refuse(411, 'length_required', GATE_REASONS.lengthRequired);
    }

    const segments = pathSegments(url);
    if (segments === null) return refuse(400, 'bad_request', 'malformed percent-encoding in the path');
    const decision = decide(method, segments, request.headers);
    switch (decision.kind) {
      case 'pass':
        break;
      case 'forbidden':
        return refuse(403, 'forbidden', decision.reason);
      case 'admin': {
        const session = await sessionOf(request);
        if (session.status !== 200) {
          // Wrong credentials: express-pouchdb's own answer.
          sendJson(response, session.status, session.body);
          return;
        }
        if (!session.roles.includes('_admin')) {
          return session.name === null
            ? refuse(401, 'unauthorized', decision.reason)
            : refuse(403, 'forbidden', decision.reason, session.name);
        }
        break;
      }
      case 'inspect': {
        const raw = await readBody(request, maxBytes);
        if (raw === 'too-large') return refuse(413, 'too_large', GATE_REASONS.tooLarge);
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return refuse(400, 'bad_request', 'invalid_json');
        }
        if (idsIn(body, decision.where).some((id) => typeof id === 'string' && isSecurityDocPath(id))) {
          return refuse(403, 'forbidden', GATE_REASONS.securityDoc);
        }
        if (decision.where === 'bulk') await dropRevisionsAlreadyStored(request, segments[0] ?? '', body);
        // body-parser (inside express-pouchdb) skips a request already marked parsed.
        Object.assign(request, { body, _body: true });
        break;
      }
      default: {
        const unreachable: never = decision;
        throw new Error(`unknown gate decision ${JSON.stringify(unreachable)}`);
      }
    }
    if (request.headers.authorization !== undefined || request.headers.cookie !== undefined) answerNonMembersAsCouchDB(response);
    app(request, response);
  }

  const server = createServer((request, response) => {
    gate(request, response).catch((error: unknown) => {
      log(`central: gate failed on ${request.method ?? '?'} ${request.url ?? '?'}: ${String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { error: 'internal_error', reason: 'the gate in front of express-pouchdb failed' });
      else response.destroy();
    });
  });
  // Replication holds long-polled _changes requests open; the defaults would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  log(`central: listening on ${baseUrl} (data ${temporary ? 'in a temporary folder' : dir})`);

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    for (const { event, listener } of added) PouchDB.removeListener(event, listener);
    PouchDB.removeListener('ref', onRef);
    PouchDB.removeListener('unref', onUnref);
    const databases = [...opened];
    opened.clear();
    await Promise.allSettled(databases.map((db) => db.close()));
    endLogStream(app);
    if (temporary) await rm(dir, { recursive: true, force: true });
    log('central: closed');
  }

  return {
    url: baseUrl,
    port,
    close: () => (closing ??= close()),
  };
}

const NOT_A_MEMBER = 'You are not authorized to access this db.';

/**
 * pouchdb-security answers 401 to everyone it refuses; CouchDB answers 403 to an authenticated
 * user who is not a member (401 means "log in", and a client that retries with the same
 * credentials would loop). Bad credentials never get this far (express-pouchdb refuses them
 * with another reason), so a request that carried credentials and got this reason came from a
 * real user who is not allowed in.
 */
function answerNonMembersAsCouchDB(response: ServerResponse): void {
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  const patched = (...args: unknown[]): ServerResponse => {
    const [chunk] = args;
    if (response.statusCode === 401 && !response.headersSent && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
      let reason: unknown;
      try {
        reason = (JSON.parse(chunk.toString()) as JsonBody).reason;
      } catch {
        reason = undefined;
      }
      if (reason === NOT_A_MEMBER) {
        const text = `${JSON.stringify({ error: 'forbidden', reason: 'You are not allowed to access this db.' })}\n`;
        response.statusCode = 403;
        response.setHeader('Content-Type', 'application/json');
        response.setHeader('Content-Length', Buffer.byteLength(text));
        return end(text);
      }
    }
    return end(...args);
  };
  response.end = patched as ServerResponse['end'];
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** express-pouchdb opens its log file at start and never closes it. */
function endLogStream(app: object): void {
  const logger = (app as { couchLogger?: { _stream?: { end(): void } } }).couchLogger;
  logger?._stream?.end();
}
