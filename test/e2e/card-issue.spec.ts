/**
 * 开户, 发卡 and 补卡 through the UI, with the GCR-1 emulator as its own process (as the demo
 * station runs it): open an account from the search screen (the ID number checked as it is
 * typed), issue its card on the demo blank card, top up on the new card; and replace the card of
 * an account that has one (a supervisor approves), the last purchase carried onto the new card,
 * the old card refused.
 *
 * The demo deck has one blank card per station run (once issued, 空白卡 inserts the issued card),
 * so each test starts its own station.
 */
import { expect, test, type Page } from '@playwright/test';
import { logIn, shot } from '../support/screens.js';
import { freshDataDir, startStationProcess, type StationProcess } from '../support/station-process.js';


let station: StationProcess;
test.beforeEach(async () => {
  station = await startStationProcess(freshDataDir());
});
test.afterEach(async () => {
  await station.stop();
});


async function login(page: Page, staffNo: string): Promise<void> {
  await logIn(page, station.url, staffNo);
  await expect(page.getByTestId('reader-status')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('demo-panel')).toBeVisible();
}

test('a clerk opens a prepaid account, issues its card on a blank card and tops up on it', async ({ page }) => {
  await login(page, '1001');

  // 开户 (F7): the ID number is checked as it is typed.
  await expect(page.getByTestId('open-account-button')).toBeVisible();
  await page.keyboard.press('F7');
  await expect(page.getByTestId('open-account-dialog')).toBeVisible();
  await expect(page.getByTestId('open-owner')).toBeFocused();
  await page.keyboard.type('欧阳开户');
  await page.keyboard.press('Tab');
  await page.keyboard.type('340104199003070014');
  await expect(page.getByTestId('open-id-problem')).toContainText('校验位错误');
  await expect(page.getByTestId('open-id-problem')).toHaveAttribute('data-problem', 'check-digit');
  await shot(page, '30-open-account-id-problem');
  await page.getByTestId('open-id').fill('340104199003070013');
  await expect(page.getByTestId('open-id-problem')).toHaveCount(0);
  await page.getByTestId('open-phone').fill('13955123456');
  await page.getByTestId('open-district').selectOption('SHUSHAN');
  await page.getByTestId('open-address').fill('合肥市蜀山区黄山路56号3栋1单元502室');
  await expect(page.getByTestId('open-tariff')).toHaveValue('RES-GAS');
  // A prepaid meter number is 12 digits: refused here before anything is sent.
  await page.getByTestId('open-meter').fill('98001234');
  await page.getByTestId('open-submit').click();
  await expect(page.getByTestId('open-meter')).toBeFocused();
  await expect(page.getByTestId('open-meter')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('open-meter').fill('980012345678');
  await shot(page, '30-open-account');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('open-result')).toBeVisible();
  const accountNo = (await page.getByTestId('open-result').getAttribute('data-account-no')) ?? '';
  expect(accountNo).toMatch(/^\d{10}$/);
  await expect(page.getByTestId('open-result')).toContainText(accountNo);
  // The demo range is large: no warning.
  await expect(page.getByTestId('open-range-warning')).toHaveCount(0);
  await shot(page, '31-open-account-result');

  // Enter opens the new account's page: a prepaid account without a card offers 发卡.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('account-page')).toHaveAttribute('data-account-no', accountNo);
  await expect(page.getByTestId('account-owner')).toHaveText('欧阳开户');
  await expect(page.getByTestId('issue-card-button')).toBeVisible();
  await expect(page.getByTestId('replace-card-button')).toHaveCount(0);

  // The blank card goes in: the clerk stays on the account page, told the card is blank.
  await page.getByTestId('demo-insert-blank').click();
  await expect(page.getByTestId('blank-card-notice')).toBeVisible();
  await expect(page.getByTestId('account-page')).toHaveAttribute('data-account-no', accountNo);
  await shot(page, '32-blank-card-in');

  await page.keyboard.press('F8');
  await expect(page.getByTestId('issue-card-dialog')).toBeVisible();
  await expect(page.getByTestId('issue-blank')).toHaveAttribute('data-state', 'blank');
  await shot(page, '33-issue-card');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('issue-card-result')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('issue-card-result')).toHaveAttribute('data-generation', '0');
  const serial = (await page.getByTestId('issue-card-result').getAttribute('data-serial')) ?? '';
  expect(serial).toMatch(/^[0-9A-F]{16}$/);
  await shot(page, '34-issue-card-result');

  // Closing it, the new card is this account's card and may buy: 购气 opens by itself.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('card-panel')).toHaveAttribute('data-serial', serial);
  await expect(page.locator('[data-testid="history-row"][data-kind="card-issue"]')).toContainText('发卡');
  await expect(page.getByTestId('history-card')).toHaveAttribute('data-serial', serial);
  await expect(page.getByTestId('replace-card-button')).toBeVisible();
  await expect(page.getByTestId('topup-amount')).toBeFocused();
  await page.keyboard.type('100');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-quote')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-done')).toBeVisible({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-dialog')).toBeHidden();
  await expect(page.getByTestId('card-loaded')).toHaveAttribute('data-loaded', 'not-loaded');
  await expect(page.locator('[data-testid="history-row"][data-kind="top-up"]')).toHaveCount(1);
  await shot(page, '35-issued-card-topped-up');

  // The account is found by its new card's number.
  await page.keyboard.press('F2');
  await page.getByTestId('search-input').fill(serial);
  await expect(page.getByTestId('search-result').first()).toHaveAttribute('data-account-no', accountNo);
});

