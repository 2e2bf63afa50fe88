/**
 * Serving the built renderer from disk, shared by the station host (HTTP) and Electron's
 * `app://` protocol handler, so both apply the same path rules and the same headers.
 *
 * Plain Node: no `electron` import (the Electron main imports this, not the other way round).
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The renderer's Content-Security-Policy. It must equal the one in renderer/index.html: the
 * header is what protects the page when it is served over HTTP, the meta tag when it is not
 * (static-files.test.ts compares them). `ws://127.0.0.1:*` and `ws://localhost:*` let the page
 * reach the station host's WebSocket whichever name it was opened under; `'unsafe-inline'` styles
 * only, because React sets `style` attributes; scripts stay `'self'`.
 */
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; " +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers every response carries, whatever its status. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // frame-ancestors covers modern browsers; X-Frame-Options covers the rest.
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.webm': 'video/webm',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
};

/** With `nosniff`, an unknown type is downloaded as bytes, never run as script. */
export function contentTypeFor(filePath: string): string {
  return contentTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticFile {
  readonly filePath: string;
  readonly contentType: string;
  readonly size: number;
  /** index.html names the hashed bundles of the current build: never cache it. */
  readonly isIndex: boolean;
}

/**
 * Maps a request path (the URL's pathname, still percent-encoded) to a file inside rootDir, or
 * null for anything that is not a regular file inside it. The decoded path is resolved and must
 * stay inside the root, and so must its real path, so `..`, `%2e%2e`, `%2f`, backslashes and
 * symlinks cannot reach a file outside the built renderer.
 */
export async function resolveStaticFile(rootDir: string, pathname: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const wanted = decoded === '/' || decoded === '' ? '/index.html' : decoded;

  const root = path.resolve(rootDir);
  const candidate = path.resolve(root, `.${path.sep}${wanted}`);
  if (!isInside(root, candidate)) return null;

  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!isInside(realRoot, realFile)) return null;
    const info = await stat(realFile);
    if (!info.isFile()) return null;
    return {
      filePath: realFile,
      contentType: contentTypeFor(realFile),
      size: info.size,
      isIndex: path.relative(realRoot, realFile) === 'index.html',
    };
  } catch {
    // Missing file, unreadable directory, broken symlink: all the same 404 to the client.
    return null;
  }
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  // `..foo` is a legal name inside the root; only a leading `..` segment climbs out.
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
