/**
 * Prepaid top-up at the counter, over the card reader port, following the card layout's rules
 * for a writer. The order of durable steps is the whole point:
 *
 *   prepare   read the card, refuse what the rules refuse, price from the card's year-to-date
 *   confirm   1. the top-up's ledger entry (money taken, the 32 record bytes, the digest of its
 *                own _id) and its audit record, synced to disk — BEFORE the card is touched;
 *             2. present the PSC (never with fewer than two attempts left), write the slot that
 *                is not current, read it back and compare every byte;
 *             3. a `card-write` document: the card holds it. Then the receipt.
 *   recovery  a top-up without a card-write is unfinished. When its card is next read (insertion,
 *             or the station starting with it in the reader), rule 4 decides: the card holds it →
 *             record the card-write; the card is still at the record before → write the very same
 *             bytes again, read back, record; anything else → a supervisor settles it.
 *   cancel    money out only after the card proves it: the approval (the intent) goes to the audit
 *             log first, then the cancel record is written and read back, then the reversal.
 *
 * So money taken is never lost (the entry exists before the card is touched), a payment is never
 * sold twice (the txnId is the entry's id; recovery only ever rewrites the same bytes), and no
 * gas reaches a card without a ledger entry.
 */
import { createHash, createHmac } from 'node:crypto';
import type { CardInspection, CardView as CardViewDto, TopupQuote, TopupRefusal, TopupResult, UnfinishedTopup } from '../../core/contract/cards.js';
import { err, ok, type ErrorCode, type Result } from '../../core/contract/result.js';
import type { AccountSummary, ReversalResult } from '../../core/contract/views.js';
import { decodeCard, decodeSlot, isCancelRecord, recordDigest, slotOffset, successorOf, tariffYearOf, type CardView, type PurchaseRecord, type Sha256 } from '../../core/card/layout.js';
import { parseCardKeyHex, pscFor, type HmacSha256 } from '../../core/card/psc.js';
import { cancelRecordFor, nextPurchaseRecord, pendingRecordOutcome, purchaseRefusal, yearToDateBefore, type PendingOutcome } from '../../core/card/writer-rules.js';
import { maskIdNumber, maskPhone } from '../../core/identity/id-number.js';
import { makeEntryId, reversalEntryId } from '../../core/ledger/rules.js';
import { fen, gas, negFen, subFen, ZERO_FEN, ZERO_GAS, type GasVolume } from '../../core/money/money.js';
import type { CardReaderPort, CardSession, ReaderError, ReaderResult } from '../../core/reader/port.js';
import { CURRENT_SCHEMA_VERSION, docId, type AccountDoc, type CardRecord, type CardWriteDoc, type LedgerEntryDoc } from '../../core/schema/documents.js';
import type { OperatorRef, PaymentMethod } from '../../core/schema/primitives.js';
import { priceByVolume, volumeForAmount, type PriceBreakdown } from '../../core/tariff/pricing.js';
import { localDateOf } from '../../core/time/local-date.js';
import { loadAccount, tariffVersionFor, toEntryView, today } from './account-view.js';
import type { AuditEvent } from './audit-log.js';
import type { StationContext } from './context.js';
import { commitEntry, findCommitted } from './ledger-writer.js';

export const sha256: Sha256 = (data) => new Uint8Array(createHash('sha256').update(data).digest());
const hmacSha256: HmacSha256 = (key, message) => new Uint8Array(createHmac('sha256', key).update(message).digest());

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * Points in the top-up sequence where a test makes the station "die" (the hook throws). Only
 * tests set them; a station opened normally has none.
 */
export type TopupStep = 'entry-committed' | 'card-written' | 'read-back';
export interface TopupFaults {
  /** Throws to make the station "die" at `step`, or does something to the world (unplug the reader) and returns. */
  at(step: TopupStep): void | Promise<void>;
}

/** A quoted top-up waiting for its confirm; in memory, like a bill quote. */
export interface PendingTopup {
  readonly quote: TopupQuote;
  readonly operatorStaffNo: string;
  /** The card's current sequence when quoted (0: no record): the confirm must find the same card state. */
  readonly cardSequence: number;
  readonly expiresAtMs: number;
}

interface CardReading {
  readonly session: CardSession;
  readonly image: Uint8Array;
  readonly view: CardView;
  readonly attemptsLeft: number;
}

function readerError<T>(error: ReaderError): Result<T> {
  const map: Partial<Record<ReaderError['code'], ErrorCode>> = {
    NO_CARD: 'NO_CARD',
    CARD_REMOVED: 'NO_CARD',
    CARD_CHANGED: 'CARD_CHANGED',
    UNSUPPORTED_CARD: 'CARD_REFUSED',
    NOT_A_GAS_CARD: 'CARD_REFUSED',
    CARD_LOCKED: 'CARD_REFUSED',
    PSC_ATTEMPTS_LOW: 'CARD_REFUSED',
    WRONG_PSC: 'CARD_REFUSED',
    PSC_ALREADY_REJECTED: 'CARD_REFUSED',
    CARD_SPOILED: 'CARD_REFUSED',
  };
  const reasons: Partial<Record<ReaderError['code'], TopupRefusal | 'wrong-psc'>> = {
    UNSUPPORTED_CARD: 'not-user-card',
    NOT_A_GAS_CARD: 'not-user-card',
    CARD_LOCKED: 'card-locked',
    PSC_ATTEMPTS_LOW: 'card-one-attempt',
    WRONG_PSC: 'wrong-psc',
    PSC_ALREADY_REJECTED: 'wrong-psc',
  };
  const code = map[error.code] ?? 'READER_UNAVAILABLE';
  const reason = reasons[error.code];
  return err(code, `card reader: ${error.code}: ${error.message}`, reason === undefined ? { readerCode: error.code } : { readerCode: error.code, reason });
}

