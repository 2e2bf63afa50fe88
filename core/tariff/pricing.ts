/**
 * Tier pricing 阶梯气价: what a volume of gas costs, and how much gas an amount buys.
 *
 * Tiers apply to the volume bought in the year so far: a tier's `upTo` is a bound on the
 * year-to-date volume, so a customer who has bought 290 m³ this year and buys 20 m³ more
 * pays 10 m³ at tier 1 and 10 m³ at tier 2. Each part is rounded once (money.ts's rule) and
 * the total is the sum of the parts, so the receipt's lines always add up to its total.
 */
import { MAX_FEN, MAX_GAS, MAX_UNIT_PRICE, MoneyError, divRoundHalfUp, fen, gas, priceOf, safeMul, unitPrice } from '../money/money.js';
import type { Fen, GasVolume, UnitPrice } from '../money/money.js';
import type { Pricing } from '../schema/documents.js';

export interface TierPart {
  /** 0-based index into the tariff's tiers; 0 for a flat price. */
  readonly tierIndex: number;
  readonly volume: GasVolume;
  readonly price: UnitPrice;
  readonly amount: Fen;
}

export interface PriceBreakdown {
  readonly volume: GasVolume;
  readonly amount: Fen;
  /** One per tier the purchase touches, in tier order; none for a zero volume. */
  readonly parts: readonly TierPart[];
  readonly ytdBefore: GasVolume;
  readonly ytdAfter: GasVolume;
}

export class PricingError extends Error {
  override readonly name = 'PricingError';
}

