/**
 * The hall queue end to end: the demo station is its hall's hub (kiosk, board and counter 1 issued
 * at first start). A customer takes a ticket at the kiosk (printed on the kiosk's printer), the
 * clerk calls it from the counter's queue bar, the board shows it and says 请A001号到1号窗口办理
 * (through an injected speaker), the clerk starts and finishes, and the manager's hall screen has
 * the ticket done. Screenshots of the kiosk, the ticket, the counter bar, the board, the manager's
 * screen and the hall settings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { freePort } from '../support/hall.js';
import { logIn, shot } from '../support/screens.js';
import { freshDataDir, startStationProcess, type StationProcess } from '../support/station-process.js';

let station: StationProcess;
let kioskUrl: string;
let boardUrl: string;

test.beforeAll(async () => {
  const port = await freePort();
  const dataDir = freshDataDir();
  station = await startStationProcess(dataDir, 300, ['--hall-hub', `127.0.0.1:${port}`]);
  const pages = readFileSync(join(dataDir, 'hall-pages.txt'), 'utf8');
  kioskUrl = /kiosk 取号机: (\S+)/.exec(pages)?.[1] ?? '';
  boardUrl = /board 叫号屏: (\S+)/.exec(pages)?.[1] ?? '';
  expect(kioskUrl).toContain('/kiosk#device=tdh1.');
  expect(boardUrl).toContain('/board#device=tdh1.');
});

/** The kiosk, board and other windows: closed after the test, so no page keeps running into the next spec. */
const windows: BrowserContext[] = [];

test.afterEach(async () => {
  await Promise.all(windows.splice(0).map((context) => context.close()));
});

test.afterAll(async () => {
  await station.stop();
});

/** A separate window (a kiosk, a TV) with the suite's screen size, language and time zone. */
async function windowOf(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  windows.push(context);
  return context.newPage();
}

declare global {
  interface Window {
    __spoken?: string[];
  }
}

test('take a ticket at the kiosk, a counter calls it, the board shows and says it, finish', async ({ page, browser }) => {
  const board = await windowOf(browser);
  // The board's speaker, injected before its script runs: what would be said is recorded.
  await board.addInitScript(() => {
    const spoken: string[] = [];
    window.__spoken = spoken;
    Object.assign(window, {
      __tongdaSpeaker: {
        chime: () => {
          spoken.push('chime');
          return Promise.resolve();
        },
        say: (utterance: { text: string }) => {
          spoken.push(utterance.text);
          return Promise.resolve();
        },
      },
    });
  });
  await board.goto(boardUrl);
  await expect(board.locator('.board-waiting li')).toHaveCount(4);

  const kiosk = await windowOf(browser);
  await kiosk.goto(kioskUrl);
  // The credential was taken from the fragment and kept; the address bar no longer shows it.
  await expect.poll(() => kiosk.url()).not.toContain('device=');
  await expect(kiosk.locator('[data-service="A"]')).toBeEnabled();
  await shot(kiosk, 'hall-01-kiosk');
  await kiosk.locator('[data-service="A"]').click();
  await expect(kiosk.locator('.kiosk-result-number')).toHaveText('A001');
  await expect(kiosk.locator('.kiosk-result-print')).toHaveAttribute('data-print', 'printed');
  await shot(kiosk, 'hall-02-kiosk-ticket');

  await logIn(page, station.url, '1001');
  const bar = page.getByTestId('queue-bar');
  await expect(bar).toHaveAttribute('data-connection', 'online');
  await expect(page.getByTestId('queue-waiting')).toHaveAttribute('data-count', '1');
  await page.getByTestId('queue-call-next').click();
  await expect(bar).toHaveAttribute('data-ticket', 'A001');
  await expect(page.getByTestId('queue-call-next')).toBeDisabled();
  await shot(page, 'hall-03-counter-called');

  await expect(board.locator('.board-now-number')).toHaveText('A001');
  await expect(board.locator('[data-counter="1"]')).toHaveText('A001');
  await expect.poll(() => board.evaluate(() => window.__spoken ?? [])).toEqual(['chime', '请A001号到1号窗口办理', '请A001号到1号窗口办理']);
  await shot(board, 'hall-04-board');

  await page.getByTestId('queue-start').click();
  await expect(bar).toHaveAttribute('data-ticket-state', 'serving');
  await page.getByTestId('queue-finish').click();
  await expect(bar).not.toHaveAttribute('data-ticket', 'A001');
  await expect(board.locator('[data-counter="1"]')).toHaveText('空闲');

  const manager = await windowOf(browser);
  await logIn(manager, station.url, '3001');
  await manager.getByTestId('hall-button').click();
  await expect(manager.getByTestId('hall-screen')).toBeVisible();
  const row = manager.getByTestId('hall-ticket-row').filter({ hasText: 'A001' });
  await expect(row).toHaveAttribute('data-state', 'done');
  await shot(manager, 'hall-05-manager');

  const admin = await windowOf(browser);
  await logIn(admin, station.url, '9001');
  await admin.getByTestId('settings-button').click();
  await admin.getByTestId('hall-devices').scrollIntoViewIfNeeded();
  await expect(admin.getByTestId('hall-device-row')).toHaveCount(3);
  await shot(admin, 'hall-06-settings-devices');
});
