/**
 * THE contract between the UI and the station: every command, its input schema, its output
 * schema and who may call it. Electron main, the station host and the renderer are all typed
 * from this one map; a command without a handler is a compile error in electron/station.
 */
import { z } from 'zod';
import { idNumberInputSchema, phoneInputSchema } from './person.js';
import {
  accountNoSchema,
  customerTypeSchema,
  entryIdSchema,
  gasSchema,
  meterKindSchema,
  nonNegativeFenSchema,
  paymentMethodSchema,
  staffNoSchema,
  type Role,
} from '../schema/primitives.js';
import { cardInspectionSchema, cardIssueResultSchema, demoCardSchema, readerStateSchema, topupQuoteSchema, topupResultSchema } from './cards.js';
import {
  accountDetailSchema,
  accountOpenedSchema,
  auditCheckSchema,
  loginResultSchema,
  operatorViewSchema,
  paymentConfirmationSchema,
  paymentQuoteSchema,
  reversalResultSchema,
  searchResultSchema,
  stationInfoSchema,
} from './views.js';
import { centralRejectionSchema, offlineLimitsSchema, syncStateSchema } from './sync.js';
import { conflictListSchema, creditRefundInputSchema, syncDbSchema, transferInputSchema, transferResultSchema, transferViewSchema } from './transfer.js';
import { hallConfigureInputSchema, issueDeviceInputSchema, issuedDeviceSchema, queueStateSchema, queueTicketDetailSchema, queueTicketInputSchema } from './hall.js';
import { deviceViewSchema } from '../hall/contract.js';
import { hallFiguresSchema, hallSettingsSchema, transferTargetSchema } from '../hall/model.js';
import { printerSettingsSchema, printerStateSchema, printerTestResultSchema, printJobViewSchema, printPreviewSchema, receiptNoSchema, receiptViewSchema } from './printing.js';

/** Who may call a command: anyone connected, any logged-in operator, or only some roles. */
export type Access = { readonly kind: 'public' } | { readonly kind: 'session'; readonly roles: readonly Role[] | 'any' };

export interface CommandSpec {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  readonly access: Access;
  /** Allowed while the session is locked (only what unlocking and logging out need). */
  readonly whileLocked?: boolean;
}

const publicAccess = { kind: 'public' } as const;
const anyOperator = { kind: 'session', roles: 'any' } as const;
/** Roles that serve customers at a counter or in a van. */
const serving = { kind: 'session', roles: ['clerk', 'van', 'supervisor', 'manager'] } as const;
const overseeing = { kind: 'session', roles: ['supervisor', 'manager', 'admin'] } as const;
const configuring = { kind: 'session', roles: ['manager', 'admin'] } as const;
const administering = { kind: 'session', roles: ['admin'] } as const;

const passwordSchema = z.string().min(1).max(128);
const empty = z.strictObject({});
const approverSchema = z.strictObject({ staffNo: staffNoSchema, password: passwordSchema });


/**
 * A new account 开户. The ID number is checked here (format, birth date, check character) so the
 * UI can show the same message before it sends; a prepaid meter's number must be the 12 digits
 * the IC card carries as BCD.
 */
export const openAccountInputSchema = z
  .strictObject({
    ownerName: z.string().trim().min(1).max(64),
    idNumber: idNumberInputSchema,
    phone: phoneInputSchema,
    address: z.string().trim().min(1).max(128),
    districtCode: z.string().trim().min(1).max(32),
    districtName: z.string().trim().min(1).max(32),
    meterNo: z.string().trim().min(4).max(20),
    meterKind: meterKindSchema,
    tariffCode: z.string().trim().min(1).max(32),
    customerType: customerTypeSchema,
  })
  .superRefine((value, check) => {
    if (value.meterKind === 'prepaid-card' && !/^\d{12}$/.test(value.meterNo)) {
      check.addIssue({ code: 'custom', path: ['meterNo'], message: 'a prepaid meter number is 12 digits (the IC card carries it as BCD)' });
    }
  });
export type OpenAccountInput = z.output<typeof openAccountInputSchema>;

