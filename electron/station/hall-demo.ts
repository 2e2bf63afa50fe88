/**
 * The demo hall: a demo station that is its hall's hub gets, on its first start, counter 1 for
 * itself, a kiosk (printing on a virtual printer) and a display board, and writes the kiosk and
 * board addresses to `<dataDir>/hall-pages.txt` (a credential is shown once: the file is the
 * demo's way of keeping it). A real hall's admin issues devices in the settings.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StationConfig } from './config.js';
import type { HallStation } from './hall-station.js';

const PAGES_FILE = 'hall-pages.txt';

export async function bootstrapDemoHall(hall: HallStation, config: StationConfig, dataDir: string, log: { info(message: string): void }): Promise<void> {
  const hub = hall.hub();
  if (hub === null) return;
  const pagesPath = join(dataDir, PAGES_FILE);
  if (hub.registry.list().length > 0) {
    if (existsSync(pagesPath)) log.info(`取号机与叫号屏 / kiosk and board:\n${readFileSync(pagesPath, 'utf8').trim()}`);
    return;
  }
  const issuedBy = 'demo';
  const counter = await hub.registry.issue({ kind: 'counter', name: '1号窗口', counterNo: 1, printer: null, issuedBy });
  const kiosk = await hub.registry.issue({
    kind: 'kiosk',
    name: '大厅取号机',
    counterNo: null,
    printer: { model: 'escpos', interface: { kind: 'virtual' }, paperColumns: 32, mode: 'text', kickDrawerOnCash: false },
    issuedBy,
  });
  const board = await hub.registry.issue({ kind: 'board', name: '大厅叫号屏', counterNo: null, printer: null, issuedBy });
  const loopback = `http://127.0.0.1:${hub.server.port}`;
  const pages = [`kiosk 取号机: ${loopback}/kiosk#device=${kiosk.credential}`, `board 叫号屏: ${loopback}/board#device=${board.credential}`].join('\n');
  writeFileSync(pagesPath, `${pages}\n`);
  log.info(`取号机与叫号屏 / kiosk and board:\n${pages}`);
  if (config.hall.counter === null) {
    await hall.configure({ hub: { ...config.hall.hub }, counter: { hubUrl: loopback, credential: counter.credential } });
  }
}
