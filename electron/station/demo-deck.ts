/**
 * The demo station's deck of emulated cards, made from its own prepaid demo accounts so that an
 * inserted card pops up a real account: one card per situation a counter meets (a new card, a
 * purchase the meter loaded, one it has not, a torn write, a failed safety inspection, a locked
 * card, one attempt left, damaged slots, another utility's card, a blank card).
 */
import type { DemoCardSpec, DemoRecordSpec } from '../../hardware/emulator/deck.js';
import type { AccountDoc } from '../../core/schema/documents.js';

export interface DemoDeck {
  readonly specs: DemoCardSpec[];
  /** Short Chinese labels for the demo panel: thirteen of them share one row at 1366 px. */
  readonly labels: ReadonlyMap<string, string>;
}

const YEAR = 2026;

function purchase(account: AccountDoc, seq: number, volume: number, yearToDate: number, time: string): DemoRecordSpec {
  return {
    seq,
    volume,
    // Priced at tier 1 (2.80 yuan/m³): the demo's history, made before Tongda.
    amount: Math.round((volume * 280) / 100),
    yearToDate,
    tariffYear: YEAR,
    terminalId: 0x0000_0100,
    time,
    ledgerId: `ledger:before-tongda:${account.accountNo}:${seq}`,
  };
}

function issued(name: string, account: AccountDoc, extra: Partial<Extract<DemoCardSpec, { kind: 'issued' }>> = {}): DemoCardSpec {
  if (account.cardSerial === null) throw new Error(`account ${account.accountNo} has no card`);
  return {
    kind: 'issued',
    name,
    accountNo: account.accountNo,
    meterNo: account.meterNo,
    serialHex: account.cardSerial,
    generation: 0,
    ...extra,
  };
}

/** `candidates` are the demo's prepaid accounts in id order; the deck takes what it needs. */
export function buildDemoDeck(candidates: readonly AccountDoc[]): DemoDeck {
  const usable = candidates.filter((a) => a.meterKind === 'prepaid-card' && a.status === 'active' && a.cardSerial !== null && /^\d{1,12}$/.test(a.meterNo));
  const passed = usable.filter((a) => a.customerType === 'residential' && a.inspection.result === 'passed' && a.inspection.nextDueDate !== null && a.inspection.nextDueDate > `${YEAR}-12-31`);
  const failed = usable.find((a) => a.inspection.result === 'failed');
  // A small demo (a few dozen accounts) gets the cards it has accounts for, not an error.
  const take = (i: number): AccountDoc | null => passed[i] ?? null;
  const labels = new Map<string, string>();
  const specs: DemoCardSpec[] = [];
  const add = (label: string, spec: DemoCardSpec) => {
    labels.set(spec.name, label);
    specs.push(spec);
  };

  const fresh = take(0);
  if (fresh) add('新卡', issued('new', fresh));
  const loaded = take(1);
  if (loaded) add(
    '已入表',
    issued('loaded', loaded, {
      slotA: purchase(loaded, 1, 5000, 5000, `${YEAR}-03-10T10:00:00+08:00`),
      returnBlock: 'meter',
      meter: { remaining: 1234, measured: 3766, lastSeq: 1, lastLedgerId: `ledger:before-tongda:${loaded.accountNo}:1`, status: 0 },
    }),
  );
  const unloaded = take(2);
  if (unloaded) add(
    '未入表',
    issued('unloaded', unloaded, {
      slotA: purchase(unloaded, 1, 5000, 5000, `${YEAR}-02-12T10:00:00+08:00`),
      slotB: purchase(unloaded, 2, 3000, 8000, `${YEAR}-10-20T15:30:00+08:00`),
      returnBlock: 'meter',
      meter: { remaining: 800, measured: 4200, lastSeq: 1, lastLedgerId: `ledger:before-tongda:${unloaded.accountNo}:1`, status: 0b0000_0010 },
    }),
  );
  const torn = take(3);
  if (torn) add(
    '写卡中断',
    issued('torn', torn, {
      slotA: purchase(torn, 1, 2000, 2000, `${YEAR}-01-05T09:00:00+08:00`),
      slotB: 'torn',
      returnBlock: 'meter',
      meter: { remaining: 500, measured: 1500, lastSeq: 1, lastLedgerId: `ledger:before-tongda:${torn.accountNo}:1`, status: 0b0000_0001 },
    }),
  );
  if (failed?.cardSerial) {
    add(
      '安检不合格',
      issued('inspection', failed, {
        slotA: purchase(failed, 1, 3000, 3000, `${YEAR}-04-01T10:00:00+08:00`),
        returnBlock: 'meter',
        meter: { remaining: 300, measured: 2700, lastSeq: 1, lastLedgerId: `ledger:before-tongda:${failed.accountNo}:1`, status: 0 },
      }),
    );
  }
  const locked = take(4);
  if (locked) add('已锁卡', issued('locked', locked, { securityCounter: 0x00 }));
  const oneAttempt = take(5);
  if (oneAttempt) add('剩一次密码', issued('one-attempt', oneAttempt, { securityCounter: 0x01 }));
  const damaged = take(6);
  if (damaged) add(
    '数据损坏',
    issued('damaged', damaged, {
      slotA: purchase(damaged, 1, 2000, 2000, `${YEAR}-01-05T09:00:00+08:00`),
      slotB: purchase(damaged, 5, 2000, 4000, `${YEAR}-02-05T09:00:00+08:00`),
    }),
  );
  add('外公司卡', {
    kind: 'issued',
    name: 'foreign',
    accountNo: '990000000001',
    meterNo: '990000000001',
    serialHex: 'F0E0D0C0B0A09081',
    generation: 0,
    utilityCode: 0x5444_0099,
    cardKeyHex: 'ffeeddccbbaa99887766554433221100',
  });
  // Several blank cards, so a demo can open an account, issue a card and replace one in one run.
  add('空白卡1', { kind: 'blank', name: 'blank' });
  add('空白卡2', { kind: 'blank', name: 'blank-2' });
  add('空白卡3', { kind: 'blank', name: 'blank-3' });
  return { specs, labels };
}
