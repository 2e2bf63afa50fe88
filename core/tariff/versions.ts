/**
 * Tariff versions: which price list is in force on a date, and the demo tariffs.
 *
 * Prices change on announced dates; a version is in force from its `effectiveFrom` local date
 * until a later version of the same tariff takes over. Old versions are kept forever because
 * every ledger entry names the version it used.
 */
import { parseCubicMetres, parseUnitPrice } from '../money/money.js';
import { CURRENT_SCHEMA_VERSION, docId } from '../schema/documents.js';
import type { Pricing, TariffVersionDoc } from '../schema/documents.js';
import type { CustomerType } from '../schema/primitives.js';
import { isLocalDate } from '../time/local-date.js';

/**
 * The version of `tariffCode` with the latest `effectiveFrom` on or before `onDate` (a local
 * date, YYYY-MM-DD); null when none has started yet. Two versions starting the same day means
 * a correction was published: the higher `version` wins.
 */
export function tariffInForce(versions: readonly TariffVersionDoc[], tariffCode: string, onDate: string): TariffVersionDoc | null {
  // String comparison of YYYY-MM-DD is date order only for well-formed dates.
  if (!isLocalDate(onDate)) throw new RangeError(`not a calendar date YYYY-MM-DD: "${onDate}"`);
  let best: TariffVersionDoc | null = null;
  for (const candidate of versions) {
    if (candidate.tariffCode !== tariffCode || candidate.effectiveFrom > onDate) continue;
    if (
      best === null ||
      candidate.effectiveFrom > best.effectiveFrom ||
      (candidate.effectiveFrom === best.effectiveFrom && candidate.version > best.version)
    ) {
      best = candidate;
    }
  }
  return best;
}

/** `<tariffCode>@<version>`: the id ledger entries record. */
export function tariffVersionId(tariffCode: string, version: number): string {
  return `${tariffCode}@${version}`;
}

interface TariffSpec {
  readonly tariffCode: string;
  readonly version: number;
  readonly name: string;
  readonly customerType: CustomerType;
  readonly effectiveFrom: string;
  readonly pricing: Pricing;
}

function tariffDoc(spec: TariffSpec): TariffVersionDoc {
  return {
    _id: docId.tariff(spec.tariffCode, spec.version),
    type: 'tariff-version',
    schemaVersion: CURRENT_SCHEMA_VERSION['tariff-version'],
    tariffCode: spec.tariffCode,
    versionId: tariffVersionId(spec.tariffCode, spec.version),
    version: spec.version,
    name: spec.name,
    customerType: spec.customerType,
    effectiveFrom: spec.effectiveFrom,
    pricing: spec.pricing,
  };
}

/** Three residential tiers at 300 m³ and 600 m³ a year, priced 1 : 1.2 : 1.5 as national guidance sets. */
function residentialTiers(tier1: string, tier2: string, tier3: string): Pricing {
  return {
    kind: 'tiered',
    tiers: [
      { upTo: parseCubicMetres('300'), price: parseUnitPrice(tier1) },
      { upTo: parseCubicMetres('600'), price: parseUnitPrice(tier2) },
      { upTo: null, price: parseUnitPrice(tier3) },
    ],
  };
}

/**
 * ILLUSTRATIVE tariffs for demo data and tests only: the prices, bounds and dates are made up
 * in the shape domain.md describes, not any utility's real price list. Real tariffs come from
 * central as documents.
 */
export function illustrativeTariffs(): TariffVersionDoc[] {
  return [
    tariffDoc({
      tariffCode: 'RES-GAS',
      version: 1,
      name: '居民管道天然气',
      customerType: 'residential',
      effectiveFrom: '2024-01-01',
      pricing: residentialTiers('2.60', '3.12', '3.90'),
    }),
    tariffDoc({
      tariffCode: 'RES-GAS',
      version: 2,
      name: '居民管道天然气',
      customerType: 'residential',
      effectiveFrom: '2025-07-01',
      pricing: residentialTiers('2.80', '3.36', '4.20'),
    }),
    tariffDoc({
      tariffCode: 'COM-GAS',
      version: 1,
      name: '非居民天然气',
      customerType: 'commercial',
      effectiveFrom: '2024-01-01',
      pricing: { kind: 'flat', price: parseUnitPrice('3.60') },
    }),
  ];
}