// Deliberately not a type guard: a value typed GasVolume can still be 1.5 at run time, and a
// guard would narrow the failing branch to never.
function isIntIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Everything wrong with a pricing; empty when it is usable. */
export function pricingProblems(pricing: Pricing): string[] {
  const problems: string[] = [];
  switch (pricing.kind) {
    case 'flat':
      if (!isIntIn(pricing.price, 0, MAX_UNIT_PRICE)) problems.push('the flat price is not a valid unit price');
      break;
    case 'tiered': {
      const { tiers } = pricing;
      if (tiers.length === 0) problems.push('a tiered pricing needs at least one tier');
      let previousBound = 0;
      tiers.forEach((tier, index) => {
        const label = `tier ${index + 1}`;
        const isLast = index === tiers.length - 1;
        if (!isIntIn(tier.price, 0, MAX_UNIT_PRICE)) problems.push(`${label}: price is not a valid unit price`);
        if (tier.upTo === null) {
          if (!isLast) problems.push(`${label}: only the last tier may be unbounded`);
          return;
        }
        if (isLast) problems.push(`${label}: the last tier must be unbounded (upTo null)`);
        if (!isIntIn(tier.upTo, 0, MAX_GAS)) {
          problems.push(`${label}: upTo is not a valid gas volume`);
          return;
        }
        // A tier whose bound does not exceed the one before it would cover no volume at all,
        // which always means a typing error in the tariff, not an intention.
        if (tier.upTo <= previousBound) {
          problems.push(`${label}: upTo must be greater than ${index === 0 ? '0' : `tier ${index}'s`}`);
        }
        previousBound = Math.max(previousBound, tier.upTo);
      });
      break;
    }
    default: {
      const unreachable: never = pricing;
      problems.push(`unknown pricing kind ${String((unreachable as { kind?: unknown }).kind)}`);
    }
  }
  return problems;
}

export function assertValidPricing(pricing: Pricing): void {
  const problems = pricingProblems(pricing);
  if (problems.length > 0) throw new PricingError(`invalid pricing: ${problems.join('; ')}`);
}

interface Band {
  readonly tierIndex: number;
  /** Year-to-date volume where the band starts (inclusive) and ends (exclusive). */
  readonly from: number;
  readonly to: number;
  readonly price: number;
}

function bandsOf(pricing: Pricing): readonly Band[] {
  switch (pricing.kind) {
    case 'flat':
      return [{ tierIndex: 0, from: 0, to: Number.POSITIVE_INFINITY, price: pricing.price }];
    case 'tiered': {
      let from = 0;
      return pricing.tiers.map((tier, tierIndex) => {
        const to = tier.upTo ?? Number.POSITIVE_INFINITY;
        const band = { tierIndex, from, to, price: tier.price };
        from = to;
        return band;
      });
    }
    default: {
      const unreachable: never = pricing;
      throw new PricingError(`unknown pricing kind ${String((unreachable as { kind?: unknown }).kind)}`);
    }
  }
}

interface RawPart {
  readonly tierIndex: number;
  readonly volume: number;
  readonly price: number;
}

function split(bands: readonly Band[], ytdBefore: number, volume: number): RawPart[] {
  const end = ytdBefore + volume;
  const parts: RawPart[] = [];
  for (const band of bands) {
    const overlap = Math.min(end, band.to) - Math.max(ytdBefore, band.from);
    if (overlap > 0) parts.push({ tierIndex: band.tierIndex, volume: overlap, price: band.price });
  }
  return parts;
}

/**
 * The price in fen as a plain number, without the MAX_FEN check: the search in
 * `volumeForAmount` probes volumes whose price may be far beyond any real amount.
 * Same arithmetic as `priceOf`, one rounding per part.
 */
function rawAmount(bands: readonly Band[], ytdBefore: number, volume: number): number {
  let total = 0;
  for (const part of split(bands, ytdBefore, volume)) total += divRoundHalfUp(safeMul(part.volume, part.price), 1000);
  return total;
}

function checkYtdAndVolume(ytdBefore: GasVolume, volume: GasVolume): void {
  if (!isIntIn(ytdBefore, 0, MAX_GAS)) throw new PricingError(`year-to-date volume must be 0…${MAX_GAS}, got ${ytdBefore}`);
  if (!isIntIn(volume, 0, MAX_GAS)) throw new PricingError(`volume must be 0…${MAX_GAS}, got ${volume}`);
  if (ytdBefore + volume > MAX_GAS) {
    throw new PricingError(`year-to-date volume after the purchase would exceed ${MAX_GAS}`);
  }
}

/** What `volume` costs for a customer who has already bought `ytdBefore` this year. */
export function priceByVolume(pricing: Pricing, ytdBefore: GasVolume, volume: GasVolume): PriceBreakdown {
  assertValidPricing(pricing);
  checkYtdAndVolume(ytdBefore, volume);
  const parts: TierPart[] = split(bandsOf(pricing), ytdBefore, volume).map((raw) => {
    const partVolume = gas(raw.volume);
    const price = unitPrice(raw.price);
    return { tierIndex: raw.tierIndex, volume: partVolume, price, amount: priceOf(partVolume, price) };
  });
  let amount = 0;
  for (const part of parts) amount += part.amount;
  return { volume, amount: fen(amount), parts, ytdBefore, ytdAfter: gas(ytdBefore + volume) };
}

/**
 * The most gas `amount` buys: the largest volume whose price does not exceed it. The customer
 * is charged that volume's exact price (`breakdown.amount ≤ amount`); the difference is change.
 * The volume is capped so the year-to-date total stays within MAX_GAS (only reachable with a
 * zero price).
 */
export function volumeForAmount(pricing: Pricing, ytdBefore: GasVolume, amount: Fen): PriceBreakdown {
  assertValidPricing(pricing);
  checkYtdAndVolume(ytdBefore, gas(0));
  if (!isIntIn(amount, 0, MAX_FEN)) throw new MoneyError(`amount must be 0…${MAX_FEN} fen, got ${amount}`);
  const bands = bandsOf(pricing);
  // Price is non-decreasing in volume (one more 0.01 m³ adds to exactly one part, whose rounded
  // amount cannot fall), so a binary search finds the exact boundary in ~30 probes.
  let lo = 0;
  let hi = MAX_GAS - ytdBefore;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (rawAmount(bands, ytdBefore, mid) <= amount) lo = mid;
    else hi = mid - 1;
  }
  return priceByVolume(pricing, ytdBefore, gas(lo));
}
