/**
 * The station host CLI (bundled to dist/host/main.mjs): opens the station on a data folder,
 * serves the renderer and the contract on 127.0.0.1, and prints one machine-readable line:
 *
 *   TONGDA_STATION_READY {"url":"…","port":N,"token":"…","stationId":"…"}
 *
 * on stdout (tests and scripts/start.mjs wait for it; nothing else goes to stdout). Human
 * messages go to stderr. SIGINT/SIGTERM close the host, drain the station's writes, exit 0.
 * Exit codes: 1 the station or the host failed to start, 2 bad arguments.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StationConfig } from '../station/config.js';
import { openStation } from '../station/open-station.js';
import type { RunningStation } from '../station/types.js';
import { fakeClockFromEnv, findRepoRoot, parseStationArgs, STATION_USAGE, syncOverrideOf, UsageError, type StationArgs } from './args.js';
import { startStationHost, type StationHost } from './station-host.js';

export const READY_PREFIX = 'TONGDA_STATION_READY ';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function run(): Promise<void> {
  let args: StationArgs;
  let clock: ReturnType<typeof fakeClockFromEnv>;
  try {
    args = parseStationArgs(process.argv.slice(2), 'strict');
    clock = fakeClockFromEnv(process.env);
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      log(`${error.message}\n\n${STATION_USAGE}`);
      process.exit(2);
    }
    throw error;
  }

  const dataDir = path.resolve(args.dataDir ?? path.join('.data', 'station'));
  const rendererDir = path.resolve(args.rendererDir ?? defaultRendererDir());
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    // The contract over WebSocket still works (tests need nothing else); only the page is missing.
    log(`注意：未找到界面文件 / Note: no built renderer at ${rendererDir} (run \`npm run build\`).`);
  }

  const sync = syncOverrideOf(args);
  const overrides: Partial<StationConfig> = { ...(args.stationId === null ? {} : { stationId: args.stationId }), ...(sync === null ? {} : { sync }) };
  let station: RunningStation;
  try {
    station = await openStation({
      dataDir,
      overrides,
      ...(clock === null ? {} : { clock }),
      ...(args.demo ? { demo: { accounts: args.demoAccounts, seed: args.demoSeed } } : {}),
      ...(existsSync(emulatorEntry()) ? { emulatorEntry: emulatorEntry() } : {}),
      emulatorPacing: process.env['TONGDA_EMULATOR_PACING'] !== '0',
      rendererDir,
      ...(args.hallHub === null ? {} : { hallHub: { enabled: true, ...args.hallHub } }),
    });
  } catch (error: unknown) {
    log(`站点无法打开 / The station could not open ${dataDir}: ${describe(error)}`);
    process.exit(1);
  }

  let host: StationHost;
  try {
    host = await startStationHost({ dispatcher: station.dispatcher, rendererDir, port: args.port });
  } catch (error: unknown) {
    const busy = isErrno(error) && error.code === 'EADDRINUSE';
    log(
      busy
        ? `端口 ${args.port} 已被占用 / Port ${args.port} is in use: is another station running? Try --port 0.`
        : `站点服务无法启动 / The station host could not start: ${describe(error)}`,
    );
    await station.close().catch(() => undefined);
    process.exit(1);
  }

  installShutdown(host, station);

  process.stdout.write(`${READY_PREFIX}${JSON.stringify({ url: host.url, port: host.port, token: host.token, stationId: station.stationId })}\n`);
  log(`通达站点已就绪，请在浏览器中打开 / Tongda station ready, open in a browser:\n  ${host.url}`);
  if (args.open) openInBrowser(host.url);
}

/** dist/host/main.mjs → dist/emulator/main.mjs: the GCR-1 emulator, run as its own process. */
function emulatorEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = findRepoRoot(here) ?? path.resolve(here, '..', '..');
  return path.join(root, 'dist', 'emulator', 'main.mjs');
}

/** dist/host/main.mjs → <repo>/dist/renderer; also right when run from source. */
function defaultRendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = findRepoRoot(here) ?? path.resolve(here, '..', '..');
  return path.join(root, 'dist', 'renderer');
}

function installShutdown(host: StationHost, station: RunningStation): void {
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      // A terminal's Ctrl+C reaches both scripts/start.mjs and us, and start.mjs forwards it too:
      // a second signal must not cut the drain of pending writes short.
      log(`(${signal}) 正在关闭，等待写入完成 / Already closing, waiting for writes to drain…`);
      return;
    }
    shuttingDown = true;
    log(`(${signal}) 正在关闭站点 / Closing the station…`);
    void (async () => {
      let code = 0;
      // Host first, so no new request reaches the station while it drains.
      await host.close().catch((error: unknown) => {
        log(`Closing the host failed: ${describe(error)}`);
      });
      try {
        await station.close();
      } catch (error: unknown) {
        log(`站点关闭失败 / Closing the station failed: ${describe(error)}`);
        code = 1;
      }
      process.exit(code);
    })();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/**
 * Best effort: Debian's Chromium as an app window if present, else the desktop's opener. The
 * token travels on the command line, visible to other local users in `ps`: acceptable for a
 * developer's machine, which is what --open is for.
 */
function openInBrowser(url: string): void {
  const chromium = '/usr/bin/chromium';
  const [command, commandArgs] = ((): readonly [string, readonly string[]] => {
    if (process.platform === 'linux' && existsSync(chromium)) {
      // Chromium refuses to start as root without --no-sandbox (containers, CI machines).
      const rootOnly = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
      return [chromium, [...rootOnly, `--app=${url}`]];
    }
    // `start` takes its first quoted argument as a window title, hence the empty "".
    if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""', url]];
    if (process.platform === 'darwin') return ['open', [url]];
    return ['xdg-open', [url]];
  })();
  try {
    // Verbatim on Windows so the "" title reaches `start` unescaped.
    const child = spawn(command, commandArgs, { detached: true, stdio: 'ignore', windowsVerbatimArguments: process.platform === 'win32' });
    child.on('error', () => log(`无法打开浏览器，请手动打开上面的地址 / Could not open a browser; open the URL above yourself.`));
    child.unref();
  } catch {
    log(`无法打开浏览器，请手动打开上面的地址 / Could not open a browser; open the URL above yourself.`);
  }
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

run().catch((error: unknown) => {
  log(`站点启动失败 / The station failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
