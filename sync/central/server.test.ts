import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATE_REASONS, startEmbeddedCentral, type EmbeddedCentral } from './server.js';

const ADMIN = { username: 'admin', password: 'admin-pw' };

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

interface Answer {
  status: number;
  body: unknown;
}

async function call(base: string, method: string, urlPath: string, authorization: string | null, body?: unknown, timeoutMs = 3000): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (authorization !== null) headers.Authorization = authorization;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${base}${urlPath}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

describe('embedded central', () => {
  let central: EmbeddedCentral;
  const admin = basic(ADMIN.username, ADMIN.password);
  const bob = basic('bob', 'bob-password');
  const as = (method: string, urlPath: string, authorization: string | null, body?: unknown) => call(central.url, method, urlPath, authorization, body);

  beforeAll(async () => {
    central = await startEmbeddedCentral({ dataDir: null, admin: ADMIN });
    expect((await as('PUT', '/shop', admin)).status).toBe(201);
    expect((await as('PUT', '/_users/org.couchdb.user:bob', admin, { name: 'bob', password: 'bob-password', roles: ['clerk'], type: 'user' })).status).toBe(201);
    expect((await as('PUT', '/shop/_security', admin, { admins: { names: [], roles: [] }, members: { names: [], roles: ['clerk'] } })).status).toBe(200);
    const validate = "function (newDoc, oldDoc, userCtx) { if (oldDoc) { throw({forbidden: 'no updates'}); } }";
    expect((await as('PUT', '/shop/_design/rules', admin, { validate_doc_update: validate })).status).toBe(201);
    expect((await as('PUT', '/closed', admin)).status).toBe(201);
    expect((await as('PUT', '/closed/_security', admin, { admins: { names: [], roles: [] }, members: { names: [], roles: ['nobody'] } })).status).toBe(200);
  });
  afterAll(async () => {
    await central.close();
  });

  it('listens on 127.0.0.1 with an ephemeral port and no credentials in the url', () => {
    expect(central.url).toBe(`http://127.0.0.1:${central.port}`);
    expect(central.port).toBeGreaterThan(0);
  });

  it('knows the admin and the user, and refuses a wrong password', async () => {
    expect(await as('GET', '/_session', admin)).toMatchObject({ status: 200, body: { userCtx: { name: 'admin', roles: ['_admin'] } } });
    expect(await as('GET', '/_session', bob)).toMatchObject({ status: 200, body: { userCtx: { name: 'bob', roles: ['clerk'] } } });
    expect((await as('GET', '/shop', basic('bob', 'wrong'))).status).toBe(401);
  });

  it('refuses a non-admin PUT of a new database at once (express-pouchdb would hang)', async () => {
    const started = Date.now();
    expect(await as('PUT', '/newdb', bob)).toEqual({ status: 403, body: { error: 'forbidden', reason: GATE_REASONS.createDb } });
    expect(await as('PUT', '/newdb', null)).toEqual({ status: 401, body: { error: 'unauthorized', reason: GATE_REASONS.createDb } });
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await as('GET', '/newdb', admin)).status).toBe(404);
    expect(await as('DELETE', '/shop', bob)).toEqual({ status: 403, body: { error: 'forbidden', reason: GATE_REASONS.deleteDb } });
    expect((await as('GET', '/shop', admin)).status).toBe(200);
  });

  it('keeps server resources and express-pouchdb bookkeeping to admins', async () => {
    for (const urlPath of ['/_all_dbs', '/_users/_all_docs', '/_users/org.couchdb.user:bob', '/_config', '/pouch__auth_sessions__/_all_docs']) {
      expect({ urlPath, status: (await as('GET', urlPath, bob)).status }).toEqual({ urlPath, status: 403 });
    }
    // express-pouchdb makes a user admin of its own _users document: with it a user could give itself roles.
    expect((await as('PUT', '/_users/org.couchdb.user:bob', bob, { name: 'bob', roles: ['clerk', 'td-central'], type: 'user' })).status).toBe(403);
    expect(await as('GET', '/_session', bob)).toMatchObject({ body: { userCtx: { roles: ['clerk'] } } });
    expect((await as('GET', '/_all_dbs', admin)).body).toEqual(expect.arrayContaining(['shop', 'closed', '_users']));
  });

  it('enforces _security: members read and write, others get 403 (anonymous 401), design documents need a db admin', async () => {
    expect((await as('PUT', '/shop/a', bob, { n: 1 })).status).toBe(201);
    expect((await as('GET', '/shop/a', bob)).status).toBe(200);
    expect(await as('GET', '/closed', bob)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await as('PUT', '/closed/x', bob, { n: 1 })).status).toBe(403);
    expect((await as('GET', '/shop', null)).status).toBe(401);
    expect((await as('PUT', '/shop/_design/evil', bob, { validate_doc_update: 'function () {}' })).status).toBe(403);
    expect((await as('PUT', '/shop/_security', bob, { admins: { roles: ['clerk'] }, members: { roles: ['clerk'] } })).status).toBe(403);
  });

  it('enforces validate_doc_update over HTTP, in _bulk_docs too', async () => {
    const created = await as('PUT', '/shop/b', bob, { n: 1 });
    const rev = (created.body as { rev: string }).rev;
    expect(await as('PUT', '/shop/b', bob, { _rev: rev, n: 2 })).toMatchObject({ status: 403, body: { error: 'forbidden', reason: 'no updates' } });
    expect((await as('DELETE', `/shop/b?rev=${rev}`, bob)).status).toBe(403);
    const bulk = await as('POST', '/shop/_bulk_docs', bob, { docs: [{ _id: 'b', _rev: rev, n: 3 }, { _id: 'c', n: 1 }] });
    expect(bulk.status).toBe(201);
    expect(bulk.body).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'b', error: 'forbidden' }), expect.objectContaining({ id: 'c', ok: true })]));
  });

  it('treats a replayed revision (new_edits: false) as CouchDB does: accepted, not re-validated', async () => {
    const doc = { _id: 'replayed', _rev: '1-0123456789abcdef0123456789abcdef', n: 1 };
    expect(await as('POST', '/shop/_bulk_docs', bob, { docs: [doc], new_edits: false })).toEqual({ status: 201, body: [] });
    expect(await as('POST', '/shop/_bulk_docs', bob, { docs: [doc], new_edits: false })).toEqual({ status: 201, body: [] });
    expect(await as('GET', '/shop/replayed', bob)).toMatchObject({ body: { _rev: doc._rev } });
  });

  it('refuses every write to _local/_security, where express-pouchdb keeps the security object', async () => {
    const takeover = { security: { admins: { roles: ['clerk'] }, members: { roles: ['clerk'] } } };
    expect(await as('PUT', '/shop/_local/_security', bob, takeover)).toEqual({ status: 403, body: { error: 'forbidden', reason: GATE_REASONS.securityDoc } });
    expect((await as('PUT', '/shop/_local%2F_security', bob, takeover)).status).toBe(403);
    expect((await as('DELETE', '/shop/_local/_security', bob)).status).toBe(403);
    expect((await as('POST', '/shop', bob, { _id: '_local/_security', ...takeover })).status).toBe(403);
    expect((await as('POST', '/shop/_bulk_docs', bob, { docs: [{ _id: '_local/_security', ...takeover }] })).status).toBe(403);
    const copy = await fetch(`${central.url}/shop/a`, { method: 'COPY', headers: { Authorization: bob, Destination: '_local/_security' }, signal: AbortSignal.timeout(3000) });
    expect(copy.status).toBe(403);
    expect((await as('GET', '/shop/_security', admin)).body).toEqual({ admins: { names: [], roles: [] }, members: { names: [], roles: ['clerk'] } });
  });
});