test('a supervisor approves a replacement card: the last purchase is carried, the old card refused', async ({ page }) => {
  await login(page, '1001');

  // The 已入表 card: buy once (its record is the one a replacement carries).
  await page.getByTestId('demo-insert-loaded').click();
  await expect(page.getByTestId('topup-amount')).toBeFocused();
  const accountNo = (await page.getByTestId('account-page').getAttribute('data-account-no')) ?? '';
  const oldSerial = (await page.getByTestId('card-panel').getAttribute('data-serial')) ?? '';
  await page.keyboard.type('50');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-quote')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-done')).toBeVisible({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-dialog')).toBeHidden();
  await expect(page.getByTestId('issue-card-button')).toHaveCount(0);

  // The customer lost the card: a blank card goes in, 补卡.
  await page.getByTestId('demo-insert-blank').click();
  await expect(page.getByTestId('blank-card-notice')).toBeVisible();
  await expect(page.getByTestId('account-page')).toHaveAttribute('data-account-no', accountNo);
  await page.getByTestId('replace-card-button').click();
  await expect(page.getByTestId('replace-card-dialog')).toBeVisible();
  await expect(page.getByTestId('replace-card-dialog')).toContainText('掉气补气');
  await expect(page.getByTestId('replace-card-dialog')).toContainText(oldSerial);
  await expect(page.getByTestId('replace-reason')).toBeFocused();
  await page.keyboard.type('卡丢失');

  // The clerk cannot approve their own replacement.
  await page.getByTestId('replace-staff').fill('1001');
  await page.getByTestId('replace-password').fill('123456');
  await page.getByTestId('replace-confirm').click();
  await expect(page.getByTestId('error-banner')).toHaveAttribute('data-code', 'APPROVER_IS_MAKER');
  await expect(page.getByTestId('replace-staff')).toBeFocused();
  await page.keyboard.type('2001');
  await page.getByTestId('replace-password').fill('123456');
  await shot(page, '36-replace-card');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('replace-result')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('replace-result')).toHaveAttribute('data-generation', '1');
  await expect(page.getByTestId('replace-carried')).toContainText('掉气补气');
  await expect(page.getByTestId('replace-result')).toContainText(oldSerial);
  const newSerial = (await page.getByTestId('replace-result').getAttribute('data-serial')) ?? '';
  expect(newSerial).not.toBe(oldSerial);
  await shot(page, '37-replace-card-result');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('replace-card-dialog')).toBeHidden();

  // The new card carries the purchase the meter has not loaded: it goes to the meter first.
  await expect(page.getByTestId('card-panel')).toHaveAttribute('data-serial', newSerial);
  await expect(page.getByTestId('card-refusal')).toHaveAttribute('data-refusal', 'unloaded-purchase');
  const replacementRow = page.locator('[data-testid="history-row"][data-kind="card-issue"]');
  await expect(replacementRow).toContainText('补卡');
  await expect(replacementRow).toContainText('卡丢失');
  await expect(replacementRow.getByTestId('history-card')).toHaveAttribute('data-serial', newSerial);
  await shot(page, '38-replaced-card');

  // Carried through the meter: the meter adopts the new generation and loads the carried
  // purchase (it never loaded it), and the new card can buy again.
  await page.getByTestId('demo-use-in-meter').click();
  await expect(page.getByTestId('card-loaded')).toHaveAttribute('data-loaded', 'loaded');
  await expect(page.getByTestId('card-refusal')).toHaveAttribute('data-refusal', '');
  await expect(page.getByTestId('topup-amount')).toBeFocused();
  await page.keyboard.type('20');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-quote')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('topup-done')).toBeVisible({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('history-row').filter({ hasText: '购气' })).toHaveCount(2);

  // The old card turns up again: refused as a stale generation.
  await page.getByTestId('demo-insert-loaded').click();
  await expect(page.getByTestId('card-panel')).toHaveAttribute('data-serial', oldSerial);
  await expect(page.getByTestId('card-refusal')).toHaveAttribute('data-refusal', 'stale-generation');
  await shot(page, '39-old-card-refused');
});