function port(ctx: StationContext): Result<CardReaderPort> {
  const reader = ctx.reader.port();
  return reader ? ok(reader) : err('READER_UNAVAILABLE', `no card reader is connected (${ctx.reader.state().problem ?? ctx.reader.state().kind})`);
}

/** The driver read the header (0x00..0x1F) to identify the card; the rest is one READ_MAIN of 224 bytes. */
async function readImage(session: CardSession): Promise<ReaderResult<Uint8Array>> {
  const image = new Uint8Array(256);
  image.set(session.header.subarray(0, 32), 0);
  const rest = await session.readMain(32, 224);
  if (!rest.ok) return rest;
  image.set(rest.value, 32);
  return { ok: true, value: image };
}

/**
 * The last reading, and the reader's event count when it was taken. Every exchange costs a
 * turnaround (up to 200 ms on a real GCR-1), so prepare and confirm reuse the reading of the
 * insertion while no event has happened since: the card has not left the slot, and the driver
 * binds the session to the card's serial, so a write to another card is refused anyway.
 */
let lastReading: { readonly reading: CardReading; readonly eventCount: number } | null = null;

async function readCardReusing(ctx: StationContext): Promise<Result<CardReading | null>> {
  const cached = lastReading;
  const reader = ctx.reader.port();
  // One CARD_STATUS exchange first: the reader sends its events in order on the line, so any
  // removal or insertion that happened before this answer has reached the event count by now.
  if (cached && reader) {
    const status = await reader.cardStatus();
    if (!status.ok || !status.value.present) return readCard(ctx);
  }
  // The port hands out a fresh session object each time; the same card session is the same serial, still active.
  if (cached && reader && cached.eventCount === ctx.reader.eventCount && cached.reading.session.active && reader.session?.serial === cached.reading.session.serial) {
    return ok(cached.reading);
  }
  return readCard(ctx);
}

/** Powers the card in the reader on, reads all 256 bytes and its security counter. Null: no card. */
async function readCard(ctx: StationContext): Promise<Result<CardReading | null>> {
  const result = await readCardFresh(ctx);
  lastReading = result.ok && result.value !== null ? { reading: result.value, eventCount: ctx.reader.eventCount } : null;
  return result;
}

async function readCardFresh(ctx: StationContext): Promise<Result<CardReading | null>> {
  const eventsBefore = ctx.reader.eventCount;
  const reader = port(ctx);
  if (!reader.ok) return reader;
  const status = await reader.value.cardStatus();
  if (!status.ok) return readerError(status.error);
  if (!status.value.present) return ok(null);
  if (status.value.kind !== 'sle4442') return err('CARD_REFUSED', 'the card in the reader is not an SLE4442 gas card', { reason: 'not-user-card' });
  const opened = await reader.value.openCard();
  if (!opened.ok) return opened.error.code === 'NO_CARD' || opened.error.code === 'CARD_REMOVED' ? ok(null) : readerError(opened.error);
  const session = opened.value;
  const image = await readImage(session);
  if (!image.ok) return readerError(image.error);
  const security = await session.readSecurity();
  if (!security.ok) return readerError(security.error);
  // An event during the reading: which card did we read? Read again.
  if (ctx.reader.eventCount !== eventsBefore) return readCardFresh(ctx);
  return ok({ session, image: image.value, view: decodeCard(image.value), attemptsLeft: security.value.attemptsLeft });
}

function cardKey(ctx: StationContext): Result<Uint8Array> {
  if (ctx.config.cardKeyHex === null) return err('READER_UNAVAILABLE', 'no card key is configured for this station: cards cannot be written');
  return ok(parseCardKeyHex(ctx.config.cardKeyHex));
}

/**
 * Presents the card's PSC, writes `bytes` at `offset`, and reads them back (rule 5). The driver
 * refuses to present a PSC with fewer than two attempts left and never resends a write blindly.
 */
async function writeAndReadBack(ctx: StationContext, session: CardSession, offset: number, bytes: Uint8Array): Promise<Result<true>> {
  const key = cardKey(ctx);
  if (!key.ok) return key;
  if (!session.verified) {
    const serial = session.header.slice(8, 16);
    const verified = await session.verifyPsc(pscFor(key.value, serial, hmacSha256));
    if (!verified.ok) return readerError(verified.error);
  }
  const written = await session.write(offset, bytes);
  if (!written.ok) return readerError(written.error);
  await ctx.faults?.at('card-written');
  const back = await session.readMain(offset, bytes.length);
  if (!back.ok) return readerError(back.error);
  if (!sameBytes(back.value, bytes)) return err('CARD_WRITE_PENDING', 'the read-back differs from what was written');
  await ctx.faults?.at('read-back');
  return ok(true);
}

function accountNoOnCard(view: CardView): string | null {
  if (view.account === null) return null;
  const stripped = view.account.accountNo.replace(/^0+/, '');
  return stripped.length > 0 ? stripped : null;
}

