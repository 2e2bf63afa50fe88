/**
 * The demo central: every demo district, three SHUSHAN stations (two halls and a van) and the
 * central service, with public demo passwords. `npm run central` sets it up and loads the demo
 * master data the station would otherwise seed for itself.
 */
import { DEMO_DISTRICTS, DEMO_OPERATORS, generateAccounts, generateBills } from '../../core/demo-data/generator.js';
import { CURRENT_SCHEMA_VERSION, docId, type OperatorDoc } from '../../core/schema/documents.js';
import { illustrativeTariffs } from '../../core/tariff/versions.js';
import type { CentralPlan } from './setup.js';
import { demoOperatorSalt, hashOperatorPassword } from './password-hash.js';

export const DEMO_STATION_PASSWORD = 'station-demo';
export const DEMO_CENTRAL_PASSWORD = 'central-demo';
/** As the station's demo seed (electron/station/seed.ts): same seed, same count, so the accounts are the same ones. */
export const DEMO_SEED = 1;
export const DEMO_ACCOUNTS = 5000;

export function demoCentralPlan(): CentralPlan {
  return {
    districts: DEMO_DISTRICTS.map((district) => district.code),
    stations: [
      { stationId: 'HF-SS-01', district: 'SHUSHAN', name: '蜀山营业厅一号窗口', kind: 'hall', receiptPrefix: 'HFSS01', password: DEMO_STATION_PASSWORD },
      { stationId: 'VAN-01', district: 'SHUSHAN', name: '蜀山服务车', kind: 'van', receiptPrefix: 'VAN01', password: DEMO_STATION_PASSWORD },
      { stationId: 'HF-SS-02', district: 'SHUSHAN', name: '蜀山营业厅二号窗口', kind: 'hall', receiptPrefix: 'HFSS02', password: DEMO_STATION_PASSWORD },
    ],
    centralService: { password: DEMO_CENTRAL_PASSWORD },
  };
}

export async function demoOperatorDocs(): Promise<OperatorDoc[]> {
  const docs: OperatorDoc[] = [];
  for (const operator of DEMO_OPERATORS) {
    docs.push({
      _id: docId.operator(operator.staffNo),
      type: 'operator',
      schemaVersion: CURRENT_SCHEMA_VERSION.operator,
      staffNo: operator.staffNo,
      name: operator.name,
      role: operator.role,
      passwordHash: await hashOperatorPassword(operator.password, demoOperatorSalt(operator.staffNo)),
      active: true,
    });
  }
  return docs;
}

/** Tariffs, then each account followed by its bills (loadMasterData needs the account first). */
export function* demoMasterDocs(options: { readonly today: string; readonly accounts?: number; readonly seed?: number }): Generator<object> {
  const seed = options.seed ?? DEMO_SEED;
  yield* illustrativeTariffs();
  for (const account of generateAccounts({ seed, count: options.accounts ?? DEMO_ACCOUNTS, today: options.today })) {
    yield account;
    yield* generateBills(account, { today: options.today, seed });
  }
}
