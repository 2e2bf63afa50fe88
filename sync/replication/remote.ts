/**
 * A database on central, through PouchDB's http adapter. Credentials go in its `auth` option:
 * pouchdb 9 turns them into an `Authorization: Basic` header on every request (CouchDB 3 and
 * the embedded server both accept it), so no session cookie has to be kept alive.
 * `skip_setup`: a station must never try to create a database on central (and a non-admin PUT
 * of a new database hangs express-pouchdb).
 */
import PouchDB from 'pouchdb';

export interface RemoteTarget {
  readonly centralUrl: string;
  readonly auth: { readonly username: string; readonly password: string };
}

/**
 * Fails a request whose response headers have not come within `timeoutMs`: on a mobile network a
 * connection can go silent without being closed, and a replication waiting on it forever would
 * leave the station "syncing" and never retry.
 */
function fetchWithTimeout(timeoutMs: number): (url: string, options: Record<string, unknown>) => Promise<unknown> {
  return async (url, options) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await PouchDB.fetch(url, { ...options, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  };
}

export function openRemote(target: RemoteTarget, name: string, options: { readonly requestTimeoutMs?: number } = {}): PouchDB.Database {
  const base = target.centralUrl.replace(/\/+$/, '');
  const db = new PouchDB(`${base}/${encodeURIComponent(name)}`, {
    // An empty user name means an open server (a test's plain express-pouchdb): no header at all.
    ...(target.auth.username === '' ? {} : { auth: { username: target.auth.username, password: target.auth.password } }),
    skip_setup: true,
    fetch: fetchWithTimeout(options.requestTimeoutMs ?? 60_000),
  });
  return db;
}
