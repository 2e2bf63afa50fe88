/**
 * Prepaid top-up through the UI, with the GCR-1 emulator running as its own process on a socat
 * pty (as the demo station runs it), pacing on at 115200 baud: insert a card, top up in at most
 * four clerk actions, the card shows the purchase, use in meter, top up again, the refusal while
 * the meter has not loaded it, and a cancel 冲正 before loading.
 */
import { expect, test } from '@playwright/test';
import { logIn, shot } from '../support/screens.js';
import { freshDataDir, startStationProcess, type StationProcess } from '../support/station-process.js';


let station: StationProcess;
test.beforeAll(async () => {
  station = await startStationProcess(freshDataDir());
});
test.afterAll(async () => {
  await station.stop();
});


test('a clerk tops up a prepaid card, the meter loads it, and a second purchase is cancelled before loading', async ({ page }) => {
  await logIn(page, station.url, '1001');
  await expect(page.getByTestId('reader-status')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('demo-panel')).toBeVisible();

  // The customer's card goes into the reader: the account pops up with the top-up dialog open.
  await page.getByTestId('demo-insert-new').click();
  await expect(page.getByTestId('card-panel')).toBeVisible();
  await expect(page.getByTestId('topup-amount')).toBeFocused();
  await shot(page, '20-card-inserted');

  let actions = 0;
  const type = async (text: string) => {
    actions += 1;
    await page.keyboard.type(text);
  };
  const press = async (key: string) => {
    actions += 1;
    await page.keyboard.press(key);
  };
  await type('100');
  await press('Enter');
  await expect(page.getByTestId('topup-quote')).toBeVisible();
  await expect(page.getByTestId('topup-quote')).toContainText('35.71');
  await shot(page, '21-topup-quote');
  await press('Enter');
  await expect(page.getByTestId('topup-done')).toBeVisible({ timeout: 15_000 });
  await shot(page, '22-topup-done');
  await press('Enter');
  await expect(page.getByTestId('topup-dialog')).toBeHidden();
  expect(actions).toBeLessThanOrEqual(4);
  // The receipt, printed once the card held the gas, with its tier breakdown and sequence.
  const receipt = page.getByTestId('receipt-preview-text');
  await expect(receipt).toContainText('购气收据');
  await expect(receipt).toContainText('35.71');
  await expect(receipt).toContainText('购气序号');
  await expect(page.getByTestId('receipt-preview-image')).toBeVisible();

  // The card now holds the purchase, not yet in the meter: no second sale.
  await expect(page.getByTestId('card-loaded')).toHaveAttribute('data-loaded', 'not-loaded');
  await expect(page.getByTestId('card-refusal')).toHaveAttribute('data-refusal', 'unloaded-purchase');
  await expect(page.getByTestId('history-row').first()).toContainText('购气');
  await shot(page, '23-card-not-loaded');

  // The customer takes the card home: the meter loads it, and it can buy again.
  await page.getByTestId('demo-use-in-meter').click();
  await expect(page.getByTestId('card-loaded')).toHaveAttribute('data-loaded', 'loaded');
  await expect(page.getByTestId('card-refusal')).toHaveAttribute('data-refusal', '');
  await expect(page.getByTestId('topup-amount')).toBeFocused();
  await page.keyboard.type('50');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-quote')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-done')).toBeVisible({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('history-row').filter({ hasText: '购气' })).toHaveCount(2);

  // Cancel the second purchase before the meter loads it: a supervisor approves, the card gets a cancel record.
  await page.getByTestId('topup-cancel-button').first().click();
  await expect(page.getByTestId('topup-cancel-dialog')).toBeVisible();
  await page.getByTestId('topup-cancel-reason').fill('客户改为下次购气');
  await page.getByTestId('topup-cancel-staff').fill('2001');
  await page.getByTestId('topup-cancel-password').fill('123456');
  await page.getByTestId('topup-cancel-confirm').click();
  await expect(page.getByTestId('topup-cancel-done')).toBeVisible({ timeout: 15_000 });
  await shot(page, '24-topup-cancelled');
  await page.getByTestId('topup-cancel-done-close').click();
  await expect(page.getByTestId('history-table')).toContainText('冲正');
  await expect(page.getByTestId('card-refusal')).toHaveAttribute('data-refusal', '');
  // A cancel record the meter has not loaded is not 卡上有气: a new purchase may be made at once.
  await expect(page.getByTestId('card-loaded')).toHaveAttribute('data-cancel', 'true');
  await expect(page.getByTestId('card-loaded')).toContainText('取消记录');
  await expect(page.getByTestId('card-loaded')).toContainText('可购气');
  await expect(page.getByTestId('card-loaded')).not.toContainText('不能购气');
  await shot(page, '26-cancel-record');
});

test('cards that must be refused say why in Chinese', async ({ page }) => {
  await logIn(page, station.url, '1002');
  await expect(page.getByTestId('demo-panel')).toBeVisible();
  const cases: [string, string, string][] = [
    ['unloaded', 'unloaded-purchase', '未入表'],
    ['locked', 'card-locked', '锁'],
    ['foreign', 'foreign-utility', '非本公司'],
    ['inspection', 'inspection-failed', '安检'],
  ];
  for (const [card, refusal, words] of cases) {
    await page.getByTestId(`demo-insert-${card}`).click();
    await expect(page.getByTestId('card-refusal')).toHaveAttribute('data-refusal', refusal);
    await expect(page.getByTestId('card-refusal')).toContainText(words);
  }
  await shot(page, '25-card-refused');
});
