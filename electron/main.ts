/**
 * The Electron main process (bundled to dist/electron/main.mjs). Thin glue: it opens the station,
 * serves the built renderer on `app://tongda/`, and wires one IPC channel through the sender
 * policy (electron/ipc/sender-policy.ts, which explains the custom origin). The decisions live
 * in plain modules with tests; this file only connects them to Electron.
 *
 * Security posture, in one place:
 * - every renderer is sandboxed, context-isolated, without Node; the preload exposes only the
 *   contract's ElectronBridge;
 * - IPC is answered only for the main frame of our own window showing our own origin;
 * - no navigation, no new windows, no webviews, no downloads;
 * - every permission denied except camera and microphone for our page (counter video);
 * - the renderer's CSP is sent as a header by our protocol handler, and again through
 *   webRequest for anything else the session loads.
 *
 * Arguments: --data <dir> (default <userData>/station), --demo, --demo-accounts <n>,
 * --demo-seed <n>, --station-id <id>; TONGDA_FAKE_NOW freezes the clock (tests).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, type Session, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fakeClockFromEnv, parseStationArgs, syncOverrideOf, type StationArgs } from './host/args.js';
import { RENDERER_CSP, resolveStaticFile, SECURITY_HEADERS } from './host/static-files.js';
import { registerStationIpc } from './ipc/router.js';
import { APP_HOST, APP_INDEX_URL, APP_SCHEME, decidePermission, decideSender, isNavigationAllowed } from './ipc/sender-policy.js';
import type { StationConfig } from './station/config.js';
import { openStation } from './station/open-station.js';
import { parseHallPageUrl, type HallPage } from './hall/hall-page-url.js';
import type { RunningStation } from './station/types.js';

/** dist/electron: the preload sits beside this bundle, the renderer beside this folder. */
const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.resolve(here, '..', 'renderer');
const preloadPath = path.join(here, 'preload.cjs');

/** The counter screens are laid out for 1366×768, the most common counter PC display. */
const DESIGN_WIDTH = 1366;
const DESIGN_HEIGHT = 768;

// Must happen before `ready`: a standard, secure scheme gets a real origin, `fetch`, and the
// same treatment as https (secure context for getUserMedia). corsEnabled: vite emits
// `<script type="module" crossorigin>`, which Chromium fetches in CORS mode, and a custom scheme
// without it fails such fetches (VS Code's vscode-file scheme sets it for the same reason). It
// lets other origins read app:// responses, but no other origin ever runs in our windows:
// navigation, new windows and webviews are all refused.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
]);
// Sandbox every renderer, including any the app forgets to configure.
app.enableSandbox();

const ourWindows = new Set<BrowserWindow>();
const isOurWebContents = (id: number): boolean => [...ourWindows].some((w) => !w.isDestroyed() && w.webContents.id === id);

let stationOpening: Promise<RunningStation> | null = null;
let disposeIpc: (() => void) | null = null;
let quitState: 'running' | 'draining' | 'drained' = 'running';

function log(line: string): void {
  process.stderr.write(`[tongda] ${line}\n`);
}

// One station per data folder: a second instance would fight over the LevelDB lock. Hand the
// focus to the running one instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start(): void {
  let args: StationArgs;
  let clock: ReturnType<typeof fakeClockFromEnv>;
  try {
    // Lenient: Electron's argv also holds the app path and Chromium switches.
    args = parseStationArgs(process.argv.slice(1), 'lenient');
    clock = fakeClockFromEnv(process.env);
  } catch (error: unknown) {
    log(describe(error));
    app.exit(2);
    return;
  }

  if (process.platform === 'win32') app.setAppUserModelId('com.tongda.station');
  const hallPage = args.hallPage === null ? null : parseHallPageUrl(args.hallPage);
  if (args.hallPage !== null && hallPage === null) {
    log(`--hall-page must be the hub's /kiosk or /board page over http(s), not ${args.hallPage}`);
    app.exit(2);
    return;
  }
  // A board speaks each call without anyone tapping the TV first.
  if (hallPage?.kind === 'board') app.commandLine.appendSwitch('autoplay-policy', 'no-user-gesture-required');

  app.on('second-instance', () => {
    const [win] = ourWindows;
    if (win === undefined || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitState === 'drained') return;
    // Hold the quit until the station has drained its write queue and closed its databases.
    event.preventDefault();
    if (quitState === 'draining') return;
    quitState = 'draining';
    void drainStation().finally(() => {
      quitState = 'drained';
      app.quit();
    });
  });
  // Ctrl+C in the terminal that ran `npm start`: the same orderly quit as closing the window.
  process.on('SIGINT', () => app.quit());
  process.on('SIGTERM', () => app.quit());

  app
    .whenReady()
    .then(() => boot(args, clock))
    .then(() => {
      if (hallPage !== null) createHallPageWindow(hallPage);
    })
    .catch((error: unknown) => fatal(error));
}

