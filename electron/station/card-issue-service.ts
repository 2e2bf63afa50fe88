/**
 * Issuing a card 发卡 and a replacement card 补卡 on a BLANK card, as the card layout's "Issuing a
 * card" and rule 7 say, and the reader protocol's "Changing the PSC":
 *
 *   1. the card must be blank: 256 zero bytes, nothing protected, three PSC attempts;
 *   2. the intent goes to the audit log (and a replacement's approval), before the card is touched;
 *   3. present FF FF FF; write the header and the account block (and, for a replacement, the
 *      account's last card record into slot A, byte for byte) and read it all back — everything
 *      but the PSC is on the card before the PSC changes;
 *   4. power the card up again as the card it now is (its serial is the one just written), present
 *      FF FF FF, CHANGE_PSC to HMAC(card key, serial)[0..3] through the driver's `changePsc`
 *      (power off and on, verify the new code, the old one once as a fallback);
 *   5. protect 0x00..0x1F;
 *   6. the 'card-issue' ledger entry (the card fee) with its audit record: the account shows the
 *      new card through the account overlay until central's master copy names it.
 *
 * Nothing is ever retried on a card whose PSC change was unclear or failed: such a card is no
 * longer blank, so a second issue refuses it ('not-blank'), and a spoiled one is recorded.
 */
import { recordCardWrite } from './card-service.js';
import { createHmac } from 'node:crypto';
import type { CardIssueResult } from '../../core/contract/cards.js';
import { err, ok, type ErrorCode, type Result } from '../../core/contract/result.js';
import { decodeSlot, encodeAccountBlock, encodeHeader, isNewer, slotOffset, toCardSecond, SERIAL_SIZE } from '../../core/card/layout.js';
import { BLANK_PSC, parseCardKeyHex, pscFor, type HmacSha256 } from '../../core/card/psc.js';
import { makeEntryId } from '../../core/ledger/rules.js';
import { fen, ZERO_FEN } from '../../core/money/money.js';
import type { CardReaderPort, CardSession, ReaderError } from '../../core/reader/port.js';
import { CURRENT_SCHEMA_VERSION, docId, type AccountDoc, type LedgerEntryDoc } from '../../core/schema/documents.js';
import type { OperatorRef } from '../../core/schema/primitives.js';
import { refreshAccountIndex } from './account-overlay.js';
import { loadAccount, tariffVersionFor, toEntryView, today } from './account-view.js';
import type { AuditEvent } from './audit-log.js';
import type { StationContext } from './context.js';
import { commitEntry } from './ledger-writer.js';

const hmacSha256: HmacSha256 = (key, message) => new Uint8Array(createHmac('sha256', key).update(message).digest());

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

/** Header, account block, slot A: what an issue writes before the PSC changes. */
const ISSUE_AREA = 0x00;
const HEADER_BYTES = 0x20;
const MAX_GENERATION = 255;

export interface IssueRequest {
  readonly accountNo: string;
  /** A replacement card 补卡: why, and the supervisor who approved it (already checked). */
  readonly replacement: { readonly reason: string; readonly approvedBy: OperatorRef } | null;
}

/** The account's last card record, carried onto a replacement card (rule 7). */
interface CarriedRecord {
  readonly entryId: string;
  readonly sequence: number;
  readonly bytes: Uint8Array;
}

function readerError<T>(error: ReaderError, reason?: string): Result<T> {
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
    PSC_NOT_CHANGED: 'CARD_REFUSED',
    CARD_SPOILED: 'CARD_REFUSED',
    PROTECTED: 'CARD_REFUSED',
    READBACK_MISMATCH: 'CARD_REFUSED',
  };
  const code = map[error.code] ?? 'READER_UNAVAILABLE';
  return err(code, `card reader: ${error.code}: ${error.message}`, reason === undefined ? { readerCode: error.code } : { readerCode: error.code, reason });
}

/**
 * The highest card generation the station knows for the account: the account's, every card
 * record in the ledger, and every card issued. A replacement is one above it.
 */
export function highestGeneration(ctx: StationContext, account: AccountDoc): number {
  let highest = account.cardGeneration ?? 0;
  for (const entry of ctx.ledger.forAccount(account.accountNo)) {
    if (entry.card && entry.card.generation > highest) highest = entry.card.generation;
    if (entry.cardIssue && entry.cardIssue.generation > highest) highest = entry.cardIssue.generation;
  }
  return highest;
}