describe('embedded central: limits and restarts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tongda-central-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('caps request bodies', async () => {
    const central = await startEmbeddedCentral({ dataDir: null, admin: ADMIN, maxRequestBytes: 2048 });
    try {
      const admin = basic(ADMIN.username, ADMIN.password);
      expect((await call(central.url, 'PUT', '/big', admin)).status).toBe(201);
      expect((await call(central.url, 'PUT', '/big/small', admin, { text: 'x'.repeat(100) })).status).toBe(201);
      expect(await call(central.url, 'PUT', '/big/large', admin, { text: 'x'.repeat(5000) })).toEqual({ status: 413, body: { error: 'too_large', reason: GATE_REASONS.tooLarge } });
    } finally {
      await central.close();
    }
  });

  it('keeps its data across a restart on the same folder, and frees the port on close', async () => {
    const admin = basic(ADMIN.username, ADMIN.password);
    const first = await startEmbeddedCentral({ dataDir: dir, admin: ADMIN });
    expect((await call(first.url, 'PUT', '/kept', admin)).status).toBe(201);
    expect((await call(first.url, 'PUT', '/kept/doc', admin, { n: 1 })).status).toBe(201);
    await first.close();
    await expect(fetch(`${first.url}/`, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();

    const second = await startEmbeddedCentral({ dataDir: dir, admin: ADMIN });
    try {
      expect(await call(second.url, 'GET', '/kept/doc', admin)).toMatchObject({ status: 200, body: { n: 1 } });
      expect((await call(second.url, 'GET', '/_all_dbs', admin)).body).toEqual(expect.arrayContaining(['kept']));
    } finally {
      await second.close();
    }
  });
});