function highestKnownGeneration(ctx: StationContext, account: AccountDoc): number {
  let highest = account.cardGeneration ?? 0;
  for (const entry of ctx.ledger.forAccount(account.accountNo)) if (entry.card && entry.card.generation > highest) highest = entry.card.generation;
  return highest;
}

function summaryOf(account: AccountDoc): AccountSummary {
  return {
    accountNo: account.accountNo,
    ownerName: account.ownerName,
    idNumberMasked: maskIdNumber(account.idNumber),
    phoneMasked: maskPhone(account.phone),
    address: account.address,
    districtName: account.districtName,
    meterKind: account.meterKind,
    status: account.status,
    matchedOn: 'cardSerial',
  };
}

function recordView(slot: 'A' | 'B', record: PurchaseRecord): CardViewDto['purchase'] {
  return {
    state: 'current',
    record: {
      slot,
      sequence: record.sequence,
      volume: gas(Math.min(record.volume, 1_000_000_000)),
      amount: fen(Math.min(record.amount, 10_000_000_000)),
      yearToDate: gas(Math.min(record.yearToDate, 1_000_000_000)),
      tariffYear: record.tariffYear,
      purchaseTime: record.purchaseTime.toISOString(),
      terminalId: record.terminalId,
      cancel: isCancelRecord(record),
      digestHex: toHex(record.digest),
    },
  };
}

export function cardViewDto(view: CardView, attemptsLeft: number): CardViewDto {
  const block = view.returnBlock.kind === 'valid' ? view.returnBlock.block : null;
  return {
    serial: view.header?.serialHex ?? '',
    accountNo: view.account?.accountNo ?? null,
    meterNo: view.account?.meterNo ?? null,
    generation: view.account?.generation ?? null,
    ours: view.header !== null,
    purchase:
      view.purchase.kind === 'current'
        ? recordView(view.purchase.slot, view.purchase.record)
        : view.purchase.kind === 'damaged'
          ? { state: 'damaged', reason: view.purchase.reason }
          : { state: 'none' },
    loaded: view.purchase.kind === 'no-purchase' ? 'no-purchase' : (view.loaded ?? 'stale-or-foreign'),
    returnBlock: view.returnBlock.kind,
    meter: block
      ? {
          remaining: gas(Math.min(block.remaining, 1_000_000_000)),
          measuredTotal: gas(Math.min(block.measuredTotal, 1_000_000_000)),
          lastLoadedSequence: block.lastLoadedSequence,
          meterTime: block.meterTime.toISOString(),
          acceptedGeneration: block.acceptedGeneration,
          ...block.status,
        }
      : null,
    problems: [...view.problems],
    attemptsLeft,
  };
}

interface RefusalCheck {
  readonly refusal: TopupRefusal | null;
  /** A safety-inspection refusal, which a supervisor may lift; the others may not be lifted. */
  readonly approvable: 'inspection-failed' | 'inspection-overdue' | null;
}

function refusalFor(ctx: StationContext, reading: CardReading, account: AccountDoc | null): RefusalCheck {
  const none = (refusal: TopupRefusal | null): RefusalCheck => ({ refusal, approvable: null });
  const { view } = reading;
  if (view.header === null) return none('not-user-card');
  if (view.header.utilityCode !== ctx.config.utilityCode) return none('foreign-utility');
  if (reading.attemptsLeft === 0) return none('card-locked');
  if (reading.attemptsLeft < 2) return none('card-one-attempt');
  if (account === null) return none(view.account === null ? 'damaged' : 'account-unknown');
  if (account.meterKind !== 'prepaid-card') return none('not-prepaid');
  if (account.status === 'closed') return none('account-closed');
  const rule = purchaseRefusal(view, {
    writerTariffYear: tariffYearOf(ctx.clock.now(), ctx.config.timeZone),
    highestKnownGeneration: highestKnownGeneration(ctx, account),
    utilityCode: ctx.config.utilityCode,
  });
  if (rule !== null) return none(rule);
  if (ctx.ledger.unfinishedTopups(ctx.config.stationId).some((entry) => entry.card?.serial === view.header?.serialHex)) return none('unfinished-topup');
  const onDate = today(ctx);
  if (account.inspection.result === 'failed') return { refusal: 'inspection-failed', approvable: 'inspection-failed' };
  if (account.inspection.nextDueDate !== null && account.inspection.nextDueDate < onDate) return { refusal: 'inspection-overdue', approvable: 'inspection-overdue' };
  return none(null);
}

function pendingOf(entry: LedgerEntryDoc): { sequence: number; digest: Uint8Array; bytes: Uint8Array } | null {
  if (!entry.card) return null;
  return { sequence: entry.card.sequence, digest: fromHex(entry.card.digestHex), bytes: fromHex(entry.card.recordHex) };
}

