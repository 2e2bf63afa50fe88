/**
 * Demo master data: generated accounts and bills, the illustrative tariffs and the demo
 * operators. Runs before the station serves anyone, so writing directly (not through the
 * WriteQueue) cannot race another writer.
 */
import { DEMO_OPERATORS, generateAccounts, generateBills } from '../../core/demo-data/generator.js';
import { CURRENT_SCHEMA_VERSION, docId, type OperatorDoc } from '../../core/schema/documents.js';
import { illustrativeTariffs } from '../../core/tariff/versions.js';
import type { Database } from './database.js';
import { hashPassword } from './passwords.js';

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

export async function seedOperators(db: Database): Promise<void> {
  const docs: OperatorDoc[] = [];
  for (const operator of DEMO_OPERATORS) {
    docs.push({
      _id: docId.operator(operator.staffNo),
      type: 'operator',
      schemaVersion: CURRENT_SCHEMA_VERSION.operator,
      staffNo: operator.staffNo,
      name: operator.name,
      role: operator.role,
      passwordHash: await hashPassword(operator.password),
      active: true,
    });
  }
  await writeAll(db, docs);
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
