/**
 * Deterministic synthetic accounts and bills for a Hefei-like gas utility (demo stations, tests
 * and the 1.2-million-account benchmark). Same options, same output, byte for byte: everything
 * random comes from one seeded PRNG (`random.ts`), never from Math.random or the clock.
 *
 * Streaming: `generateAccounts` yields one document at a time and keeps only counters, so a
 * station can seed 1.2 million accounts without holding them all. Identifiers that must be
 * unique (account, meter, card) come from counters pushed through bijections, not from random
 * draws checked against a set, for the same reason.
 *
 * Long strings are built with `Array.prototype.join`, which yields flat strings; template
 * concatenation would leave V8 rope (cons) strings that cost extra memory once an index keeps
 * them, and would make the benchmark's heap figures worse than a station's, whose strings come
 * flat out of JSON.parse.
 */
import { idNumberCheckChar } from '../identity/id-number.js';
import { gas, priceOf, unitPrice, fen } from '../money/money.js';
import { docId, type AccountDoc, type BillDoc } from '../schema/documents.js';
import type { Role } from '../schema/primitives.js';
import { compactDay, dayNumber, dayOfMonth, formatDay, formatPeriod, monthIndexOfDay } from './calendar.js';
import { COMPANY_TRADES, GIVEN_FEMALE, GIVEN_MALE, SHOP_KINDS, SHOP_WORDS, surnameTable } from './names.js';
import {
  CITY_NAME,
  DEMO_DISTRICTS,
  ESTATE_PREFIXES,
  ESTATE_SUFFIXES,
  GROUP_NUMERALS,
  MOBILE_PREFIXES,
  OTHER_ID_REGIONS,
  VILLAGE_SUFFIXES,
  VILLAGE_WORDS,
  type DemoDistrict,
} from './places.js';
import { createRandom, hashString, WeightedTable, type Random } from './random.js';

export { DEMO_DISTRICTS, type DemoDistrict } from './places.js';

export interface DemoOptions {
  readonly seed: number;
  readonly count: number;
  /** `YYYY-MM-DD`: the demo's "today"; every date generated lies before it. */
  readonly today: string;
  /** Share of accounts with a prepaid IC-card meter (default 0.4). */
  readonly prepaidShare?: number;
}

export interface DemoOperator {
  readonly staffNo: string;
  readonly name: string;
  readonly role: Role;
  /** Demo only: every demo operator's password is public, so a demo station must never hold real data. */
  readonly password: string;
}

export const DEMO_OPERATORS: readonly DemoOperator[] = [
  { staffNo: '1001', name: '李娜', role: 'clerk', password: '123456' },
  { staffNo: '1002', name: '张伟', role: 'clerk', password: '123456' },
  { staffNo: '2001', name: '王强', role: 'supervisor', password: '123456' },
  { staffNo: '3001', name: '刘洋', role: 'manager', password: '123456' },
  { staffNo: '4001', name: '赵磊', role: 'van', password: '123456' },
  { staffNo: '9001', name: '陈静', role: 'admin', password: '123456' },
];

export const RESIDENTIAL_TARIFF = { code: 'RES-GAS', versionId: 'RES-GAS@2', billingPrice: 2800 } as const;
export const COMMERCIAL_TARIFF = { code: 'COM-GAS', versionId: 'COM-GAS@1', billingPrice: 3600 } as const;

const SURNAMES = new WeightedTable(surnameTable());
const DISTRICTS = new WeightedTable(DEMO_DISTRICTS.map((d) => [d, d.weight] as const));
const METER_MAKERS: readonly string[] = ['GK', 'JY', 'TC', 'HR', 'QN', 'LX'];
const COMMERCIAL_SHARE = 0.03;
const CLOSED_SHARE = 0.005;
const SUSPENDED_SHARE = 0.01;
const INSPECTION_FAILED_SHARE = 0.03;
const INSPECTION_OVERDUE_SHARE = 0.05;
const LANDLINE_SHARE = 0.05;
/** Accounts came into service from this date on (the utility's piped-gas era in the demo city). */
const EARLIEST_OPENING = dayNumber('1998-01-01');

function digits(random: Random, n: number): string {
  let out = '';
  for (let i = 0; i < n; i += 1) out += String.fromCharCode(48 + random.int(0, 9));
  return out;
}

function personName(random: Random, male: boolean): string {
  const surname = SURNAMES.pick(random);
  const chars = male ? GIVEN_MALE : GIVEN_FEMALE;
  // About a quarter of given names are one character (more common among older owners).
  return random.chance(0.25) ? [surname, random.pick(chars)].join('') : [surname, random.pick(chars), random.pick(chars)].join('');
}

function businessName(random: Random): string {
  if (random.chance(0.6)) return [random.pick(SHOP_WORDS), random.pick(SHOP_KINDS)].join('');
  return ['合肥', random.pick(SHOP_WORDS), random.pick(COMPANY_TRADES), '有限公司'].join('');
}