export async function recordCardWrite(ctx: StationContext, entry: LedgerEntryDoc, how: CardWriteDoc['how'], operator: OperatorRef, onSerial?: string): Promise<CardWriteDoc> {
  return ctx.writer.run(async () => {
    const known = ctx.ledger.cardWriteOf(entry.entryId);
    if (known) return known;
    const card = entry.card;
    if (!card) throw new Error(`entry ${entry.entryId} has no card record`);
    const [record] = ctx.audit.prepare([{ kind: 'card-write', actor: operator.staffNo, subject: entry.entryId, detail: { serial: card.serial, sequence: card.sequence, how } }]);
    if (!record) throw new Error('no audit record prepared');
    const doc: CardWriteDoc = {
      _id: docId.cardWrite(entry.entryId),
      type: 'card-write',
      schemaVersion: CURRENT_SCHEMA_VERSION['card-write'],
      entryId: entry.entryId,
      stationId: ctx.config.stationId,
      serial: onSerial ?? card.serial,
      sequence: card.sequence,
      digestHex: card.digestHex,
      how,
      at: ctx.clock.now().toISOString(),
      operator,
      auditSeq: record.seq,
    };
    // The receipt was numbered with the entry; its printing starts now that the card holds the gas
    // (a record carried onto a replacement card was a purchase printed, or not, long ago).
    const job = how === 'carried-to-replacement' || entry.kind !== 'top-up' ? null : ctx.receipts.originalJobFor(entry.entryId, operator, doc.at);
    const results = await ctx.dbs.station.bulkDocs(job ? [doc, record, job] : [doc, record]);
    const failed = results.find((result) => 'error' in result && result.error);
    if (failed) throw new Error(`card-write record refused: ${JSON.stringify(failed)}`);
    ctx.audit.advance([record]);
    ctx.ledger.addCardWrite(doc);
    if (job) {
      ctx.receipts.addJob(job);
      ctx.printQueue.enqueue(job);
    }
    return doc;
  });
}

/**
 * Finishes one unfinished top-up from the card in the reader (rule 4). Only 'confirmed' and
 * 'rewrite' finish it; the rest are a supervisor's to settle.
 */
