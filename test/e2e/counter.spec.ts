/**
 * The whole counter loop in Debian's Chromium through the station host: login, search, the
 * account page, a bill payment in exact cash (clerk actions counted), the history, a reversal
 * approved by a second supervisor, the idle lock, and the English switch. Saves a screenshot of
 * every screen at 1366×768 into test-results/screens/.
 */
import { expect, test, type Page } from '@playwright/test';
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


function login(page: Page, staffNo: string, password = '123456'): Promise<void> {
  return logIn(page, station.url, staffNo, password);
}

test('a clerk serves a walk-in customer: search, pay in 3 actions, history, reversal', async ({ page }) => {
  const { account, unpaid } = findDemoAccount({ seed: E2E_DEMO_SEED, count: E2E_DEMO_ACCOUNTS, today: E2E_TODAY, minUnpaid: 2 });

  await page.goto(station.url);
  await expect(page.getByTestId('login-staff')).toBeVisible();
  await expect(page.locator('body')).toContainText('登录');
  await expect(page.getByTestId('login-demo')).toBeVisible();
  await shot(page, '01-login');

  const wrong = page.getByTestId('login-password');
  await page.getByTestId('login-staff').fill('1001');
  await wrong.fill('000000');
  await wrong.press('Enter');
  await expect(page.getByTestId('error-banner')).toBeVisible();
  await shot(page, '02-login-failed');

  await login(page, '1001');
  await expect(page.getByTestId('status-operator')).toContainText('李娜');
  // The status bar shows the station's clock (frozen for the tests at 10:00 in Shanghai).
  await expect(page.getByTestId('status-clock')).toContainText('2026-11-21 10:0');
  await expect(page.locator('[data-screen="search"]')).toBeVisible();

  // Search as you type: a one-character surname matches many; the total is shown.
  await page.getByTestId('search-input').fill('王');
  await expect(page.getByTestId('search-result').first()).toBeVisible();
  await expect(page.getByTestId('search-total')).toContainText(/\d/);
  await shot(page, '03-search-surname');

  await page.getByTestId('search-input').fill(account.accountNo);
  await expect(page.getByTestId('search-result').first()).toContainText(account.ownerName);
  await page.getByTestId('search-input').press('Enter');
  await expect(page.getByTestId('account-page')).toBeVisible();
  await expect(page.getByTestId('account-owner')).toContainText(account.ownerName);
  await expect(page.getByTestId('bill-row')).toHaveCount(await page.getByTestId('bill-row').count());
  await shot(page, '04-account');

  // Once the account is open: exact cash in at most three clerk actions.
  let actions = 0;
  const act = async (key: string) => {
    actions += 1;
    await page.keyboard.press(key);
  };
  await act('F4');
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  await expect(page.getByTestId('pay-confirm')).toBeEnabled();
  await expectKeysInDialog(page);
  await expect(page.getByTestId('pay-due')).toContainText('￥');
  await shot(page, '05-payment');
  await act('Enter');
  await expect(page.getByTestId('pay-done')).toBeVisible();
  await shot(page, '06-payment-done');
  await act('Enter');
  await expect(page.getByTestId('pay-dialog')).toBeHidden();
  expect(actions).toBeLessThanOrEqual(3);

  // Printing is on (the demo's virtual printer): the receipt comes out beside the counter.
  await expect(page.getByTestId('receipt-preview-image')).toBeVisible();
  const receipt = page.getByTestId('receipt-preview-text');
  await expect(receipt).toContainText('缴费收据');
  await expect(receipt).toContainText(account.accountNo);
  await expect(receipt).toContainText('HFSS01-00000001');
  await expect(receipt).toContainText('￥');
  await expect(receipt).not.toContainText(account.idNumber);

  // The history shows the payment at once and no bill is left unpaid.
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('history-row').first()).toContainText('缴费');
  for (const bill of unpaid) await expect(page.getByTestId('bills-table')).toContainText(bill.period);
  await shot(page, '07-history');

  // Reversal 冲正: the clerk cannot approve their own entry; supervisor 2001 can.
  await page.getByTestId('reverse-button').first().click();
  await expect(page.getByTestId('reverse-dialog')).toBeVisible();
  await page.getByTestId('reverse-reason').fill('客户要求退款，金额有误');
  await page.getByTestId('reverse-staff').fill('1001');
  await page.getByTestId('reverse-password').fill('123456');
  await page.getByTestId('reverse-confirm').click();
  await expect(page.getByTestId('reverse-dialog').getByTestId('error-banner')).toBeVisible();
  await shot(page, '08-reversal-refused');
  await page.getByTestId('reverse-staff').fill('2001');
  await page.getByTestId('reverse-password').fill('123456');
  await page.getByTestId('reverse-confirm').click();
  await expect(page.getByTestId('reverse-done')).toBeVisible();
  await page.getByTestId('reverse-done-close').click();
  await expect(page.getByTestId('reverse-dialog')).toBeHidden();
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await expect(page.getByTestId('history-row').first()).toContainText('冲正');
  await expect(page.getByTestId('history-table')).toContainText('已冲正');
  await shot(page, '09-reversed');
});

test('the screen locks and unlocks; English can be switched on', async ({ page }) => {
  await login(page, '1002');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('search-input')).toHaveAttribute('placeholder', /Account|account/);
  await shot(page, '10-search-english');
  await page.getByTestId('lang-switch').click();

  await page.getByTestId('lock-button').click();
  await expect(page.getByTestId('lock-screen')).toBeVisible();
  await shot(page, '11-locked');
  await page.getByTestId('unlock-password').fill('123456');
  await page.getByTestId('unlock-password').press('Enter');
  await expect(page.getByTestId('lock-screen')).toBeHidden();
  await expect(page.locator('[data-screen="search"]')).toBeVisible();
});

test('the screen locks itself after the idle time', async ({ page }) => {
  await page.clock.install();
  await login(page, '1001');
  await page.getByTestId('search-input').fill('李');
  await expect(page.getByTestId('search-result').first()).toBeVisible();
  // Five minutes without a key or a click (the station's idleLockSeconds is 300).
  await page.clock.fastForward('05:01');
  await expect(page.getByTestId('lock-screen')).toBeVisible();
  // The customer data underneath is covered and out of reach of keyboard and screen readers.
  await expect(page.locator('.app__main')).toHaveAttribute('inert', '');
  await shot(page, '13-idle-locked');
  await page.getByTestId('unlock-password').fill('123456');
  await page.getByTestId('unlock-password').press('Enter');
  await expect(page.getByTestId('lock-screen')).toBeHidden();
});