async function boot(args: StationArgs, clock: ReturnType<typeof fakeClockFromEnv>): Promise<void> {
  // The counter app has no menu: it would offer reload and devtools shortcuts to the clerk.
  Menu.setApplicationMenu(null);
  installSessionPolicy(session.defaultSession);
  protocol.handle(APP_SCHEME, serveApp);
  if (!existsSync(path.join(rendererDir, 'index.html'))) log(`No built renderer at ${rendererDir}: run \`npm run build\`.`);

  const dataDir = path.resolve(args.dataDir ?? path.join(app.getPath('userData'), 'station'));
  const sync = syncOverrideOf(args);
  const overrides: Partial<StationConfig> = { ...(args.stationId === null ? {} : { stationId: args.stationId }), ...(sync === null ? {} : { sync }) };
  stationOpening = openStation({
    dataDir,
    overrides,
    ...(clock === null ? {} : { clock }),
    ...(args.demo ? { demo: { accounts: args.demoAccounts, seed: args.demoSeed } } : {}),
    // dist/electron/main.mjs → dist/emulator/main.mjs (unpacked beside the asar in a package).
    emulatorEntry: fileURLToPath(new URL('../emulator/main.mjs', import.meta.url)).replace('app.asar', 'app.asar.unpacked'),
    // A hall hub serves the kiosk and board pages from the same build (Electron reads inside the asar).
    rendererDir,
    ...(args.hallHub === null ? {} : { hallHub: { enabled: true, ...args.hallHub } }),
  });
  const station = await stationOpening;
  if (quitState !== 'running') return; // quit while opening; before-quit closes it.
  log(`Station ${station.stationId} open on ${dataDir} (${station.accountsIndexed()} accounts indexed).`);

  disposeIpc = registerStationIpc(ipcMain, station.dispatcher, (facts) => decideSender(facts, { isOurWebContents }), {
    eventTargets: () => [...ourWindows].filter((w) => !w.isDestroyed()).map((w) => w.webContents),
    onRefused: (facts, reason) => log(`IPC refused from webContents ${facts.webContentsId}: ${reason}`),
  });
  createWindow();
}

function createWindow(): BrowserWindow {
  // Design for 1366×768 and never go below it, unless the screen itself is smaller (a 1366×768
  // panel minus the taskbar): then the minimum is what fits, and the window starts maximised.
  const work = screen.getPrimaryDisplay().workAreaSize;
  const width = Math.min(DESIGN_WIDTH, work.width);
  const height = Math.min(DESIGN_HEIGHT, work.height);
  const win = new BrowserWindow({
    width,
    height,
    minWidth: width,
    minHeight: height,
    show: false,
    title: 'Tongda 通达',
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Developers need devtools; a packaged counter does not offer them.
      devTools: !app.isPackaged,
    },
  });
  ourWindows.add(win);
  win.on('closed', () => ourWindows.delete(win));
  win.once('ready-to-show', () => {
    if (width < DESIGN_WIDTH || height < DESIGN_HEIGHT) win.maximize();
    win.show();
  });
  win.loadURL(APP_INDEX_URL).catch((error: unknown) => log(`Loading ${APP_INDEX_URL} failed: ${describe(error)}`));
  return win;
}

