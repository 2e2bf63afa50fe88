/**
 * Receipts at the counter with the demo's virtual printer: paper runs out, the clerk still takes
 * a payment in 3 keys, is told which receipt waits, and it prints once paper is in; a reprint from
 * the receipts tab says 重打; a manager sees and test-prints the printer settings.
 */
import { expect, test } from '@playwright/test';
import { findDemoAccount } from '../support/demo-accounts.js';
import { logIn, shot, expectKeysInDialog } from '../support/screens.js';
import { E2E_DEMO_ACCOUNTS, E2E_DEMO_SEED, E2E_TODAY, freshDataDir, startStationProcess, type StationProcess } from '../support/station-process.js';

let station: StationProcess;
test.beforeAll(async () => {
  station = await startStationProcess(freshDataDir());
});
test.afterAll(async () => {
  await station.stop();
});

test('paper runs out: the sale goes on in 3 keys, the receipt waits and prints once paper is in; then a reprint', async ({ page }) => {
  const { account } = findDemoAccount({ seed: E2E_DEMO_SEED, count: E2E_DEMO_ACCOUNTS, today: E2E_TODAY, minUnpaid: 1, skip: 3 });
  await logIn(page, station.url, '1001');
  await expect(page.getByTestId('printer-status')).toHaveAttribute('data-state', 'idle');
  await page.getByTestId('demo-printer-paper-out').click();

  await page.getByTestId('search-input').fill(account.accountNo);
  await expect(page.getByTestId('search-result').first()).toContainText(account.ownerName);
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('account-page')).toBeVisible();

  let actions = 0;
  const act = async (key: string) => {
    actions += 1;
    await page.keyboard.press(key);
  };
  await act('F4');
  await expect(page.getByTestId('pay-confirm')).toBeEnabled();
  await expectKeysInDialog(page);
  await act('Enter');
  await expect(page.getByTestId('pay-done')).toBeVisible();
  await act('Enter');
  await expect(page.getByTestId('pay-dialog')).toBeHidden();
  expect(actions).toBeLessThanOrEqual(3);

  // The payment is in the history; the receipt waits, and the clerk is told so without a modal.
  await expect(page.getByTestId('history-row').first()).toContainText('缴费');
  const banner = page.getByTestId('printer-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toHaveAttribute('data-problem', 'paper-out');
  await expect(banner).toContainText('缺纸');
  await expect(banner).toHaveAttribute('data-receipt-no', 'HFSS01-00000001');
  await expect(page.getByTestId('printer-status')).toHaveAttribute('data-state', 'blocked');
  await shot(page, '30-printer-paper-out');

  // Paper in: the queue goes on by itself, and the receipt comes out once.
  await page.getByTestId('demo-printer-ok').click();
  await expect(banner).toBeHidden({ timeout: 10_000 });
  await expect(page.getByTestId('printer-status')).toHaveAttribute('data-state', 'idle');
  await expect(page.getByTestId('receipt-preview-text')).toContainText('HFSS01-00000001');
  await expect(page.getByTestId('receipt-preview-text')).toContainText('缴费收据');
  await shot(page, '31-receipt-printed-after-paper');

  // The receipts tab: printed, and a reprint says 重打 and its count.
  await page.getByTestId('account-tab-receipts').click();
  const row = page.getByTestId('receipt-row').first();
  await expect(row).toHaveAttribute('data-receipt-no', 'HFSS01-00000001');
  await expect(row).toHaveAttribute('data-print', 'printed');
  await row.getByTestId('receipt-reprint').click();
  await expect(page.getByTestId('receipt-preview-text')).toContainText('重打（第1次）');
  await expect(row).toHaveAttribute('data-reprints', '1');
  await shot(page, '32-receipts-reprinted');
});

test('a manager sets the printer up and prints a test page; a raster receipt previews as an image', async ({ page }) => {
  await logIn(page, station.url, '3001');
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('printer-settings')).toBeVisible();
  await expect(page.getByTestId('printer-current')).toHaveAttribute('data-kind', 'virtual');
  await page.getByTestId('printer-test').click();
  await expect(page.getByTestId('printer-test-result')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('receipt-preview-text')).toContainText('打印测试');
  await shot(page, '33-printer-settings');

  await page.getByTestId('printer-mode').selectOption('raster');
  await page.getByTestId('printer-paper').selectOption('32');
  await page.getByTestId('printer-save').click();
  await expect(page.getByTestId('printer-saved')).toBeVisible();
  const before = Number(await page.getByTestId('receipt-preview-image').getAttribute('data-job-no'));
  await page.getByTestId('printer-test').click();
  // A raster job carries no text to decode: the preview is the picture alone.
  await expect(page.getByTestId('receipt-preview-image')).toHaveAttribute('data-job-no', String(before + 1));
  await expect(page.getByTestId('printer-test-result')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('receipt-preview-text')).not.toContainText('打印测试');
  await shot(page, '34-printer-raster-test');
});