function idNumber(random: Random, region: string, todayDay: number, male: boolean): string {
  // Owners are adults of 20-85; the mean of two draws leans towards middle age, as owners do.
  const age = Math.floor((random.int(20, 85) + random.int(20, 85)) / 2);
  const birthDay = todayDay - Math.floor(age * 365.25) - random.int(0, 364);
  // The 17th digit is odd for men, even for women (GB 11643).
  const sequence = `${digits(random, 2)}${String(random.int(0, 4) * 2 + (male ? 1 : 0))}`;
  const first17 = `${region}${compactDay(birthDay)}${sequence}`;
  return first17 + idNumberCheckChar(first17);
}

function phoneNumber(random: Random): string {
  // Some older households still give a fixed line: 0551 is Hefei's area code, 8-digit numbers.
  if (random.chance(LANDLINE_SHARE)) return `05516${digits(random, 7)}`;
  return `${random.pick(MOBILE_PREFIXES)}${digits(random, 8)}`;
}

function address(random: Random, district: DemoDistrict): string {
  switch (district.kind) {
    case 'urban': {
      const road = random.pick(district.places);
      const houseNo = String(random.int(1, 999));
      if (random.chance(0.1)) return [CITY_NAME, district.name, road, houseNo, '号'].join('');
      const estate = [random.pick(ESTATE_PREFIXES), random.pick(ESTATE_SUFFIXES)].join('');
      const floor = random.int(1, 33);
      const room = String(floor * 100 + random.int(1, 4));
      return [CITY_NAME, district.name, road, houseNo, '号', estate, String(random.int(1, 40)), '栋', String(random.int(1, 6)), '单元', room, '室'].join('');
    }
    case 'rural': {
      const town = random.pick(district.places);
      const village = [random.pick(VILLAGE_WORDS), random.pick(VILLAGE_SUFFIXES)].join('');
      return [district.name, town, village, random.pick(GROUP_NUMERALS), '组', String(random.int(1, 120)), '号'].join('');
    }
  }
}

/** A bijection of 0..2^32-1, so distinct counters give distinct card serials. */
function scramble32(value: number, salt: number): number {
  let x = (Math.imul(value >>> 0, 0x2c1b3c6d) + salt) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x297a2d39) >>> 0;
  return (x ^ (x >>> 12)) >>> 0;
}

function hex8(value: number): string {
  return value.toString(16).toUpperCase().padStart(8, '0');
}

/** Streams `count` accounts. Deterministic in `options`; unique account, meter and card numbers. */
export function* generateAccounts(options: DemoOptions): Generator<AccountDoc> {
  const random = createRandom(options.seed);
  const todayDay = dayNumber(options.today);
  const prepaidShare = options.prepaidShare ?? 0.4;
  const serials = new Map<string, number>();
  const cardSalt = random.uint32();
  let cards = 0;
  for (let i = 0; i < options.count; i += 1) {
    const district = DISTRICTS.pick(random);
    // Sequential per district with small gaps, as numbers of abandoned applications leave.
    const serial = (serials.get(district.code) ?? 100_000) + random.int(1, 3);
    serials.set(district.code, serial);
    const accountNo = `${district.accountPrefix}${String(serial).padStart(8, '0')}`;

    const commercial = random.chance(COMMERCIAL_SHARE);
    const male = random.chance(0.5);
    const ownerName = commercial ? businessName(random) : personName(random, male);
    const region = random.chance(0.7) ? district.idRegion : random.pick(OTHER_ID_REGIONS);

    const openedDay = Math.max(EARLIEST_OPENING, todayDay - random.int(1, 25 * 365));
    // 48271 is prime and coprime with 10^8, so i -> i*48271 mod 10^8 never repeats for i < 10^8.
    const meterSerial = String((i * 48_271 + 1_234_567) % 100_000_000).padStart(8, '0');
    const meterYear = String(Math.floor(new Date(openedDay * 86_400_000).getUTCFullYear() % 100)).padStart(2, '0');
    const maker = random.pick(METER_MAKERS);
    const prepaid = random.chance(prepaidShare);
    // Prepaid meters carry their number on the IC card as 12 BCD digits, so theirs are all digits:
    // the maker as two digits, then year and serial. Post-paid meters keep the maker's letters.
    const meterNo = prepaid ? `${String(11 + METER_MAKERS.indexOf(maker))}${meterYear}${meterSerial}` : `${maker}${meterYear}${meterSerial}`;
    // Card serials are 8 bytes; the first half alone is already unique per card.
    const cardSerial = prepaid ? `${hex8(scramble32(cards, cardSalt))}${hex8(scramble32(cards, cardSalt ^ 0x5bd1e995))}` : null;
    if (prepaid) cards += 1;

    const statusDraw = random.next();
    const status = statusDraw < CLOSED_SHARE ? 'closed' : statusDraw < CLOSED_SHARE + SUSPENDED_SHARE ? 'suspended' : 'active';

    yield {
      _id: docId.account(accountNo),
      type: 'account',
      schemaVersion: 1,
      accountNo,
      ownerName,
      idNumber: idNumber(random, region, todayDay, male),
      phone: phoneNumber(random),
      address: address(random, district),
      districtCode: district.code,
      districtName: district.name,
      meterNo,
      meterKind: prepaid ? 'prepaid-card' : 'post-paid',
      cardSerial,
      customerType: commercial ? 'commercial' : 'residential',
      tariffCode: commercial ? COMMERCIAL_TARIFF.code : RESIDENTIAL_TARIFF.code,
      status,
      inspection: inspection(random, todayDay, openedDay),
      openingCredit: fen(random.chance(0.12) ? random.int(1, 60_000) : 0),
      openedOn: formatDay(openedDay),
    };
  }
}

