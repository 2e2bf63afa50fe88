/**
 * Finds accounts in the deterministic demo data for a test to use, from the same generator the
 * station seeds with, so a spec knows an account number without asking the UI.
 */
import { generateAccounts, generateBills } from '../../core/demo-data/generator.js';
import type { AccountDoc, BillDoc } from '../../core/schema/documents.js';

export interface DemoAccountWithBills {
  readonly account: AccountDoc;
  readonly unpaid: readonly BillDoc[];
}

export function findDemoAccount(options: { seed: number; count: number; today: string; minUnpaid: number; skip?: number }): DemoAccountWithBills {
  let skip = options.skip ?? 0;
  for (const account of generateAccounts({ seed: options.seed, count: options.count, today: options.today })) {
    if (account.meterKind !== 'post-paid' || account.status !== 'active' || account.openingCredit !== 0) continue;
    const unpaid = generateBills(account, { today: options.today, seed: options.seed }).filter((bill) => bill.externalPayment === null);
    if (unpaid.length < options.minUnpaid) continue;
    if (skip > 0) {
      skip -= 1;
      continue;
    }
    return { account, unpaid };
  }
  throw new Error('no demo account fits');
}
