/** Small helpers for hall queue tests: a free loopback port for a hub, and polling for a condition. */
import { createServer } from 'node:net';

/** A port free right now on 127.0.0.1 (the hub's settings need a fixed port, as a real hall's do). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `condition` holds (for state that arrives by push), failing after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 25, describe?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${describe ? `: ${describe()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
