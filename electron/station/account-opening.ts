/**
 * Opening an account 开户 offline, with a number from this station's own range.
 *
 * The number counter (`station-range:<stationId>:account`) lives in the station database with
 * the opening: ONE bulkDocs holds the advanced counter, an `account-opening` document carrying the
 * whole new account, its audit record and its receipt. Master is never written here: it is a pure
 * copy of central, and the station shows its own opening (and the cards it issues) through the
 * account overlay (account-overlay.ts) until central's copy arrives. A number is never handed out
 * twice (the counter moved with the opening) and never skipped (it did not move without it).
 */
import { err, ok, type Result } from '../../core/contract/result.js';
import type { OpenAccountInput } from '../../core/contract/commands.js';
import type { AccountOpened } from '../../core/contract/views.js';
import { ZERO_FEN } from '../../core/money/money.js';
import { maskPhone } from '../../core/identity/id-number.js';
import { CURRENT_SCHEMA_VERSION, docId, type AccountDoc, type AccountOpeningDoc, type StationRangeDoc } from '../../core/schema/documents.js';
import type { OperatorRef } from '../../core/schema/primitives.js';
import { parseDocument } from '../../core/schema/upgrades.js';
import { tariffInForce } from '../../core/tariff/versions.js';
import { today } from './account-view.js';
import type { StationContext } from './context.js';
import { refreshAccountIndex } from './account-overlay.js';
import { getOrNull, type Database } from './database.js';

export type Stored<T> = T & { _rev?: string };

/** Numbers still to hand out in a range document. */
export function numbersLeft(range: StationRangeDoc): number {
  return Math.max(0, range.to - range.next + 1);
}

/**
 * The range document as station.json wants it, from what is stored. A range configured anew
 * (another from/to) starts at its beginning, except that numbers the old range already handed
 * out are never handed out again where the two overlap. Returned, not written: it is written only
 * together with an opening that takes a number.
 */
export function rangeFor(
  stationId: string,
  kind: StationRangeDoc['kind'],
  wanted: { readonly from: number; readonly to: number } | null,
  stored: Stored<StationRangeDoc> | null,
  now: Date,
): Stored<StationRangeDoc> | null {
  if (wanted === null) return null;
  if (stored && stored.from === wanted.from && stored.to === wanted.to) return stored;
  const usedUpTo = stored ? stored.next - 1 : -1;
  const overlaps = stored !== null && stored.next > stored.from && stored.from <= wanted.to && usedUpTo >= wanted.from;
  return {
    ...(stored?._rev ? { _rev: stored._rev } : {}),
    _id: docId.stationRange(stationId, kind),
    type: 'station-range',
    schemaVersion: CURRENT_SCHEMA_VERSION['station-range'],
    stationId,
    kind,
    from: wanted.from,
    to: wanted.to,
    next: overlaps ? Math.max(wanted.from, usedUpTo + 1) : wanted.from,
    updatedAt: now.toISOString(),
  };
}

async function storedRange(ctx: StationContext): Promise<Stored<StationRangeDoc> | null> {
  const raw = await getOrNull(ctx.dbs.station, docId.stationRange(ctx.config.stationId, 'account'));
  return raw === null ? null : parseDocument('station-range', raw);
}

/** The numbers this station can still hand out (0 when none is configured). */
export async function accountNumbersLeft(ctx: StationContext): Promise<number> {
  const range = ctx.ranges.current('account', ctx.config.accountNumberRange, await storedRange(ctx), ctx.clock.now());
  return range === null ? 0 : numbersLeft(range);
}

function invalid<T>(path: string, message: string): Result<T> {
  return err('INVALID_INPUT', message, { issues: [{ path, message }] });
}

