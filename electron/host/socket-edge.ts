/**
 * The HTTP and WebSocket edge both servers share: the loopback station host (station-host.ts)
 * and the hall hub on the hall network (electron/hall/hall-server.ts). Same framing rules, so a
 * fix to one edge is a fix to both.
 */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';

/** How long a closing server lets a socket finish its closing handshake before cutting it. */
export const CLOSE_GRACE_MS = 1_000;

/** Answers an upgrade we will not accept with a plain HTTP status, then drops the connection. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  }
  socket.destroy();
}

/** Closes with 1001 "going away" (clients reconnect when the server is back); cuts it after the grace time. */
export function closeSocket(ws: WebSocket, reason: string): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) {
      resolve();
      return;
    }
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, reason);
  });
}

export function sendPlain(res: ServerResponse, headers: Readonly<Record<string, string>>, status: number, body: string, extra: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, {
    ...headers,
    ...extra,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/** The request's id if it has a usable one, so even a rejected request is answered under its own id. */
export function numericId(message: unknown): number | null {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const id: unknown = (message as { readonly id?: unknown }).id;
  return typeof id === 'number' && Number.isFinite(id) ? id : null;
}

export function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
