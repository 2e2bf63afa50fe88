/**
 * The desktop app itself. Needs Electron's binary, which the development machines and CI here
 * cannot download (node_modules/electron/path.txt is written only after a download), so the
 * test skips there and says so in its name; everything it checks beyond the window's security
 * runs through the station host in the other specs.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { E2E_NOW, freshDataDir } from '../support/station-process.js';

const hasElectronBinary = existsSync(resolve('node_modules/electron/path.txt'));
const title = hasElectronBinary
  ? 'Electron: sandboxed window, no Node in the page, navigation blocked, login over IPC'
  : 'Electron: sandboxed window, no Node in the page, navigation blocked, login over IPC (skipped: needs the Electron binary, which cannot be downloaded here)';

test(title, async () => {
  test.skip(!hasElectronBinary, 'the Electron binary is not installed');
  const app = await electron.launch({
    args: [resolve('dist/electron/main.mjs'), '--data', freshDataDir(), '--demo', '--demo-accounts', '500'],
    env: { ...process.env, TONGDA_FAKE_NOW: E2E_NOW },
  });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('login-staff')).toBeVisible();
    const exposed = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((globalThis as { tongdaBridge?: object }).tongdaBridge ?? {}).sort(),
    }));
    expect(exposed).toEqual({ require: 'undefined', process: 'undefined', bridge: ['onEvent', 'request'] });
    const before = page.url();
    await page.evaluate(() => {
      globalThis.location.href = 'https://example.invalid/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    await page.getByTestId('login-staff').fill('1001');
    await page.getByTestId('login-password').fill('123456');
    await page.getByTestId('login-password').press('Enter');
    await expect(page.getByTestId('status-operator')).toContainText('1001');
  } finally {
    await app.close();
  }
});