async function settleUnfinished(ctx: StationContext, reading: CardReading, entry: LedgerEntryDoc, operator: OperatorRef): Promise<PendingOutcome['kind'] | 'finished'> {
  const pending = pendingOf(entry);
  if (!pending) return 'card-damaged';
  const outcome = pendingRecordOutcome(reading.view, pending);
  switch (outcome.kind) {
    case 'confirmed':
      await recordCardWrite(ctx, entry, 'found-on-card', operator);
      return 'finished';
    case 'rewrite': {
      const written = await writeAndReadBack(ctx, reading.session, slotOffset(outcome.slot), outcome.bytes);
      if (!written.ok) return 'rewrite';
      await recordCardWrite(ctx, entry, 'read-back', operator);
      return 'finished';
    }
    case 'other-digest':
    case 'moved-past':
    case 'out-of-step':
    case 'card-damaged':
      return outcome.kind;
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

function unfinishedView(entry: LedgerEntryDoc, outcome: UnfinishedTopup['outcome']): UnfinishedTopup {
  return {
    entryId: entry.entryId,
    accountNo: entry.accountNo,
    serial: entry.card?.serial ?? '',
    sequence: entry.card?.sequence ?? 0,
    volume: entry.card?.volume ?? ZERO_GAS,
    amount: entry.amount,
    at: entry.at,
    outcome,
  };
}

export async function inspectCard(ctx: StationContext, operator: OperatorRef): Promise<Result<CardInspection>> {
  const tariffYear = tariffYearOf(ctx.clock.now(), ctx.config.timeZone);
  const base: CardInspection = { reader: ctx.reader.state(), card: null, account: null, refusal: null, yearToDateBefore: ZERO_GAS, tariffYear, unfinished: [] };
  if (!ctx.reader.port()) return ok(base);
  let reading = await readCard(ctx);
  if (!reading.ok) {
    const reason = reading.error.details?.['reason'];
    if (reading.error.code === 'CARD_REFUSED' && reason === 'not-user-card') return ok({ ...base, refusal: 'not-user-card' });
    return reading;
  }
  if (reading.value === null) return ok(base);

  // Rule 4 first: an unfinished top-up for this card is finished before anything is sold on it —
  // but never onto a card a replacement has superseded (rule 7: writers refuse it).
  const serial = reading.value.view.header?.serialHex ?? '';
  const mine = ctx.ledger.unfinishedTopups(ctx.config.stationId).filter((entry) => entry.card?.serial === serial);
  const onCardAccountNo = accountNoOnCard(reading.value.view);
  const onCardAccount = onCardAccountNo === null ? null : await loadAccount(ctx, onCardAccountNo);
  const superseded = onCardAccount !== null && (reading.value.view.account?.generation ?? 0) < highestKnownGeneration(ctx, onCardAccount);
  const outcomes: UnfinishedTopup[] = [];
  let settledAny = false;
  for (const entry of mine) {
    if (superseded) {
      outcomes.push(unfinishedView(entry, 'moved-past'));
      continue;
    }
    const outcome = await settleUnfinished(ctx, reading.value, entry, operator);
    if (outcome === 'finished') settledAny = true;
    else outcomes.push(unfinishedView(entry, outcome));
  }
  if (settledAny) {
    reading = await readCard(ctx);
    if (!reading.ok) return reading;
    if (reading.value === null) return ok(base);
  }
  const card = reading.value;
  const accountNo = accountNoOnCard(card.view);
  const account = accountNo === null ? null : await loadAccount(ctx, accountNo);
  const check = refusalFor(ctx, card, account);
  // What the card says was bought this tariff year, shown also when a sale is refused.
  const current = card.view.purchase.kind === 'current' ? card.view.purchase.record : null;
  const ytd: GasVolume = current !== null && current.tariffYear === tariffYear ? gas(Math.min(current.yearToDate, 1_000_000_000)) : ZERO_GAS;
  return ok({
    reader: ctx.reader.state(),
    card: cardViewDto(card.view, card.attemptsLeft),
    account: account ? summaryOf(account) : null,
    refusal: check.refusal,
    yearToDateBefore: ytd,
    tariffYear,
    unfinished: outcomes,
  });
}

export async function prepareTopup(
  ctx: StationContext,
  operator: OperatorRef,
  input: { accountNo: string; serial: string; by: { kind: 'volume'; volume: GasVolume } | { kind: 'amount'; amount: import('../../core/money/money.js').Fen } },
): Promise<Result<TopupQuote>> {
  const reading = await readCardReusing(ctx);
  if (!reading.ok) return reading;
  if (reading.value === null) return err('NO_CARD', 'no card in the reader');
  const card = reading.value;
  if (card.view.header?.serialHex !== input.serial) return err('CARD_CHANGED', 'the card in the reader is not the one this top-up is for');
  if (accountNoOnCard(card.view) !== input.accountNo) return err('CARD_CHANGED', 'the card belongs to another account');
  const account = await loadAccount(ctx, input.accountNo);
  const check = refusalFor(ctx, card, account);
  if (check.refusal !== null && check.approvable === null) return err('TOPUP_REFUSED', `refused: ${check.refusal}`, { reason: check.refusal });
  if (!account) return err('ACCOUNT_NOT_FOUND', `no account ${input.accountNo}`);
  const now = ctx.clock.now();
  const tariffYear = tariffYearOf(now, ctx.config.timeZone);
  const tariff = tariffVersionFor(ctx, account, localDateOf(now, ctx.config.timeZone));
  if (!tariff) return err('NO_TARIFF', `no tariff ${account.tariffCode} in force`);
  const ytd = yearToDateBefore(card.view, tariffYear);
  let priced: PriceBreakdown;
  try {
    priced = input.by.kind === 'volume' ? priceByVolume(tariff.pricing, ytd, input.by.volume) : volumeForAmount(tariff.pricing, ytd, input.by.amount);
  } catch (error) {
    return err('INVALID_INPUT', error instanceof Error ? error.message : String(error));
  }
  if (priced.volume < 1) return err('INVALID_INPUT', 'this amount buys no gas', { issues: [{ path: 'by', message: 'too small' }] });
  // Off line, prepaid sales stop at the station's limits (deliverable 7); checked again at confirm.
  const limit = ctx.sync.checkTopup(priced.amount);
  if (!limit.ok) return limit;
  const expiresAtMs = now.getTime() + ctx.config.quoteTtlSeconds * 1000;
  const quote: TopupQuote = {
    txnId: makeEntryId(ctx.config.stationId, now, ctx.randomHex(8)),
    accountNo: account.accountNo,
    serial: input.serial,
    volume: priced.volume,
    amount: priced.amount,
    parts: priced.parts.map((part) => ({ tierIndex: part.tierIndex, volume: part.volume, price: part.price, amount: part.amount })),
    yearToDateBefore: priced.ytdBefore,
    yearToDateAfter: priced.ytdAfter,
    tariffVersionId: tariff.versionId,
    tariffYear,
    expiresAt: new Date(expiresAtMs).toISOString(),
    needsApproval: check.approvable,
  };
  ctx.pendingTopups.set(quote.txnId, {
    quote,
    operatorStaffNo: operator.staffNo,
    cardSequence: card.view.purchase.kind === 'current' ? card.view.purchase.record.sequence : 0,
    expiresAtMs,
  });
  return ok(quote);
}

function resultOf(ctx: StationContext, entry: LedgerEntryDoc, replayed: boolean, problem: string | null): TopupResult {
  return { entry: toEntryView(entry, ctx.ledger.reversalOf(entry.entryId)), card: ctx.ledger.cardWriteOf(entry.entryId) ? 'on-card' : 'pending', replayed, problem };
}

export interface TopupConfirmInput {
  readonly txnId: string;
  readonly method: PaymentMethod;
  readonly tendered?: import('../../core/money/money.js').Fen | undefined;
  readonly reference?: string | undefined;
  /** Set when a supervisor lifted an inspection refusal: their ref, already checked. */
  readonly approvedBy: OperatorRef | null;
}

export function confirmTopup(ctx: StationContext, operator: OperatorRef, input: TopupConfirmInput): Promise<Result<TopupResult>> {
  // A second confirm of the same txnId while the first is still at the card waits for it.
  const running = ctx.inflightTopups.get(input.txnId);
  if (running) return running.then((result) => (result.ok ? ok({ ...result.value, replayed: true }) : result));
  const run = confirmOnce(ctx, operator, input).finally(() => ctx.inflightTopups.delete(input.txnId));
  ctx.inflightTopups.set(input.txnId, run);
  return run;
}

async function confirmOnce(ctx: StationContext, operator: OperatorRef, input: TopupConfirmInput): Promise<Result<TopupResult>> {
  const committed = await findCommitted(ctx, input.txnId);
  if (committed) return ok(resultOf(ctx, committed, true, null));
  const pending = ctx.pendingTopups.get(input.txnId);
  if (!pending) return err('TXN_UNKNOWN', 'this top-up was not prepared on this station (or the station restarted): prepare it again');
  if (pending.operatorStaffNo !== operator.staffNo) return err('TXN_MISMATCH', 'this top-up was prepared by another operator');
  if (ctx.clock.now().getTime() > pending.expiresAtMs) return err('TXN_EXPIRED', 'the quote has expired: prepare it again');
  const { quote } = pending;
  if (input.method === 'cash') {
    if (input.tendered === undefined || input.tendered < quote.amount) return err('TENDERED_TOO_LOW', 'the cash handed over is less than the amount due', { due: quote.amount });
  } else if (input.reference === undefined) {
    return err('REFERENCE_REQUIRED', 'bank card and QR payments need the payer reference');
  }
  if (quote.needsApproval !== null && input.approvedBy === null) return err('APPROVAL_REFUSED', `a supervisor must allow a sale despite the ${quote.needsApproval}`);

  // The card must still be the one quoted, in the state quoted.
  const reading = await readCardReusing(ctx);
  if (!reading.ok) return reading;
  if (reading.value === null) return err('NO_CARD', 'no card in the reader');
  const card = reading.value;
  if (card.view.header?.serialHex !== quote.serial) return err('CARD_CHANGED', 'the card in the reader is not the one quoted');
  const sequenceNow = card.view.purchase.kind === 'current' ? card.view.purchase.record.sequence : 0;
  if (sequenceNow !== pending.cardSequence) return err('TXN_EXPIRED', 'the card changed since the quote: prepare it again');
  const account = await loadAccount(ctx, quote.accountNo);
  const check = refusalFor(ctx, card, account);
  if (check.refusal !== null && check.approvable === null) return err('TOPUP_REFUSED', `refused: ${check.refusal}`, { reason: check.refusal });
  if (!account || card.view.account === null || card.view.header === null) return err('CARD_REFUSED', 'the card cannot be read as this account’s card', { reason: 'damaged' });

  const now = ctx.clock.now();
  const ledgerId = docId.ledger(quote.txnId);
  const plan = nextPurchaseRecord(card.view, {
    volume: quote.volume,
    amount: quote.amount,
    tariffYear: quote.tariffYear,
    terminalId: ctx.config.terminalId,
    purchaseTime: now,
    digest: recordDigest(ledgerId, sha256),
  });
  const cardRecord: CardRecord = {
    serial: quote.serial,
    generation: card.view.account.generation,
    slot: plan.slot,
    sequence: plan.record.sequence,
    digestHex: toHex(plan.record.digest),
    recordHex: toHex(plan.bytes),
    volume: quote.volume,
    yearToDateBefore: plan.yearToDateBefore,
    yearToDateAfter: plan.record.yearToDate,
    tariffYear: quote.tariffYear,
    parts: quote.parts,
  };

  // 1. The money and the exact bytes, durably, before the card is touched.
  const entryResult = await ctx.writer.run(async () => {
    const again = await findCommitted(ctx, quote.txnId);
    if (again) return ok({ entry: again, fresh: false });
    // Inside the writer, so two confirms at once cannot both fit under the offline total.
    const limit = ctx.sync.checkTopup(quote.amount);
    if (!limit.ok) return limit;
    const approval: AuditEvent[] = input.approvedBy
      ? [{ kind: 'approval', actor: input.approvedBy.staffNo, subject: quote.txnId, detail: { action: 'top-up-despite-inspection', reason: quote.needsApproval, requestedBy: operator.staffNo } }]
      : [];
    const result = await commitEntry(
      ctx,
      {
        _id: ledgerId,
        type: 'ledger-entry',
        schemaVersion: CURRENT_SCHEMA_VERSION['ledger-entry'],
        entryId: quote.txnId,
        kind: 'top-up',
        stationId: ctx.config.stationId,
        at: now.toISOString(),
        operator,
        accountNo: quote.accountNo,
        tariffVersionId: quote.tariffVersionId,
        amount: quote.amount,
        method: input.method,
        reference: input.method === 'cash' ? null : (input.reference ?? null),
        tendered: input.method === 'cash' ? (input.tendered ?? null) : null,
        change: input.method === 'cash' && input.tendered !== undefined ? subFen(input.tendered, quote.amount) : null,
        bills: [],
        creditDelta: ZERO_FEN,
        reversal: null,
        card: cardRecord,
      },
      approval,
      // Printed once the card holds the gas (recordCardWrite), never for gas the card did not take.
      { queue: false, refuseWithoutNumber: true },
    );
    return result.ok ? ok({ entry: result.value, fresh: true }) : result;
  });
  if (!entryResult.ok) return entryResult;
  const { entry, fresh } = entryResult.value;
  if (!fresh) return ok(resultOf(ctx, entry, true, null));
  ctx.pendingTopups.delete(quote.txnId);
  ctx.emit('ledger.committed', { accountNo: entry.accountNo, entry: toEntryView(entry, undefined) });
  await ctx.faults?.at('entry-committed');

  // 2. The card: the non-current slot, then read back.
  const written = await writeAndReadBack(ctx, card.session, slotOffset(plan.slot), plan.bytes);
  if (!written.ok) return ok(resultOf(ctx, entry, false, `${written.error.code}: ${written.error.message}`));

  // 3. The card holds it.
  await recordCardWrite(ctx, entry, 'read-back', operator);
  return ok(resultOf(ctx, entry, false, null));
}

export async function resumeTopup(ctx: StationContext, operator: OperatorRef, entryId: string): Promise<Result<TopupResult>> {
  const entry = await findCommitted(ctx, entryId);
  if (!entry || entry.kind !== 'top-up') return err('ENTRY_NOT_FOUND', `no top-up ${entryId}`);
  if (ctx.ledger.cardWriteOf(entryId)) return ok(resultOf(ctx, entry, true, null));
  if (ctx.ledger.reversalOf(entryId)) return err('ALREADY_REVERSED', 'this top-up was reversed');
  const reading = await readCard(ctx);
  if (!reading.ok) return reading;
  if (reading.value === null) return err('NO_CARD', 'insert the card of this top-up');
  if (reading.value.view.header?.serialHex !== entry.card?.serial) return err('CARD_CHANGED', 'the card in the reader is not this top-up’s card');
  const outcome = await settleUnfinished(ctx, reading.value, entry, operator);
  if (outcome === 'finished') return ok(resultOf(ctx, entry, false, null));
  if (outcome === 'rewrite') return ok(resultOf(ctx, entry, false, 'the card write did not finish again: keep the card still and retry'));
  return err('TOPUP_REFUSED', `the card cannot take this top-up any more (${outcome}): a supervisor settles it from the ledger`, { reason: outcome });
}

/** The record the card held before `entry`'s, from the other slot or the ledger (for a cancel record's year and year-to-date). */
function previousRecordOf(ctx: StationContext, reading: CardReading, entry: LedgerEntryDoc): PurchaseRecord | null {
  const card = entry.card;
  if (!card) return null;
  const predecessor = card.sequence === 1 ? 65535 : card.sequence - 1;
  const other = reading.view.slots[card.slot === 'A' ? 'B' : 'A'];
  if (other.kind === 'valid' && other.record.sequence === predecessor && successorOf(other.record.sequence) === card.sequence) return other.record;
  for (const earlier of ctx.ledger.forAccount(entry.accountNo)) {
    if (earlier.card && earlier.card.serial === card.serial && earlier.card.sequence === predecessor) {
      const decoded = decodeSlot(fromHex(earlier.card.recordHex));
      if (decoded.kind === 'valid') return decoded.record;
    }
  }
  return null;
}

export async function cancelTopup(
  ctx: StationContext,
  operator: OperatorRef,
  input: { entryId: string; reason: string; approvedBy: OperatorRef },
): Promise<Result<ReversalResult>> {
  const entry = await findCommitted(ctx, input.entryId);
  if (!entry || entry.kind !== 'top-up' || !entry.card) return err('ENTRY_NOT_FOUND', `no top-up ${input.entryId}`);
  const reversalId = reversalEntryId(ctx.config.stationId, entry.entryId);
  const earlier = await findCommitted(ctx, reversalId);
  if (earlier) return ok({ entry: toEntryView(earlier, undefined), replayed: true });
  if (ctx.ledger.reversalOf(entry.entryId)) return err('ALREADY_REVERSED', 'this top-up was already reversed');
  if (!ctx.ledger.cardWriteOf(entry.entryId)) return err('CARD_WRITE_PENDING', 'finish this top-up on its card first (继续写卡)', { entryId: entry.entryId });

  const reading = await readCard(ctx);
  if (!reading.ok) return reading;
  if (reading.value === null) return err('NO_CARD', 'insert the card of this top-up');
  const card = reading.value;
  if (card.view.header?.serialHex !== entry.card.serial) return err('CARD_CHANGED', 'the card in the reader is not this top-up’s card');
  const account = await loadAccount(ctx, entry.accountNo);
  if (!account) return err('ACCOUNT_NOT_FOUND', `no account ${entry.accountNo}`);
  const reversalLedgerId = docId.ledger(reversalId);
  const cancelDigest = recordDigest(reversalLedgerId, sha256);
  const current = card.view.purchase.kind === 'current' ? card.view.purchase : null;

  // A cancel record with this reversal's digest already on the card: an earlier attempt wrote it
  // and did not get to the ledger. Only the reversal is missing.
  const alreadyOnCard = current !== null && isCancelRecord(current.record) && sameBytes(current.record.digest, cancelDigest);
  let slot: 'A' | 'B';
  let record: PurchaseRecord;
  let bytes: Uint8Array;
  if (alreadyOnCard) {
    slot = current.slot;
    record = current.record;
    bytes = card.image.slice(slotOffset(slot), slotOffset(slot) + 32);
  } else {
    if (current === null || current.record.sequence !== entry.card.sequence || toHex(current.record.digest) !== entry.card.digestHex) {
      return err('TOPUP_REFUSED', 'the card’s current record is not this top-up', { reason: 'not-current' });
    }
    const plan = cancelRecordFor(card.view, {
      previousRecord: previousRecordOf(ctx, card, entry),
      terminalId: ctx.config.terminalId,
      time: ctx.clock.now(),
      digest: cancelDigest,
      highestKnownGeneration: highestKnownGeneration(ctx, account),
      utilityCode: ctx.config.utilityCode,
    });
    if (plan.kind === 'refused') return err('TOPUP_REFUSED', `the card refuses the cancel: ${plan.refusal}`, { reason: plan.refusal });
    slot = plan.slot;
    record = plan.record;
    bytes = plan.bytes;
    // The intent, durably, before the card is written: who approved what, and the exact bytes.
    await ctx.writer.run(() =>
      ctx.audit.append([
        {
          kind: 'approval',
          actor: input.approvedBy.staffNo,
          subject: entry.entryId,
          detail: { action: 'top-up-cancel', reversalEntryId: reversalId, reason: input.reason, requestedBy: operator.staffNo, slot, recordHex: toHex(bytes) },
        },
      ]),
    );
    const written = await writeAndReadBack(ctx, card.session, slotOffset(slot), bytes);
    if (!written.ok) return err('CARD_WRITE_PENDING', `the cancel record did not reach the card (${written.error.message}); nothing was refunded: keep the card in and cancel again`);
  }

  // The card proves it: now the money goes out.
  return commitTopupReversal(ctx, operator, entry, input, [], {
    serial: entry.card.serial,
    generation: entry.card.generation,
    slot,
    sequence: record.sequence,
    digestHex: toHex(record.digest),
    recordHex: toHex(bytes),
    volume: ZERO_GAS,
    yearToDateBefore: entry.card.yearToDateAfter,
    yearToDateAfter: gas(record.yearToDate),
    tariffYear: record.tariffYear,
    parts: [],
  });
}

/**
 * The reversal that pays a top-up's money back: written once (its id follows from the top-up's),
 * with the cancel record it put on the card, if it put one.
 */
function commitTopupReversal(
  ctx: StationContext,
  operator: OperatorRef,
  entry: LedgerEntryDoc,
  input: { reason: string; approvedBy: OperatorRef },
  audit: readonly AuditEvent[],
  card?: CardRecord,
): Promise<Result<ReversalResult>> {
  const reversalId = reversalEntryId(ctx.config.stationId, entry.entryId);
  return ctx.writer.run(async () => {
    const again = await findCommitted(ctx, reversalId);
    if (again) return ok({ entry: toEntryView(again, undefined), replayed: true });
    const result = await commitEntry(
      ctx,
      {
        _id: docId.ledger(reversalId),
        type: 'ledger-entry',
        schemaVersion: CURRENT_SCHEMA_VERSION['ledger-entry'],
        entryId: reversalId,
        kind: 'reversal',
        stationId: ctx.config.stationId,
        at: ctx.clock.now().toISOString(),
        operator,
        accountNo: entry.accountNo,
        tariffVersionId: entry.tariffVersionId,
        amount: negFen(entry.amount),
        method: entry.method,
        reference: null,
        tendered: null,
        change: null,
        bills: [],
        creditDelta: ZERO_FEN,
        reversal: { reversesEntryId: entry.entryId, reason: input.reason, approvedBy: input.approvedBy },
        ...(card ? { card } : {}),
      },
      audit,
      { queue: true, refuseWithoutNumber: false },
    );
    if (!result.ok) return result;
    const view = toEntryView(result.value, undefined);
    ctx.emit('ledger.committed', { accountNo: view.accountNo, entry: view });
    return ok({ entry: view, replayed: false });
  });
}

/** Rule 4's last two cases: the card cannot take the pending record; refund it once the card proves it does not hold it. */
export async function settleByRefund(
  ctx: StationContext,
  operator: OperatorRef,
  input: { entryId: string; reason: string; approvedBy: OperatorRef },
): Promise<Result<ReversalResult>> {
  const entry = await findCommitted(ctx, input.entryId);
  if (!entry || entry.kind !== 'top-up' || !entry.card) return err('ENTRY_NOT_FOUND', `no top-up ${input.entryId}`);
  const reversalId = reversalEntryId(ctx.config.stationId, entry.entryId);
  const earlier = await findCommitted(ctx, reversalId);
  if (earlier) return ok({ entry: toEntryView(earlier, undefined), replayed: true });
  if (ctx.ledger.reversalOf(entry.entryId)) return err('ALREADY_REVERSED', 'this top-up was already reversed');
  if (ctx.ledger.cardWriteOf(entry.entryId)) return err('TOPUP_REFUSED', 'the card holds this top-up: cancel it on the card instead', { reason: 'on-card' });
  const reading = await readCard(ctx);
  if (!reading.ok) return reading;
  if (reading.value === null) return err('NO_CARD', 'insert the card of this top-up: a refund needs the card to show it does not hold the purchase');
  if (reading.value.view.header?.serialHex !== entry.card.serial) return err('CARD_CHANGED', 'the card in the reader is not this top-up’s card');
  const pending = pendingOf(entry);
  if (!pending) return err('TOPUP_REFUSED', 'the top-up has no card record', { reason: 'card-damaged' });
  const outcome = pendingRecordOutcome(reading.value.view, pending);
  switch (outcome.kind) {
    case 'confirmed':
      // The card holds it after all: the top-up is finished, not refunded.
      await recordCardWrite(ctx, entry, 'found-on-card', operator);
      return err('TOPUP_REFUSED', 'the card holds this top-up: it is finished, nothing to refund', { reason: 'on-card' });
    case 'rewrite':
      return err('TOPUP_REFUSED', 'the card can still take this top-up: finish it (继续写卡) instead of refunding', { reason: 'rewrite' });
    case 'card-damaged':
      return err('TOPUP_REFUSED', 'the card is damaged: it cannot show whether it holds the purchase; issue a replacement card', { reason: 'card-damaged' });
    case 'other-digest':
    case 'moved-past':
    case 'out-of-step':
      break;
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
  return commitTopupReversal(ctx, operator, entry, input, [
    { kind: 'approval', actor: input.approvedBy.staffNo, subject: entry.entryId, detail: { action: 'top-up-refund', outcome: outcome.kind, reason: input.reason, requestedBy: operator.staffNo } },
  ]);
}
