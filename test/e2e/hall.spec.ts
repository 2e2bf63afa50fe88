/**
 * The hall queue end to end: the demo station is its hall's hub (kiosk, board and counter 1 issued
 * at first start). A customer takes a ticket at the kiosk (printed on the kiosk's printer), the
 * clerk calls it from the counter's queue bar, the board shows it and says 请A001号到1号窗口办理
 * (through an injected speaker), the clerk starts and finishes, and the manager's hall screen has
 * the ticket done. Screenshots of the kiosk, the ticket, the counter bar, the board, the manager's
 * screen and the hall settings.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
  await kiosk.getByRole('button', { name: '好的' }).click();

  // A priority ticket for 充值, transferred by the clerk to counter 3.
  await expect(kiosk.locator('.kiosk-result')).toHaveCount(0);
  await kiosk.getByRole('button', { name: '老年人' }).click();
  await expect(kiosk.getByRole('button', { name: '老年人' })).toHaveAttribute('aria-pressed', 'true');
  await kiosk.locator('[data-service="B"]').click();
  await expect(kiosk.locator('.kiosk-result-number')).toHaveText('B001');
  await page.getByTestId('queue-call-next').click();
  await expect(bar).toHaveAttribute('data-ticket', 'B001');
  await page.getByTestId('queue-transfer').click();
  await page.getByTestId('queue-transfer-kind-counter').click();
  await page.getByTestId('queue-transfer-counter').fill('3');
  await shot(page, 'hall-05-transfer');
  await page.getByTestId('queue-transfer-submit').click();
  await expect(page.getByTestId('queue-transfer-dialog')).toBeHidden();
  await expect(bar).not.toHaveAttribute('data-ticket', 'B001');

  const manager = await windowOf(browser);
  await logIn(manager, station.url, '3001');
  await manager.getByTestId('hall-button').click();
  await expect(manager.getByTestId('hall-screen')).toBeVisible();
  const row = manager.getByTestId('hall-ticket-row').filter({ hasText: 'A001' });
  await expect(row).toHaveAttribute('data-state', 'done');
  await expect(manager.getByTestId('hall-ticket-row').filter({ hasText: 'B001' })).toHaveAttribute('data-state', 'waiting');
  await shot(manager, 'hall-06-manager');
  await manager.getByTestId('lang-switch').click();
  await expect(manager.getByTestId('hall-screen')).toContainText('Waiting now');
  await shot(manager, 'hall-07-manager-en');
  await board.locator('.hall-lang').click();
  await expect(board.locator('.board-recent')).toContainText('Counter');
  await shot(board, 'hall-08-board-en');

  const admin = await windowOf(browser);
  await logIn(admin, station.url, '9001');
  await admin.getByTestId('settings-button').click();
  await admin.getByTestId('hall-devices').scrollIntoViewIfNeeded();
  await expect(admin.getByTestId('hall-device-row')).toHaveCount(3);
  await shot(admin, 'hall-09-settings-devices');
});

test('a counter whose hub cannot be reached says so and still serves walk-ins', async ({ page }) => {
  const dataDir = freshDataDir();
  const nobody = await freePort();
  // A counter of a hall whose hub is not running: the credential is well-formed, nobody answers.
  writeFileSync(
    join(dataDir, 'station.json'),
    JSON.stringify({
      // The demo's own reader, card key and printer, as a demo station has them.
      demo: true,
      cardKeyHex: '00112233445566778899aabbccddeeff',
      reader: { kind: 'emulator', path: null, baudRate: 115200 },
      printer: { model: 'escpos', interface: { kind: 'virtual' }, paperColumns: 48, mode: 'text', kickDrawerOnCash: true },
      stationId: 'HF-SS-02',
      receiptNumbers: { prefix: 'HFSS02', from: 1, to: 99_999_999 },
      hall: { hub: { enabled: false, bindAddress: '0.0.0.0', port: 7700 }, counter: { hubUrl: `http://127.0.0.1:${nobody}`, credential: `tdh1.abcdef012345.${'x'.repeat(43)}` } },
    }),
  );
  const counter = await startStationProcess(dataDir, 300);
  try {
    await logIn(page, counter.url, '1002');
    const bar = page.getByTestId('queue-bar');
    await expect(bar).toHaveAttribute('data-connection', 'unreachable');
    await expect(page.getByTestId('queue-connection')).toContainText('可继续办理无号业务');
    await expect(page.getByTestId('queue-call-next')).toBeDisabled();
    // The counter still works: search is there as ever.
    await expect(page.getByTestId('search-input')).toBeEditable();
    await shot(page, 'hall-10-counter-hub-unreachable');
  } finally {
    await counter.stop();
  }
});