export const commands = {
  'station.info': { input: empty, output: stationInfoSchema, access: publicAccess },
  'session.login': {
    input: z.strictObject({ staffNo: staffNoSchema, password: passwordSchema }),
    output: loginResultSchema,
    access: publicAccess,
  },
  'session.current': { input: empty, output: operatorViewSchema, access: anyOperator, whileLocked: true },
  'session.unlock': { input: z.strictObject({ password: passwordSchema }), output: operatorViewSchema, access: anyOperator, whileLocked: true },
  'session.lock': { input: empty, output: z.object({ locked: z.literal(true) }), access: anyOperator, whileLocked: true },
  'session.logout': { input: empty, output: z.object({ loggedOut: z.literal(true) }), access: anyOperator, whileLocked: true },
  'accounts.search': {
    input: z.strictObject({ query: z.string().trim().min(1).max(64), limit: z.number().int().min(1).max(50).optional() }),
    output: searchResultSchema,
    access: serving,
  },
  'accounts.get': { input: z.strictObject({ accountNo: accountNoSchema }), output: accountDetailSchema, access: serving },
  /** Opens a new account 开户 with the next number of this station's range (works offline). */
  'accounts.open': { input: openAccountInputSchema, output: accountOpenedSchema, access: serving },
  'payments.prepare': {
    input: z.strictObject({
      accountNo: accountNoSchema,
      billIds: z.array(z.string().min(1).max(64)).min(1).max(120),
      /** Use the account's credit 预存 towards the bills (default true). */
      useCredit: z.boolean().optional(),
    }),
    output: paymentQuoteSchema,
    access: serving,
  },
  'payments.confirm': {
    input: z.strictObject({
      txnId: entryIdSchema,
      method: paymentMethodSchema,
      /** Cash handed over; required for cash, at least the amount due. */
      tendered: nonNegativeFenSchema.optional(),
      /** Bank-card or QR payer's reference; required for those methods. */
      reference: z.string().trim().min(4).max(64).optional(),
    }),
    output: paymentConfirmationSchema,
    access: serving,
  },
  'ledger.reverse': {
    input: z.strictObject({
      entryId: entryIdSchema,
      reason: z.string().trim().min(2).max(200),
      approver: z.strictObject({ staffNo: staffNoSchema, password: passwordSchema }),
    }),
    output: reversalResultSchema,
    access: serving,
  },
  'audit.check': { input: empty, output: auditCheckSchema, access: overseeing },

  'reader.state': { input: empty, output: readerStateSchema, access: anyOperator },
  'reader.ports': { input: empty, output: z.object({ ports: z.array(z.object({ path: z.string(), manufacturer: z.string().nullable() })) }), access: configuring },
  'reader.configure': {
    input: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('serial'), path: z.string().trim().min(1).max(128), baudRate: z.union([z.literal(9600), z.literal(19200), z.literal(38400), z.literal(115200)]) }),
      z.strictObject({ kind: z.literal('emulator') }),
      z.strictObject({ kind: z.literal('none') }),
    ]),
    output: readerStateSchema,
    access: configuring,
  },
  'reader.test': { input: empty, output: z.object({ ok: z.boolean(), description: z.string().nullable(), roundTripMs: z.number().nullable(), problem: z.string().nullable() }), access: configuring },
  /** Reads the card in the reader: its state, its account, whether a purchase may be made, unfinished top-ups. */
  'card.inspect': { input: empty, output: cardInspectionSchema, access: serving },
  'topup.prepare': {
    input: z.strictObject({
      accountNo: accountNoSchema,
      serial: z.string().regex(/^[0-9A-F]{16}$/),
      by: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('volume'), volume: gasSchema }), z.strictObject({ kind: z.literal('amount'), amount: nonNegativeFenSchema })]),
    }),
    output: topupQuoteSchema,
    access: serving,
  },
  'topup.confirm': {
    input: z.strictObject({
      txnId: entryIdSchema,
      method: paymentMethodSchema,
      tendered: nonNegativeFenSchema.optional(),
      reference: z.string().trim().min(4).max(64).optional(),
      /** A supervisor lifting a failed or overdue safety inspection refusal. */
      approver: z.strictObject({ staffNo: staffNoSchema, password: passwordSchema }).optional(),
    }),
    output: topupResultSchema,
    access: serving,
  },
  /** Finishes an unfinished top-up from the card in the reader (confirm it, or write the very same bytes again). */
  'topup.resume': { input: z.strictObject({ entryId: entryIdSchema }), output: topupResultSchema, access: serving },
  /** Cancels a top-up the meter has not loaded: a cancel record on the card, then the reversal. */
  'topup.cancel': {
    input: z.strictObject({ entryId: entryIdSchema, reason: z.string().trim().min(2).max(200), approver: z.strictObject({ staffNo: staffNoSchema, password: passwordSchema }) }),
    output: reversalResultSchema,
    access: serving,
  },
  /** Issues the account's first card 发卡 on the BLANK card in the reader. */
  'card.issue': { input: z.strictObject({ accountNo: accountNoSchema }), output: cardIssueResultSchema, access: serving },
  /**
   * A replacement card 补卡 on the BLANK card in the reader, with a supervisor's approval: one
   * generation higher (the meter then refuses the old card) and the account's last card record in
   * slot A (rule 7).
   */
  'card.replace': {
    input: z.strictObject({ accountNo: accountNoSchema, reason: z.string().trim().min(2).max(200), approver: approverSchema }),
    output: cardIssueResultSchema,
    access: serving,
  },
  /**
   * A supervisor settles an unfinished top-up the card can no longer take (another record under
   * its sequence, or the card moved past it): refunded by a reversal, only after reading the card
   * shows it does not hold the record. A new purchase with the customer's consent is then an
   * ordinary top-up.
   */
  'topup.settle': {
    input: z.strictObject({ entryId: entryIdSchema, reason: z.string().trim().min(2).max(200), approver: z.strictObject({ staffNo: staffNoSchema, password: passwordSchema }) }),
    output: reversalResultSchema,
    access: serving,
  },
  'printer.state': { input: empty, output: printerStateSchema, access: anyOperator },
  /** Sends the job the queue stopped on again now (it also goes on by itself once the printer is fine). */
  'printer.retry': { input: empty, output: printerStateSchema, access: serving },
  /**
   * The clerk's word on the job the queue stopped on: it 'came-out' (on paper after all), or
   * 'skip' it (the customer left; it can be reprinted from the history). Both are recorded.
   */
  'printer.resolve': {
    input: z.strictObject({ jobId: z.string().min(1).max(120), outcome: z.enum(['came-out', 'skip']) }),
    output: printerStateSchema,
    access: serving,
  },
  'printer.configure': { input: printerSettingsSchema, output: printerStateSchema, access: configuring },
  /** Prints a test page now (not through the queue) and says how the printer answered. */
  'printer.test': { input: empty, output: printerTestResultSchema, access: configuring },
  /** The receipts of one account at this station, newest first. */
  'receipts.list': { input: z.strictObject({ accountNo: accountNoSchema }), output: z.object({ receipts: z.array(receiptViewSchema) }), access: serving },
  /** Prints a receipt again, marked 重打 with its count. */
  'receipts.reprint': { input: z.strictObject({ receiptNo: receiptNoSchema }), output: printJobViewSchema, access: serving },
  /** What the station's virtual printer printed most recently (newest last), after `afterJobNo`. */
  'printer.previews': {
    input: z.strictObject({ afterJobNo: z.number().int().min(0).optional() }),
    output: z.object({ previews: z.array(printPreviewSchema) }),
    access: anyOperator,
  },
  /** The demo's virtual printer runs out of paper, opens its cover, goes offline, hangs or is fine. */
  'demo.printer': {
    input: z.strictObject({ state: z.enum(['ok', 'paper-out', 'cover-open', 'offline', 'stalled']) }),
    output: z.object({ done: z.literal(true) }),
    access: anyOperator,
  },
  // Sync with central (issue 5): the replication's state, a push/pull now, the offline limits.
  /** Online or offline, pending count, last success and error, offline-limit usage, numbers left. */
  'sync.state': { input: empty, output: syncStateSchema, access: anyOperator },
  /** Pushes and pulls now instead of waiting for the next round or back-off. */
  'sync.now': { input: empty, output: syncStateSchema, access: serving },
  /** Changes this station's offline limits (saved to station.json). */
  'sync.configureLimits': { input: offlineLimitsSchema, output: syncStateSchema, access: configuring },
  /** Account openings and card issues of this station that central refused, newest first. */
  'sync.rejections': { input: empty, output: z.object({ rejections: z.array(centralRejectionSchema) }), access: serving },

  // ── Ownership transfer 过户, credit refunds, conflicts (issue 5) ──
  /** Records an ownership transfer 过户 (with its fee and 过户回执); central applies or rejects it. */
  'accounts.transfer': { input: transferInputSchema, output: transferResultSchema, access: serving },
  /** This station's transfers in one state (default: rejected), newest first: the search screen's notice. */
  'transfers.list': {
    input: z.strictObject({ state: z.enum(['pending', 'applied', 'rejected']).optional() }),
    output: z.object({ transfers: z.array(transferViewSchema) }),
    access: serving,
  },
  /** Pays credit 预存 back out of the till (a 'credit-refund' entry and a 退款收据), with a supervisor's approval. */
  'credit.refund': { input: creditRefundInputSchema, output: reversalResultSchema, access: serving },
  /** Documents with CouchDB conflicts in the station's local databases. */
  'sync.conflicts': { input: empty, output: conflictListSchema, access: overseeing },
  /** Keeps one revision of a conflicted master document and deletes the others (never a ledger or station document). */
  'sync.resolveConflict': {
    input: z.strictObject({ db: syncDbSchema, id: z.string().min(1).max(200), keepRev: z.string().min(3).max(80) }),
    output: z.object({ resolved: z.literal(true), rev: z.string() }),
    access: configuring,
  },
  // ── The hall queue 排队叫号 (issue 6): this counter's calls through the hub, the hub's settings ──
  /** This station's part in the hall queue: the hub it serves, its counter's link and current ticket. */
  'queue.state': { input: empty, output: queueStateSchema, access: anyOperator },
  /** Calls the next ticket to this counter (the hub decides which; never one another counter called). */
  'queue.callNext': { input: empty, output: queueStateSchema, access: serving },
  'queue.recall': { input: queueTicketInputSchema, output: queueStateSchema, access: serving },
  'queue.start': { input: queueTicketInputSchema, output: queueStateSchema, access: serving },
  'queue.finish': { input: queueTicketInputSchema, output: queueStateSchema, access: serving },
  /** Marks the called customer absent 过号 (allowed after the hall's number of recalls). */
  'queue.noShow': { input: queueTicketInputSchema, output: queueStateSchema, access: serving },
  'queue.transfer': { input: queueTicketInputSchema.extend({ to: transferTargetSchema }), output: queueStateSchema, access: serving },
  /** The hall's live figures: waiting now, waiting and service times by service and counter, no-shows. */
  'queue.figures': { input: empty, output: hallFiguresSchema, access: overseeing },
  /** One ticket of today: the hub's story of it and the ledger entries stamped with it. */
  'queue.ticket': { input: queueTicketInputSchema, output: queueTicketDetailSchema, access: overseeing },
  /** Saves this station's hub listener and counter link (station.json) and applies them now. */
  'hall.configure': { input: hallConfigureInputSchema, output: queueStateSchema, access: administering },
  /** The hall's queue settings (this station must be the hub). */
  'hall.settings': { input: empty, output: hallSettingsSchema, access: configuring },
  'hall.saveSettings': { input: hallSettingsSchema, output: hallSettingsSchema, access: configuring },
  /** Kiosks, boards and counters holding a credential of this hub. */
  'hall.devices': { input: empty, output: z.object({ devices: z.array(deviceViewSchema) }), access: administering },
  /** Issues a lasting credential for a device (shown once). */
  'hall.issueDevice': { input: issueDeviceInputSchema, output: issuedDeviceSchema, access: administering },
  /** Revokes a device's credential: its open connection is closed at once and it is refused from then on. */
  'hall.revokeDevice': { input: z.strictObject({ deviceId: z.string().regex(/^[a-z0-9]{6,40}$/) }), output: z.object({ device: deviceViewSchema }), access: administering },
  'demo.cards': { input: empty, output: z.object({ cards: z.array(demoCardSchema) }), access: anyOperator },
  'demo.card': {
    input: z.discriminatedUnion('action', [
      z.strictObject({ action: z.literal('insert'), card: z.string().min(1).max(64) }),
      z.strictObject({ action: z.literal('remove') }),
      z.strictObject({ action: z.literal('use-in-meter') }),
    ]),
    output: z.object({ done: z.literal(true) }),
    access: anyOperator,
  },
} as const satisfies Record<string, CommandSpec>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<C extends CommandName> = z.input<Commands[C]['input']>;
export type ParsedInput<C extends CommandName> = z.output<Commands[C]['input']>;
export type CommandOutput<C extends CommandName> = z.output<Commands[C]['output']>;

export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(commands, value);
}

export { accountNoSchema };