/**
 * The hall's kiosk or board page, served by the hub on the hall network, in a window of its own:
 * its own persistent session (the device credential lives in that session's localStorage, never
 * in the station's), no preload (it talks to the hub, not to this station), no permissions.
 * hardenWebContents refuses it any navigation: the page changes only its own fragment.
 */
function createHallPageWindow(page: HallPage): BrowserWindow {
  const hallSession = session.fromPartition('persist:hall-page');
  hallSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  hallSession.setPermissionCheckHandler(() => false);
  hallSession.setDevicePermissionHandler(() => false);
  hallSession.on('will-download', (event) => event.preventDefault());
  const win = new BrowserWindow({
    width: DESIGN_WIDTH,
    height: DESIGN_HEIGHT,
    title: page.kind === 'kiosk' ? '取号机 Tongda' : '叫号屏 Tongda',
    backgroundColor: '#000000',
    // A kiosk or a TV: the whole screen, no window frame for a customer to close.
    kiosk: app.isPackaged,
    webPreferences: { session: hallSession, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, spellcheck: false, devTools: !app.isPackaged },
  });
  win.loadURL(page.url).catch((error: unknown) => log(`Loading the hall page failed: ${describe(error)}`));
  return win;
}

/** Applied to every webContents the app ever creates, ours or not. */
function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => {
    if (!isNavigationAllowed(contents.getURL(), event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isNavigationAllowed(contents.getURL(), event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function installSessionPolicy(ses: Session): void {
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(
      decidePermission({
        permission,
        requestingUrl: details.requestingUrl,
        fromOurWindow: isOurWebContents(contents.id),
        isMainFrame: details.isMainFrame,
        mediaTypes: 'mediaTypes' in details ? details.mediaTypes : undefined,
      }),
    );
  });
  ses.setPermissionCheckHandler((contents, permission, requestingOrigin, details) =>
    decidePermission({
      permission,
      requestingUrl: requestingOrigin,
      fromOurWindow: contents !== null && isOurWebContents(contents.id),
      isMainFrame: details.isMainFrame,
      mediaTypes: details.mediaType === undefined ? undefined : [details.mediaType],
    }),
  );
  // HID, serial and USB belong to the main process (hardware/), behind the contract.
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (event) => event.preventDefault());
  // Defence in depth: our protocol handler already sends the CSP; this covers anything else
  // the session fetches over http(s), replacing whatever policy the response carried.
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [RENDERER_CSP];
    callback({ responseHeaders: headers });
  });
}

/** `app://tongda/<path>` → a file of dist/renderer, with the same rules as the station host. */
async function serveApp(request: Request): Promise<Response> {
  const plain = (status: number, body: string): Response =>
    new Response(body, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return plain(400, 'Bad request');
  }
  if (url.host !== APP_HOST) return plain(404, 'Not found');
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
  const file = await resolveStaticFile(rendererDir, url.pathname);
  if (file === null) return plain(404, 'Not found');
  const body = request.method === 'HEAD' ? null : await readFile(file.filePath);
  return new Response(body, {
    status: 200,
    headers: { ...SECURITY_HEADERS, 'Content-Type': file.contentType, 'Cache-Control': file.isIndex ? 'no-store' : 'no-cache' },
  });
}

/** Stops taking requests, then lets the station drain its writes and close its databases. */
async function drainStation(): Promise<void> {
  disposeIpc?.();
  disposeIpc = null;
  if (stationOpening === null) return;
  try {
    const station = await stationOpening;
    await station.close();
    log('Station closed.');
  } catch (error: unknown) {
    log(`Closing the station failed: ${describe(error)}`);
  }
}

function fatal(error: unknown): void {
  log(`Startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  dialog.showErrorBox('通达无法启动 / Tongda could not start', describe(error));
  // app.exit skips before-quit, so drain here whatever did open.
  void drainStation().finally(() => app.exit(1));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
