/** What every e2e spec does with the page: log in, and save a screenshot that must not overflow. */
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

const SCREENS = 'test-results/screens';

/** Saves `test-results/screens/<name>.png` at the window size and checks the page never scrolls sideways. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: `${SCREENS}/${name}.png` });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} overflows horizontally`).toBeLessThanOrEqual(0);
}

export async function logIn(page: Page, url: string, staffNo: string, password = '123456'): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('login-staff')).toBeVisible();
  await page.getByTestId('login-staff').fill(staffNo);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-password').press('Enter');
  await expect(page.getByTestId('status-operator')).toContainText(staffNo);
}

/**
 * Waits until the keyboard is in the open modal (the dialog took focus): a key pressed a moment
 * earlier, while focus was still moving from the page, would go to the page instead. A dialog that
 * never takes focus fails here.
 */
export async function expectKeysInDialog(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[aria-modal="true"]') != null)).toBe(true);
}
