/**
 * A few lines of plain HTTP to a CouchDB-protocol server as one user: what the setup command
 * needs, and nothing PouchDB-specific, so it behaves the same on CouchDB 3 and the embedded one.
 */
export interface CouchCredentials {
  readonly username: string;
  readonly password: string;
}

export interface CouchAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface CouchClient {
  readonly url: string;
  request(method: string, path: string, body?: unknown): Promise<CouchAnswer>;
}

export class CouchHttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path}: HTTP ${status} ${JSON.stringify(body)}`);
    this.name = 'CouchHttpError';
  }
}

export function basicAuthorization(credentials: CouchCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

export function couchClient(url: string, credentials: CouchCredentials, timeoutMs = 60_000): CouchClient {
  const base = url.replace(/\/+$/, '');
  const authorization = basicAuthorization(credentials);
  return {
    url: base,
    async request(method, path, body) {
      const headers: Record<string, string> = { Authorization: authorization, Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text.length > 0 ? JSON.parse(text) : null;
      } catch {
        // Not JSON (a proxy's error page, say): kept as text for the error message.
      }
      return { status: response.status, body: parsed };
    },
  };
}

/** The answer when its status is one of `ok`, else a CouchHttpError. */
export async function expectStatus(client: CouchClient, method: string, path: string, ok: readonly number[], body?: unknown): Promise<CouchAnswer> {
  const answer = await client.request(method, path, body);
  if (!ok.includes(answer.status)) throw new CouchHttpError(method, path, answer.status, answer.body);
  return answer;
}

export function docPath(db: string, id: string): string {
  // A design document's slash stays literal: CouchDB 3 answers `_design%2F…` too, but some proxies do not.
  const encodedId = id.startsWith('_design/') ? `_design/${encodeURIComponent(id.slice('_design/'.length))}` : encodeURIComponent(id);
  return `/${encodeURIComponent(db)}/${encodedId}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