export async function openAccount(ctx: StationContext, operator: OperatorRef, input: OpenAccountInput): Promise<Result<AccountOpened>> {
  const onDate = today(ctx);
  const tariff = tariffInForce([...ctx.tariffs.values()], input.tariffCode, onDate);
  if (!tariff) return err('NO_TARIFF', `no tariff ${input.tariffCode} in force on ${onDate}`);
  if (tariff.customerType !== input.customerType) return invalid('tariffCode', `tariff ${input.tariffCode} is for ${tariff.customerType} customers`);
  if (input.meterKind === 'prepaid-card' && ctx.config.cardTariffCodes[input.tariffCode] === undefined) {
    return invalid('tariffCode', `no card tariff code is configured for ${input.tariffCode}: its cards cannot be issued`);
  }
  // One meter, one account: a meter already on an open account is a typing error or a transfer 过户.
  const sameMeter = ctx.accounts.search(input.meterNo, 5).results.find((found) => found.matchedOn === 'meterNo' && found.status !== 'closed');
  if (sameMeter) return invalid('meterNo', `meter ${input.meterNo} is already on account ${sameMeter.accountNo}`);

  const opened = await ctx.writer.run(async (): Promise<Result<{ opening: AccountOpeningDoc; left: number }>> => {
    const now = ctx.clock.now();
    // station.json's range, or (syncing) central's grants in order, moving to the next with this opening.
    const range = ctx.ranges.current('account', ctx.config.accountNumberRange, await storedRange(ctx), now);
    if (range === null) return err('RANGE_EXHAUSTED', ctx.ranges.fromGrants ? 'central has granted this station no account numbers yet: sync with central' : 'this station has no range of account numbers configured', { left: 0 });
    // A number already in master (central, or a range configured over numbers in use) is passed
    // over; the counter moves past it with this opening, so that is no gap a crash made.
    let number = range.next;
    while (number <= range.to) {
      const accountNo = String(number);
      const taken = (await getOrNull(ctx.dbs.master, docId.account(accountNo))) ?? (await getOrNull(ctx.dbs.station, docId.accountOpening(accountNo)));
      if (taken === null) break;
      number += 1;
    }
    if (number > range.to) {
      const hint = ctx.ranges.fromGrants ? ': sync with central to get a new range' : '';
      return err('RANGE_EXHAUSTED', `the account numbers ${range.from}..${range.to} of this station are used up${hint}`, { left: 0, from: range.from, to: range.to });
    }

    const accountNo = String(number);
    const account: AccountDoc = {
      _id: docId.account(accountNo),
      type: 'account',
      schemaVersion: CURRENT_SCHEMA_VERSION.account,
      accountNo,
      ownerName: input.ownerName,
      idNumber: input.idNumber,
      phone: input.phone,
      address: input.address,
      districtCode: input.districtCode,
      districtName: input.districtName,
      meterNo: input.meterNo,
      meterKind: input.meterKind,
      cardSerial: null,
      customerType: input.customerType,
      tariffCode: input.tariffCode,
      status: 'active',
      inspection: { lastDate: null, result: 'none', nextDueDate: null },
      openingCredit: ZERO_FEN,
      openedOn: onDate,
      cardGeneration: 0,
    };
    // The audit record names the account, not the person: the ID number stays in the account.
    const [record] = ctx.audit.prepare([
      { kind: 'account-opened', actor: operator.staffNo, subject: accountNo, detail: { accountNo, meterNo: input.meterNo, meterKind: input.meterKind, districtCode: input.districtCode } },
    ]);
    if (!record) throw new Error('no audit record prepared');
    const opening: AccountOpeningDoc = {
      _id: docId.accountOpening(accountNo),
      type: 'account-opening',
      schemaVersion: CURRENT_SCHEMA_VERSION['account-opening'],
      stationId: ctx.config.stationId,
      accountNo,
      at: now.toISOString(),
      operator,
      auditSeq: record.seq,
      account,
    };
    const counter: Stored<StationRangeDoc> = { ...range, next: number + 1, updatedAt: now.toISOString() };
    // The 开户回执 is numbered in the same write, like every receipt.
    const receipt = ctx.receipts.take(
      {
        kind: 'account-opening',
        accountNo,
        entryId: null,
        amount: ZERO_FEN,
        cash: false,
        at: now.toISOString(),
        operator,
        ownerName: input.ownerName,
        idNumber: input.idNumber,
        creditLeft: null,
        opening: { address: input.address, meterNo: input.meterNo, meterKind: input.meterKind, tariffName: tariff.name, phoneMasked: maskPhone(input.phone) },
        queue: true,
      },
      now,
    );
    if (!receipt.ok) return receipt;
    let results: Awaited<ReturnType<Database['bulkDocs']>>;
    try {
      results = await ctx.dbs.station.bulkDocs([counter, opening, record, ...receipt.value.docs]);
    } catch (error) {
      return err('STORAGE_FAILED', `the account could not be written: ${error instanceof Error ? error.message : String(error)}`);
    }
    const failures = results.filter((result) => 'error' in result && result.error);
    if (failures.length > 0) return err('STORAGE_FAILED', `the account write was refused: ${failures.map((f) => ('message' in f ? String(f.message) : 'error')).join('; ')}`);
    ctx.audit.advance([record]);
    ctx.receipts.committed(receipt.value, results);
    if (receipt.value.job) ctx.printQueue.enqueue(receipt.value.job);
    return ok({ opening, left: numbersLeft(counter) });
  });
  if (!opened.ok) return opened;
  // Master is central's: the search index shows the opening through the overlay.
  await refreshAccountIndex(ctx, opened.value.opening.accountNo);
  return ok({ accountNo: opened.value.opening.accountNo, numbersLeft: opened.value.left });
}
