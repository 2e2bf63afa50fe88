/**
 * Demo master data: generated accounts and bills, the illustrative tariffs and the demo
 * operators. Runs before the station serves anyone, so writing directly (not through the
 * WriteQueue) cannot race another writer.
 */
import { generateAccounts, generateBills } from '../../core/demo-data/generator.js';
import { demoOperatorDocs } from '../../sync/setup/demo-plan.js';
import { illustrativeTariffs } from '../../core/tariff/versions.js';
import type { Database } from './database.js';

export interface SeedOptions {
  readonly accounts: number;
  readonly seed: number;
  readonly today: string;
  /** Bills for post-paid accounts (the 1.2M benchmark set goes without). */
  readonly withBills: boolean;
  readonly batchSize?: number;
  readonly onProgress?: (written: number) => void;
}

async function writeAll(db: Database, docs: readonly object[]): Promise<void> {
  const results = await db.bulkDocs(docs);
  const failed = results.find((result) => 'error' in result && result.error);
  if (failed) throw new Error(`seeding failed: ${JSON.stringify(failed)}`);
}

/** The same directory the demo central serves (sync/setup/demo-plan.ts), document for document. */
export async function seedOperators(db: Database): Promise<void> {
  await writeAll(db, await demoOperatorDocs());
}

export async function seedDemoData(db: Database, options: SeedOptions): Promise<void> {
  await writeAll(db, illustrativeTariffs());
  await seedOperators(db);
  const batchSize = options.batchSize ?? 2000;
  let batch: object[] = [];
  let written = 0;
  for (const account of generateAccounts({ seed: options.seed, count: options.accounts, today: options.today })) {
    batch.push(account);
    if (options.withBills) batch.push(...generateBills(account, { today: options.today, seed: options.seed }));
    written += 1;
    if (batch.length >= batchSize) {
      await writeAll(db, batch);
      batch = [];
      options.onProgress?.(written);
    }
  }
  if (batch.length > 0) await writeAll(db, batch);
  options.onProgress?.(written);
}

export async function isEmpty(db: Database): Promise<boolean> {
  const info = await db.info();
  return info.doc_count === 0;
}
