/**
 * Ownership transfer 过户 at the counter: the clerk types the new owner (a mistyped ID number is
 * caught by its check digit), ticks the documents seen, takes the fee, and the 过户回执 prints;
 * the account shows the new owner at once, marked as waiting for central.
 */
import { expect, test } from '@playwright/test';
import { findDemoAccount } from '../support/demo-accounts.js';
import { logIn, shot } from '../support/screens.js';
import { E2E_DEMO_ACCOUNTS, E2E_DEMO_SEED, E2E_TODAY, freshDataDir, startStationProcess, type StationProcess } from '../support/station-process.js';

let station: StationProcess;
test.beforeAll(async () => {
  station = await startStationProcess(freshDataDir());
});
test.afterAll(async () => {
  await station.stop();
});

test('a clerk transfers an account to a new owner, who shows at once as pending, with a 过户回执', async ({ page }) => {
  const { account } = findDemoAccount({ seed: E2E_DEMO_SEED, count: E2E_DEMO_ACCOUNTS, today: E2E_TODAY, minUnpaid: 0, skip: 7 });
  await logIn(page, station.url, '1001');
  await page.getByTestId('search-input').fill(account.accountNo);
  await expect(page.getByTestId('search-result').first()).toContainText(account.ownerName);
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('account-page')).toBeVisible();

  await page.getByTestId('transfer-button').click();
  await expect(page.getByTestId('transfer-previous')).toContainText(account.ownerName);
  await page.getByTestId('transfer-name').fill('陈建国');
  // One digit mistyped: the check character no longer fits.
  await page.getByTestId('transfer-id').fill('340104197905120034');
  await expect(page.getByTestId('transfer-id-problem')).toHaveAttribute('data-problem', 'check-digit');
  await page.getByTestId('transfer-id').fill('340104197905120033');
  await expect(page.getByTestId('transfer-id-problem')).toHaveCount(0);
  await page.getByTestId('transfer-phone').fill('13905512233');
  await page.getByTestId('transfer-doc-id-card').check();
  await page.getByTestId('transfer-doc-property-deed').check();
  await expect(page.getByTestId('transfer-fee')).toContainText('20.00');
  await shot(page, '40-transfer-dialog');
  await page.getByTestId('transfer-confirm').click();
  await expect(page.getByTestId('transfer-done')).toBeVisible();
  await shot(page, '41-transfer-done');
  await page.getByTestId('transfer-done-close').click();

  await expect(page.getByTestId('transfer-pending-badge')).toBeVisible();
  await expect(page.getByTestId('account-page')).toContainText('陈建国');
  await expect(page.getByTestId('transfer-pending-notice')).toBeVisible();
  await expect(page.getByTestId('history-row').first()).toContainText('过户');
  await expect(page.getByTestId('receipt-preview-text')).toContainText('过户');
  await shot(page, '42-transfer-pending');
});