/** Annual safety inspection 安检: most current, ~3% failed, ~5% overdue, brand-new accounts not yet visited. */
function inspection(random: Random, todayDay: number, openedDay: number): AccountDoc['inspection'] {
  if (todayDay - openedDay < 60 && random.chance(0.5)) return { lastDate: null, result: 'none', nextDueDate: null };
  const overdue = random.chance(INSPECTION_OVERDUE_SHARE);
  const lastDay = Math.max(openedDay, todayDay - (overdue ? random.int(366, 729) : random.int(0, 364)));
  return {
    lastDate: formatDay(lastDay),
    result: random.chance(INSPECTION_FAILED_SHARE) ? 'failed' : 'passed',
    nextDueDate: formatDay(lastDay + 365),
  };
}

/** Heating months use far more gas; Hefei has no district heating, so winter doubles the bill. */
const SEASONAL = [2.0, 1.8, 1.4, 1.1, 0.9, 0.8, 0.7, 0.7, 0.8, 0.9, 1.2, 1.7] as const;
const CHANNELS = new WeightedTable<string>([
  ['银行代扣', 35],
  ['微信', 30],
  ['支付宝', 20],
  ['营业厅', 15],
]);
const UNPAID_COUNT = new WeightedTable<number>([
  [0, 55],
  [1, 25],
  [2, 12],
  [3, 8],
]);

/**
 * Monthly bills for a post-paid account: the 12 most recent periods already issued (on the 5th
 * of the following month, due on the 20th), none before the account was opened. Prepaid
 * accounts buy gas at the counter and get no bills.
 *
 * Amounts use one flat price per customer type (2.80 or 3.60 yuan/m³) with `priceOf`: tier
 * pricing over the year's volume is central's job when it issues real bills; here only plausible
 * amounts are needed. The most recent 0-3 bills are unpaid, so some accounts owe nothing, some
 * owe a bill not yet due, and some owe overdue bills that draw late fees.
 */
export function generateBills(account: AccountDoc, options: { readonly today: string; readonly seed: number }): BillDoc[] {
  if (account.meterKind === 'prepaid-card') return [];
  const random = createRandom((hashString(account.accountNo) ^ Math.imul(options.seed, 0x9e3779b1)) >>> 0);
  const todayDay = dayNumber(options.today);
  const openedMonth = monthIndexOfDay(dayNumber(account.openedOn));
  let last = monthIndexOfDay(todayDay) - 1;
  if (dayOfMonth(last + 1, 5) > todayDay) last -= 1;
  const first = Math.max(last - 11, openedMonth + 1);
  const commercial = account.customerType === 'commercial';
  const tariff = commercial ? COMMERCIAL_TARIFF : RESIDENTIAL_TARIFF;
  const price = unitPrice(tariff.billingPrice);
  const baseM3 = commercial ? random.int(150, 800) : random.int(8, 22);
  const unpaid = account.status === 'closed' ? 0 : UNPAID_COUNT.pick(random);

  const bills: BillDoc[] = [];
  for (let month = first; month <= last; month += 1) {
    const period = formatPeriod(month);
    const factor = SEASONAL[month % 12] ?? 1;
    const m3 = Math.max(0, Math.round(baseM3 * factor * (0.8 + random.next() * 0.4)));
    const volume = gas(m3 * 100);
    const issuedDay = dayOfMonth(month + 1, 5);
    const dueDay = dayOfMonth(month + 1, 20);
    const isUnpaid = last - month < unpaid;
    let externalPayment: BillDoc['externalPayment'] = null;
    if (!isUnpaid) {
      const channel = CHANNELS.pick(random);
      // Bank withholding runs on the 15th; other channels whenever the customer gets round to it.
      const paidDay = channel === '银行代扣' ? issuedDay + 10 : issuedDay + random.int(0, 25);
      externalPayment = { paidOn: formatDay(Math.min(paidDay, todayDay)), channel };
    }
    bills.push({
      _id: docId.bill(account.accountNo, period),
      type: 'bill',
      schemaVersion: 1,
      billId: `${account.accountNo}-${period}`,
      accountNo: account.accountNo,
      period,
      volume,
      amount: priceOf(volume, price),
      dueDate: formatDay(dueDay),
      issuedOn: formatDay(issuedDay),
      tariffVersionId: tariff.versionId,
      externalPayment,
    });
  }
  return bills;
}