/**
 * Rule 7's "last card record from the ledger": the newest top-up or cancel record of the account,
 * confirmed or pending, but not a top-up already settled by a refund (a reversal without a cancel
 * record: the card never held it, so the meter must not get it).
 */
export function lastCardRecord(ctx: StationContext, accountNo: string): CarriedRecord | null {
  let newest: LedgerEntryDoc | null = null;
  for (const entry of ctx.ledger.forAccount(accountNo)) {
    if (!entry.card || (entry.kind !== 'top-up' && entry.kind !== 'reversal')) continue;
    if (entry.kind === 'top-up') {
      const reversal = ctx.ledger.reversalOf(entry.entryId);
      if (reversal && !reversal.card) continue;
    }
    if (newest === null || newer(entry, newest)) newest = entry;
  }
  const card = newest?.card;
  if (!newest || !card) return null;
  return { entryId: newest.entryId, sequence: card.sequence, bytes: fromHex(card.recordHex) };
}

/** Later in time; within one card, the record with the newer sequence (a cancel follows its top-up at once). */
function newer(a: LedgerEntryDoc, b: LedgerEntryDoc): boolean {
  if (a.card && b.card && a.card.serial === b.card.serial && a.card.sequence !== b.card.sequence) return isNewer(a.card.sequence, b.card.sequence);
  return a.at > b.at;
}

interface BlankCard {
  readonly port: CardReaderPort;
  readonly session: CardSession;
}

/** The card in the reader, if it is blank: all zero, nothing protected, three PSC attempts. */
async function blankCardInReader(ctx: StationContext): Promise<Result<BlankCard>> {
  const port = ctx.reader.port();
  if (!port) return err('READER_UNAVAILABLE', `no card reader is connected (${ctx.reader.state().problem ?? ctx.reader.state().kind})`);
  const status = await port.cardStatus();
  if (!status.ok) return readerError(status.error);
  if (!status.value.present) return err('NO_CARD', 'insert a blank card');
  if (status.value.kind !== 'sle4442') return err('CARD_REFUSED', 'the card in the reader is not an SLE4442 card', { reason: 'not-blank' });
  const opened = await port.openCard();
  if (!opened.ok) return readerError(opened.error);
  const session = opened.value;
  const image = new Uint8Array(256);
  for (const start of [0, 128]) {
    const part = await session.readMain(start, 128);
    if (!part.ok) return readerError(part.error);
    image.set(part.value, start);
  }
  const security = await session.readSecurity();
  if (!security.ok) return readerError(security.error);
  const protection = await session.readProtection();
  if (!protection.ok) return readerError(protection.error);
  const problems = [
    ...(image.some((byte) => byte !== 0) ? ['the card holds data'] : []),
    ...(protection.value.protectedBytes.some(Boolean) ? ['part of the card is protected'] : []),
    ...(security.value.attemptsLeft < 3 ? [`the card has ${security.value.attemptsLeft} PSC attempts left`] : []),
  ];
  if (problems.length > 0) return err('CARD_REFUSED', `only a blank card can be issued: ${problems.join('; ')}`, { reason: 'not-blank' });
  return ok({ port, session });
}

function randomSerial(ctx: StationContext): Uint8Array {
  // An all-zero serial would read as a blank card's header; 2^-64, but cheap to rule out.
  for (;;) {
    const serial = fromHex(ctx.randomHex(SERIAL_SIZE));
    if (serial.some((byte) => byte !== 0)) return serial;
  }
}

async function audit(ctx: StationContext, events: readonly AuditEvent[]): Promise<void> {
  await ctx.writer.run(() => ctx.audit.append(events));
}

/** One issue at a time per station: there is one reader, and a double click must not mix two serials on one card. */
const issuing = new WeakMap<StationContext, Promise<unknown>>();

export function issueCard(ctx: StationContext, operator: OperatorRef, request: IssueRequest): Promise<Result<CardIssueResult>> {
  const before = issuing.get(ctx) ?? Promise.resolve();
  const run = before.then(
    () => issueOnce(ctx, operator, request),
    () => issueOnce(ctx, operator, request),
  );
  issuing.set(ctx, run);
  return run;
}

