/**
 * How the central service reaches central's databases: over HTTP with its own credentials (role
 * td-central) in production, or through any factory a test gives it (local LevelDB PouchDB).
 */
import PouchDB from 'pouchdb';

export type Database = PouchDB.Database;
export type DatabaseFactory = (name: string) => Database;
export type StoredDoc = PouchDB.ExistingDocument;

/**
 * Databases on a CouchDB URL. `skip_setup`: the service never creates a database (setup does; and
 * a non-admin PUT of a new database hangs express-pouchdb), so a missing one is a 404.
 */
export function httpDatabaseFactory(url: string, auth: { username: string; password: string }): DatabaseFactory {
  const base = url.replace(/\/+$/, '');
  return (name) => new PouchDB(`${base}/${encodeURIComponent(name)}`, { auth, skip_setup: true });
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = error.status;
  return typeof status === 'number' ? status : undefined;
}

export const isNotFound = (error: unknown): boolean => statusOf(error) === 404;
export const isConflict = (error: unknown): boolean => statusOf(error) === 409;

export async function getOrNull(db: Database, id: string): Promise<PouchDB.ExistingDocument | null> {
  try {
    return await db.get(id);
  } catch (error: unknown) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Creates a document that must be written once; true when it was already there (a retry). */
export async function putOnce(db: Database, doc: PouchDB.Document): Promise<'created' | 'existed'> {
  try {
    await db.put(doc);
    return 'created';
  } catch (error: unknown) {
    if (isConflict(error)) return 'existed';
    throw error;
  }
}

/** Every document whose id starts with `prefix`. */
export async function docsWithPrefix(db: Database, prefix: string): Promise<PouchDB.ExistingDocument[]> {
  const result = await db.allDocs({ startkey: prefix, endkey: `${prefix}\uffff`, include_docs: true });
  const docs: PouchDB.ExistingDocument[] = [];
  for (const row of result.rows) if (row.doc) docs.push(row.doc);
  return docs;
}

/** The numeric part of an update_seq: PouchDB gives a number, CouchDB "<n>-<opaque>". */
export function seqNumber(seq: number | string): number {
  if (typeof seq === 'number') return seq;
  const n = Number.parseInt(seq, 10);
  return Number.isFinite(n) ? n : 0;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    const { name, message, reason } = error as { name?: unknown; message?: unknown; reason?: unknown };
    return [name, message, reason].filter((part) => typeof part === 'string').join(': ') || JSON.stringify(error);
  }
  return String(error);
}
