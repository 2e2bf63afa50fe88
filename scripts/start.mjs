// `npm start`: build, then run Tongda with demo data in .data/station.
// - With Electron's binary (node_modules/electron/path.txt exists): the desktop app.
// - Without it (this machine, CI, a fresh clone where the download failed): the station host on
//   http://127.0.0.1:8631, opened in a browser when one is available.
// Works in a fresh clone after `npm ci`: it needs nothing that the build does not make.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The demo station syncs with `npm run central` (127.0.0.1:5985, district SHUSHAN) when it runs,
// and shows 离线 when it does not.
const dataArgs = [
  '--data',
  path.join('.data', 'station'),
  '--demo',
  '--central',
  process.env.TONGDA_CENTRAL_URL ?? 'http://127.0.0.1:5985',
  '--district',
  'SHUSHAN',
  '--sync-user',
  'station-hf-ss-01',
  '--sync-password',
  'station-demo',
  // The demo station is also its hall's queue hub: the kiosk and board addresses are printed at start.
  '--hall-hub',
  process.env.TONGDA_HALL_HUB ?? '127.0.0.1:7700',
];
const HOST_PORT = '8631';
const READY_PREFIX = 'TONGDA_STATION_READY ';

function say(line) {
  process.stderr.write(`${line}\n`);
}

const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  say('构建失败 / The build failed; see above.');
  process.exit(build.status ?? 1);
}

/** Same rule as the electron package's index.js, without triggering its download. */
function electronBinary() {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = path.join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const binary = override ? path.join(override, relative) : path.join(root, 'node_modules', 'electron', 'dist', relative);
  return existsSync(binary) ? binary : null;
}

/** Runs the child to its end, forwarding Ctrl+C and termination once, and exits with its code. */
function supervise(child) {
  let forwarded = false;
  const forward = (signal) => {
    // A terminal's Ctrl+C also reaches the child directly; forwarding once more is harmless
    // (it ignores repeats while it drains), forwarding on every repeat would be noise.
    if (forwarded) return;
    forwarded = true;
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => forward('SIGINT'));
  process.on('SIGTERM', () => forward('SIGTERM'));
  child.on('error', (error) => {
    say(`无法启动 / Could not start: ${error.message}`);
    process.exit(1);
  });
  // 130: the shell's convention for "ended by Ctrl+C".
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
}

const electron = electronBinary();
if (electron !== null) {
  say('启动通达桌面程序 / Starting the Tongda desktop app…');
  const env = { ...process.env };
  // Set by some tools; it would make Electron behave as plain Node and ignore the app.
  delete env.ELECTRON_RUN_AS_NODE;
  supervise(spawn(electron, ['.', ...dataArgs], { cwd: root, stdio: 'inherit', env }));
} else {
  say('未找到 Electron 程序，改为在浏览器中运行 / No Electron binary here: running the station host for a browser.');
  const host = spawn(process.execPath, [path.join(root, 'dist', 'host', 'main.mjs'), ...dataArgs, '--port', HOST_PORT, '--open'], {
    cwd: root,
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  supervise(host);
  createInterface({ input: host.stdout }).on('line', (line) => {
    if (!line.startsWith(READY_PREFIX)) {
      process.stdout.write(`${line}\n`);
      return;
    }
    let url = line.slice(READY_PREFIX.length);
    try {
      url = JSON.parse(url).url;
    } catch {
      // Print the raw line rather than nothing.
    }
    const rule = '─'.repeat(72);
    say(`\n${rule}\n  通达已启动。请在浏览器中打开（地址含一次性令牌，勿外传）：\n  Tongda is running. Open in a browser (the address holds a one-time token; keep it to yourself):\n\n    ${url}\n\n  按 Ctrl+C 停止 / Press Ctrl+C to stop.\n${rule}\n`);
  });
}