async function issueOnce(ctx: StationContext, operator: OperatorRef, request: IssueRequest): Promise<Result<CardIssueResult>> {
  const account = await loadAccount(ctx, request.accountNo);
  if (!account) return err('ACCOUNT_NOT_FOUND', `no account ${request.accountNo}`);
  if (account.status === 'closed') return err('ACCOUNT_CLOSED', `account ${account.accountNo} is closed`);
  const invalid = (path: string, message: string): Result<CardIssueResult> => err('INVALID_INPUT', message, { issues: [{ path, message }] });
  if (account.meterKind !== 'prepaid-card') return invalid('accountNo', 'only a prepaid account has an IC card');
  // The card carries both numbers as 12 BCD digits.
  if (!/^\d{1,12}$/.test(account.accountNo) || !/^\d{1,12}$/.test(account.meterNo)) return invalid('accountNo', 'the account or meter number does not fit the card’s 12 digits');
  const cardTariff = ctx.config.cardTariffCodes[account.tariffCode];
  if (cardTariff === undefined) return err('NO_TARIFF', `no card tariff code is configured for ${account.tariffCode}`);
  const tariff = tariffVersionFor(ctx, account, today(ctx));
  if (!tariff) return err('NO_TARIFF', `no tariff ${account.tariffCode} in force`);
  if (ctx.config.cardKeyHex === null) return err('READER_UNAVAILABLE', 'no card key is configured for this station: cards cannot be issued');
  const cardKey = parseCardKeyHex(ctx.config.cardKeyHex);

  const replacement = request.replacement;
  const issuedBefore = ctx.ledger.forAccount(account.accountNo).some((entry) => entry.kind === 'card-issue');
  if (replacement === null && (account.cardSerial !== null || issuedBefore)) {
    return invalid('accountNo', `account ${account.accountNo} already has a card${account.cardSerial ? ` (${account.cardSerial})` : ''}: a lost or broken card is replaced (补卡)`);
  }
  const generation = replacement === null ? (account.cardGeneration ?? 0) : highestGeneration(ctx, account) + 1;
  if (generation > MAX_GENERATION) return err('CARD_REFUSED', 'the account has had 255 replacement cards: a technician resets the meter first', { reason: 'generation-exhausted' });
  const carried = replacement === null ? null : lastCardRecord(ctx, account.accountNo);
  if (carried !== null && decodeSlot(carried.bytes).kind !== 'valid') {
    return err('INTERNAL', `the ledger's last card record of account ${account.accountNo} (${carried.entryId}) is not a valid slot`);
  }

  const blank = await blankCardInReader(ctx);
  if (!blank.ok) return blank;

  const now = ctx.clock.now();
  const serial = randomSerial(ctx);
  const serialHex = toHex(serial).toUpperCase();
  const header = encodeHeader({ utilityCode: ctx.config.utilityCode, serial });
  const accountBlock = encodeAccountBlock({ accountNo: account.accountNo, meterNo: account.meterNo, tariffCode: cardTariff, issueTime: toCardSecond(now), generation });
  const image = new Uint8Array(carried === null ? 0x40 : slotOffset('A') + 0x20);
  image.set(header, 0x00);
  image.set(accountBlock, 0x20);
  if (carried !== null) image.set(carried.bytes, slotOffset('A'));
  const subject = account.accountNo;
  const about = { accountNo: account.accountNo, serial: serialHex, generation, replacement: replacement !== null };

  // The intent first: which card was started for whom (and who approved a replacement), so a
  // card that leaves the counter half-issued is traceable.
  await audit(ctx, [
    ...(replacement
      ? [{ kind: 'approval' as const, actor: replacement.approvedBy.staffNo, subject, detail: { action: 'card-replace', reason: replacement.reason, requestedBy: operator.staffNo } }]
      : []),
    { kind: 'card-issue', actor: operator.staffNo, subject, detail: { ...about, stage: 'started', carriedEntryId: carried?.entryId ?? null } },
  ]);
  const failed = async (stage: string, error: ReaderError, reason: string): Promise<Result<CardIssueResult>> => {
    await audit(ctx, [{ kind: 'card-issue', actor: operator.staffNo, subject, detail: { ...about, stage, readerCode: error.code } }]);
    return readerError(error, reason);
  };

  // Everything but the PSC, read back, while the card still opens with FF FF FF.
  const first = blank.value.session;
  const verified = await first.verifyPsc(Uint8Array.from(BLANK_PSC));
  if (!verified.ok) return failed('blank-psc', verified.error, 'not-blank');
  const written = await first.write(ISSUE_AREA, image);
  if (!written.ok) return failed('write', written.error, 'write-failed');
  const back = await first.readMain(ISSUE_AREA, image.length);
  if (!back.ok) return failed('read-back', back.error, 'write-failed');
  if (!sameBytes(back.value, image)) return failed('read-back', { code: 'READBACK_MISMATCH', message: 'the card differs from what was written' }, 'write-failed');

  // The card now carries its serial: power it up as that card (the reader's session is bound to
  // the serial it read at power-on, all zero until now), then change the PSC.
  const reopened = await blank.value.port.openCard();
  if (!reopened.ok) return failed('reopen', reopened.error, 'write-failed');
  const session = reopened.value;
  if (session.serial !== serialHex) return failed('reopen', { code: 'CARD_CHANGED', message: `card ${session.serial} is in the slot, not ${serialHex}` }, 'card-changed');
  const again = await session.verifyPsc(Uint8Array.from(BLANK_PSC));
  if (!again.ok) return failed('blank-psc', again.error, 'write-failed');
  const changed = await session.changePsc(pscFor(cardKey, serial, hmacSha256));
  if (!changed.ok) {
    const code = changed.error.code;
    if (code === 'CARD_SPOILED') {
      // Neither code opens it: record it and never present anything to it again.
      await audit(ctx, [{ kind: 'card-spoiled', actor: operator.staffNo, subject, detail: { ...about, attemptsLeft: changed.error.attemptsLeft ?? null } }]);
      return readerError(changed.error, 'spoiled');
    }
    // PSC_NOT_CHANGED, or an outcome nobody can know (a timeout, a pulled card): the card is left
    // as it is, never tried again with another code here.
    return failed(code === 'PSC_NOT_CHANGED' ? 'psc-not-changed' : 'psc-unclear', changed.error, code === 'PSC_NOT_CHANGED' ? 'psc-not-changed' : 'psc-unclear');
  }
  const protectedHeader = await session.writeProtect(0x00, header.slice(0, HEADER_BYTES));
  if (!protectedHeader.ok) return failed('protect', protectedHeader.error, 'protect-failed');

  // The card is issued: the ledger entry (the fee); the overlay shows the card until master names it.
  const entryId = makeEntryId(ctx.config.stationId, now, ctx.randomHex(8));
  const fee = fen(ctx.config.cardFee);
  const committed = await ctx.writer.run(async () => {
    const result = await commitEntry(
      ctx,
      {
        _id: docId.ledger(entryId),
        type: 'ledger-entry',
        schemaVersion: CURRENT_SCHEMA_VERSION['ledger-entry'],
        entryId,
        kind: 'card-issue',
        stationId: ctx.config.stationId,
        at: now.toISOString(),
        operator,
        accountNo: account.accountNo,
        tariffVersionId: tariff.versionId,
        amount: fee,
        method: fee > 0 ? 'cash' : null,
        reference: null,
        tendered: null,
        change: null,
        bills: [],
        creditDelta: ZERO_FEN,
        reversal: null,
        cardIssue: {
          serial: serialHex,
          generation,
          replacement: replacement !== null,
          previousSerial: account.cardSerial,
          reason: replacement?.reason ?? null,
          approvedBy: replacement?.approvedBy ?? null,
          carried: carried === null ? null : { entryId: carried.entryId, sequence: carried.sequence, recordHex: toHex(carried.bytes) },
        },
      },
      [],
      // The card is issued already: recorded whether or not a receipt number is left.
      { queue: true, refuseWithoutNumber: false },
    );
    return result;
  });
  if (!committed.ok) return committed;
  await refreshAccountIndex(ctx, account.accountNo);
  // A top-up whose card write was never confirmed, carried onto the replacement and read back
  // there: the replacement holds it now, so it is finished (the meter loads it at most once).
  const carriedEntry = carried === null ? undefined : ctx.ledger.get(carried.entryId);
  if (carriedEntry?.kind === 'top-up' && !ctx.ledger.cardWriteOf(carriedEntry.entryId)) {
    await recordCardWrite(ctx, carriedEntry, 'carried-to-replacement', operator, serialHex);
  }
  const view = toEntryView(committed.value, undefined);
  ctx.emit('ledger.committed', { accountNo: account.accountNo, entry: view });
  return ok({ accountNo: account.accountNo, serial: serialHex, generation, replacement: replacement !== null, carriedSequence: carried?.sequence ?? null, entry: view });
}
