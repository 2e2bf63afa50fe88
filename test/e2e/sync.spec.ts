/**
 * The status bar goes from offline to synced: a demo station configured for a central that is
 * not running shows 离线 (with how long, and how near the offline limits); central starts (the
 * embedded one, set up as `npm run central` does), 立即同步 on the sync screen, and the bar says
 * 已同步. Screenshots of the bar and the sync screen in both states, and a manager's view with
 * the offline limits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startEmbeddedCentral, type EmbeddedCentral } from '../../sync/central/server.js';
import { demoCentralPlan, DEMO_STATION_PASSWORD } from '../../sync/setup/demo-plan.js';
import { setupCentral } from '../../sync/setup/setup.js';
import { logIn, shot } from '../support/screens.js';
import { freshDataDir, startStationProcess, type StationProcess } from '../support/station-process.js';

const ADMIN = { username: 'admin', password: 'tongda-e2e' };

let centralDir: string;
let central: EmbeddedCentral | null = null;
let centralPort = 0;
let station: StationProcess;

test.beforeAll(async () => {
  // Set central up once to learn a port and make its users, then stop it: the station starts with central down.
  centralDir = mkdtempSync(join(tmpdir(), 'tongda-e2e-central-'));
  const first = await startEmbeddedCentral({ dataDir: centralDir, port: 0, admin: ADMIN });
  centralPort = first.port;
  await setupCentral(first.url, ADMIN, demoCentralPlan());
  await first.close();

  const dataDir = freshDataDir();
  // The demo's own settings (emulated reader, virtual printer, demo card key), syncing with this central.
  writeFileSync(
    join(dataDir, 'station.json'),
    JSON.stringify({
      demo: true,
      cardKeyHex: '00112233445566778899aabbccddeeff',
      accountNumberRange: { from: 3_499_000_001, to: 3_499_099_999 },
      reader: { kind: 'emulator', path: null, baudRate: 115200 },
      printer: { model: 'escpos', interface: { kind: 'virtual' }, paperColumns: 48, mode: 'text', kickDrawerOnCash: true },
      sync: { centralUrl: `http://127.0.0.1:${centralPort}`, district: 'SHUSHAN', username: 'station-hf-ss-01', password: DEMO_STATION_PASSWORD },
    }),
  );
  station = await startStationProcess(dataDir);
});

test.afterAll(async () => {
  await station.stop();
  await central?.close();
  rmSync(centralDir, { recursive: true, force: true });
});

test('the status bar goes from offline to synced', async ({ page }) => {
  await logIn(page, station.url, '1001');
  const bar = page.getByTestId('sync-status');
  // Central is down: the first round fails at once.
  await expect(bar).toHaveAttribute('data-state', 'offline');
  await expect(page.getByTestId('sync-status-text')).toContainText('离线');
  await expect(page.getByTestId('sync-status-sales')).toContainText('离线售气 ￥0/￥20,000');
  await shot(page, 'sync-01-offline-bar');

  await bar.click();
  await expect(page.getByTestId('sync-screen')).toBeVisible();
  await expect(page.getByTestId('sync-screen-state')).toContainText('离线');
  await expect(page.getByTestId('sync-limits')).toContainText('离线时长');
  await shot(page, 'sync-02-screen-offline');

  central = await startEmbeddedCentral({ dataDir: centralDir, port: centralPort, admin: ADMIN });
  // No waiting for the back-off: the clerk asks.
  await page.getByTestId('sync-now').click();
  await expect(bar).toHaveAttribute('data-state', 'online', { timeout: 20_000 });
  await expect(page.getByTestId('sync-status-text')).toContainText('已同步');
  await expect(page.getByTestId('sync-status-sales')).toHaveCount(0);
  await expect(page.getByTestId('sync-screen-state')).toContainText('已同步');
  await expect(page.getByTestId('sync-pending')).toHaveText('0');
  await shot(page, 'sync-03-screen-synced');
});

test('a manager sees the last error, the number ranges and the offline limits', async ({ page }) => {
  await logIn(page, station.url, '3001');
  await page.getByTestId('sync-status').click();
  await expect(page.getByTestId('sync-screen')).toBeVisible();
  await expect(page.getByTestId('sync-last-error')).toBeVisible();
  await expect(page.getByTestId('sync-range-receipt')).toBeVisible();
  await expect(page.getByTestId('offline-limits')).toBeVisible();
  await expect(page.getByTestId('limits-hours')).toHaveValue('72');
  await page.getByTestId('limits-hours').fill('48');
  await page.getByTestId('limits-save').click();
  await expect(page.getByTestId('limits-saved')).toBeVisible();
  await expect(page.getByTestId('sync-limits')).toContainText('48 小时');
  await shot(page, 'sync-04-screen-manager');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('sync-screen')).toContainText('Offline limits');
  await shot(page, 'sync-05-screen-manager-en');
});
