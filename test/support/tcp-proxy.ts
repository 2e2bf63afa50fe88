/**
 * A TCP proxy on 127.0.0.1 for fault tests: it forwards to `targetPort` and can cut every open
 * connection, refuse new ones (the network is down), or cut each connection after a number of
 * bytes (a transfer dies mid-batch). Real sockets, so the HTTP client sees what it sees when a
 * van drives out of coverage: ECONNRESET, a truncated body, a refused connect.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Destroys every open connection now (both sides). */
  cutAll(): void;
  /** While down, new connections are closed as soon as they are accepted, and open ones are cut. */
  setDown(down: boolean): void;
  /** Each connection is destroyed once `n` bytes (both directions together) have passed; null: never. */
  cutAfterBytes(n: number | null): void;
  /** Connections accepted so far (refused ones included). */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(options: { readonly targetPort: number; readonly host?: string }): Promise<TcpProxy> {
  const host = options.host ?? '127.0.0.1';
  const open = new Set<Socket>();
  let down = false;
  let cutAfter: number | null = null;
  let accepted = 0;

  const server = createServer((client) => {
    accepted += 1;
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect({ port: options.targetPort, host });
    open.add(client);
    open.add(upstream);
    let passed = 0;
    const limit = cutAfter;
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (limit !== null && passed + chunk.length >= limit) {
          // Let the part before the limit through, so the peer sees a truncated message, not none.
          const room = Math.max(0, limit - passed);
          passed = limit;
          if (room > 0) to.write(chunk.subarray(0, room));
          // Not in write's callback: a socket destroyed meanwhile may never call it, and a
          // connection left half-open would hang the client instead of failing it.
          setTimeout(drop, 5);
          from.pause();
          return;
        }
        passed += chunk.length;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
      from.on('end', () => to.end());
      from.on('error', drop);
      from.on('close', drop);
    };
    forward(client, upstream);
    forward(upstream, client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');

  const cutAll = (): void => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    port: address.port,
    cutAll,
    setDown(value) {
      down = value;
      if (value) cutAll();
    },
    cutAfterBytes(n) {
      cutAfter = n;
    },
    get accepted() {
      return accepted;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
