/**
 * A confirmed payment survives the station being killed (SIGKILL, no shutdown) right after the
 * clerk saw it done: the restarted station still has it in the account's history.
 */
import { expect, test } from '@playwright/test';
import { logIn, shot, expectKeysInDialog } from '../support/screens.js';
import { findDemoAccount } from '../support/demo-accounts.js';
import { E2E_DEMO_ACCOUNTS, E2E_DEMO_SEED, E2E_TODAY, freshDataDir, startStationProcess } from '../support/station-process.js';

test('a payment confirmed just before the station is killed is there after restart', async ({ page }) => {
  const dataDir = freshDataDir();
  const { account } = findDemoAccount({ seed: E2E_DEMO_SEED, count: E2E_DEMO_ACCOUNTS, today: E2E_TODAY, minUnpaid: 1, skip: 3 });
  let station = await startStationProcess(dataDir);
  // Whatever fails, no station is left running behind the test.
  try {
    await logIn(page, station.url, '1001');
    await page.getByTestId('search-input').fill(account.accountNo);
    await expect(page.getByTestId('search-result').first()).toContainText(account.ownerName);
    await page.getByTestId('search-input').press('Enter');
    // F4 at once, as a quick clerk does, even before the account has finished loading.
    await expect(page.getByTestId('account-page')).toBeVisible();
    await page.keyboard.press('F4');
    await expect(page.getByTestId('pay-confirm')).toBeEnabled();
    await expectKeysInDialog(page);
    await expect(page.getByTestId('pay-due')).toContainText('￥');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('pay-done')).toBeVisible();
    const doneText = await page.getByTestId('pay-done').innerText();

    await station.kill();
    station = await startStationProcess(dataDir);
    await logIn(page, station.url, '1001');
    await page.getByTestId('search-input').fill(account.accountNo);
    await expect(page.getByTestId('search-result').first()).toBeVisible();
    await page.getByTestId('search-input').press('Enter');
    await expect(page.getByTestId('history-row')).toHaveCount(1);
    await expect(page.getByTestId('history-row').first()).toContainText('缴费');
    expect(doneText).toContain('￥');
    await shot(page, '12-after-power-cut');
  } finally {
    await station.stop();
  }
});
