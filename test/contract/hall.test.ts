/**
 * The hall queue through real stations: the hub station (also counter 1), a second counter
 * station, a third counter, a kiosk and a board as hall clients, all on loopback. A ticket is
 * issued, called (priority first), served with a payment that carries its stamp, transferred,
 * marked no-show after its recalls; a revoked board is refused; the hub restarts, then a counter
 * station restarts, and neither loses anything; while the hub is down a counter says so and
 * still takes payments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDateOf } from '../../core/time/local-date.js';
import { fen } from '../../core/money/money.js';
import type { CallView } from '../../core/hall/model.js';
import { connectHallClient, type HallClient } from '../../electron/hall/hall-client.js';
import { startVirtualPrinter, type VirtualPrinter } from '../../hardware/printer/virtual-printer.js';
import { findDemoAccount } from '../support/demo-accounts.js';
import { freePort, waitUntil } from '../support/hall.js';
import { openTestStation, TEST_NOW, TEST_SEED, unwrap, type TestStation } from '../support/station-fixture.js';

const ACCOUNTS = 60;
const today = localDateOf(new Date(TEST_NOW), 'Asia/Shanghai');
const payer = findDemoAccount({ seed: TEST_SEED, count: ACCOUNTS, today, minUnpaid: 1 });
const walkIn = findDemoAccount({ seed: TEST_SEED, count: ACCOUNTS, today, minUnpaid: 2, skip: 1 });

let hub: TestStation;
let second: TestStation;
let hubUrl: string;
let admin: string;
let clerkAtHub: string;
let clerkAtSecond: string;
let printer: VirtualPrinter;
let kiosk: HallClient;
let board: HallClient;
let third: HallClient;
let boardCredential: string;
const announced: CallView[] = [];

const codeOf = (result: { ok: boolean; error?: { code: string; details?: Readonly<Record<string, unknown>> } }) => (result.ok ? 'ok' : result.error?.code);

beforeAll(async () => {
  const port = await freePort();
  hubUrl = `http://127.0.0.1:${port}`;
  printer = await startVirtualPrinter({ port: 0, columns: 32 });
  hub = await openTestStation(ACCOUNTS, { overrides: { hall: { hub: { enabled: true, bindAddress: '127.0.0.1', port }, counter: null } } });
  second = await openTestStation(ACCOUNTS, { overrides: { stationId: 'HF-SS-02', receiptNumbers: { prefix: 'HFSS02', from: 1, to: 99_999_999 } } });
  admin = await hub.login('9001');
  const issue = async (kind: 'kiosk' | 'board' | 'counter', name: string, counterNo: number | null) =>
    unwrap(
      await hub.call(
        'hall.issueDevice',
        {
          kind,
          name,
          counterNo,
          printer: kind === 'kiosk' ? { model: 'escpos', interface: { kind: 'tcp', host: '127.0.0.1', port: printer.port }, paperColumns: 32, mode: 'text', kickDrawerOnCash: false } : null,
        },
        admin,
      ),
    );
  const counter1 = await issue('counter', '1号窗口', 1);
  const counter2 = await issue('counter', '2号窗口', 2);
  const counter3 = await issue('counter', '3号窗口', 3);
  const kioskDevice = await issue('kiosk', '取号机', null);
  const boardDevice = await issue('board', '叫号屏', null);
  boardCredential = boardDevice.credential;
  expect(kioskDevice.pageUrl).toBe(`${hubUrl}/kiosk#device=${kioskDevice.credential}`);

  unwrap(await hub.call('hall.configure', { hub: { enabled: true, bindAddress: '127.0.0.1', port }, counter: { hubUrl, credential: counter1.credential } }, admin));
  const secondAdmin = await second.login('9001');
  const configured = unwrap(await second.call('hall.configure', { hub: { enabled: false, bindAddress: '192.168.1.30', port: 7710 }, counter: { hubUrl, credential: counter2.credential } }, secondAdmin));
  // Not a hub, but the saved listener is there for the settings form; the credential never comes back.
  expect(configured.hub).toBeNull();
  expect(configured.hubListen).toEqual({ enabled: false, bindAddress: '192.168.1.30', port: 7710 });
  expect(JSON.stringify(configured)).not.toContain(counter2.credential);
  kiosk = connectHallClient({ hubUrl, credential: kioskDevice.credential });
  board = connectHallClient({ hubUrl, credential: boardDevice.credential });
  third = connectHallClient({ hubUrl, credential: counter3.credential });
  board.onCalled((call) => announced.push(call));
  clerkAtHub = await hub.login('1001');
  clerkAtSecond = await second.login('1002');
  await waitUntil(async () => {
    const states = [unwrap(await hub.call('queue.state', {}, clerkAtHub)), unwrap(await second.call('queue.state', {}, clerkAtSecond))];
    return states.every((state) => state.counter?.connection === 'online') && kiosk.state().connection === 'online' && board.state().connection === 'online' && third.state().connection === 'online';
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([kiosk.close(), board.close(), third.close()]);
  await second.dispose();
  await hub.dispose();
  await printer.close();
});

async function take(service: string, priority: 'none' | 'elderly' | 'disabled' | 'vip' = 'none'): Promise<string> {
  const issued = await kiosk.call('hall.issueTicket', { requestId: `kiosk-${Math.random().toString(36).slice(2, 12)}`, service, priority });
  if (!issued.ok) throw new Error(`issue failed: ${issued.error.code}`);
  return issued.value.ticket.number;
}

describe('the hall queue across stations', () => {
  it('prints the ticket on the kiosk printer and calls priority first; the payment made for it carries the ticket', async () => {
    const before = printer.jobs().length;
    const ordinary = await take('A');
    const elderly = await take('A', 'elderly');
    expect([ordinary, elderly]).toEqual(['A001', 'A002']);
    const jobs = await printer.waitForJobs(before + 2);
    const text = (jobs[before]?.summary.lines ?? []).join('\n');
    expect(text).toContain('A001');
    expect(text).toContain('缴费');

    const called = unwrap(await hub.call('queue.callNext', {}, clerkAtHub));
    expect(called.counter?.view?.current?.number).toBe('A002');
    await waitUntil(() => announced.some((call) => call.number === 'A002' && call.counterNo === 1));
    // A double press: the counter has a ticket, so no second call.
    expect(codeOf(await hub.call('queue.callNext', {}, clerkAtHub))).toBe('HALL_COUNTER_BUSY');
    const ticketId = called.counter?.view?.current?.ticketId ?? '';
    unwrap(await hub.call('queue.start', { ticketId }, clerkAtHub));

    const bill = payer.unpaid[0];
    if (!bill) throw new Error('no bill');
    const quote = unwrap(await hub.call('payments.prepare', { accountNo: payer.account.accountNo, billIds: [bill.billId] }, clerkAtHub));
    const paid = unwrap(await hub.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.due }, clerkAtHub)).entry;
    expect(paid.ticket).toEqual({ ticketId, number: 'A002', counterNo: 1, hallId: hub.station.stationId });
    unwrap(await hub.call('queue.finish', { ticketId }, clerkAtHub));

    const manager = await hub.login('3001');
    const detail = unwrap(await hub.call('queue.ticket', { ticketId }, manager));
    expect(detail.history.events.map((event) => event.kind)).toEqual(['issued', 'called', 'started', 'finished']);
    expect(detail.entries.map((entry) => entry.entryId)).toEqual([paid.entryId]);
  });

  it('stamps the fee of a 过户 made for a ticket, like every entry', async () => {
    // VIP: called before A001, which still waits for the next test.
    await take('C', 'vip');
    const called = unwrap(await hub.call('queue.callNext', {}, clerkAtHub)).counter?.view?.current;
    expect(called?.number).toBe('C001');
    const owner = findDemoAccount({ seed: TEST_SEED, count: ACCOUNTS, today, minUnpaid: 0, skip: 5 }).account;
    unwrap(
      await hub.call(
        'accounts.transfer',
        { accountNo: owner.accountNo, newOwner: { name: '新户主', idNumber: '340104199003070013', phone: '13955123456' }, documentsSeen: ['id-card'], payment: { method: 'cash', tendered: fen(2000) } },
        clerkAtHub,
      ),
    );
    unwrap(await hub.call('queue.finish', { ticketId: called?.ticketId ?? '' }, clerkAtHub));
    const manager = await hub.login('3001');
    const detail = unwrap(await hub.call('queue.ticket', { ticketId: called?.ticketId ?? '' }, manager));
    expect(detail.entries.map((entry) => [entry.kind, entry.ticket?.number])).toEqual([['transfer-fee', 'C001']]);
  });

  it('transfers a ticket to another counter, which alone may call it; no-show only after the recalls', async () => {
    const called = unwrap(await second.call('queue.callNext', {}, clerkAtSecond));
    const ticket = called.counter?.view?.current;
    expect(ticket?.number).toBe('A001');
    unwrap(await second.call('queue.transfer', { ticketId: ticket?.ticketId ?? '', to: { kind: 'counter', counterNo: 3 } }, clerkAtSecond));
    // Counter 1 serves A as well, but the ticket was sent to counter 3.
    expect(codeOf(await hub.call('queue.callNext', {}, clerkAtHub))).toBe('HALL_QUEUE_EMPTY');
    const atThird = await third.call('hall.callNext', { requestId: 'third-call-0001' });
    expect(atThird.ok && atThird.value.current?.number).toBe('A001');
    // The same request again (a resend): the same answer, nothing called twice.
    const again = await third.call('hall.callNext', { requestId: 'third-call-0001' });
    expect(again.ok && again.value.current?.number).toBe('A001');
    unwrap(await third.call('hall.finish', { requestId: 'third-finish-0001', ticketId: ticket?.ticketId ?? '' }));

    await take('B');
    const absent = unwrap(await second.call('queue.callNext', {}, clerkAtSecond)).counter?.view?.current;
    expect(absent?.number).toBe('B001');
    const absentId = absent?.ticketId ?? '';
    expect(codeOf(await second.call('queue.noShow', { ticketId: absentId }, clerkAtSecond))).toBe('HALL_TICKET_STATE');
    unwrap(await second.call('queue.recall', { ticketId: absentId }, clerkAtSecond));
    unwrap(await second.call('queue.recall', { ticketId: absentId }, clerkAtSecond));
    await waitUntil(() => announced.filter((call) => call.number === 'B001' && call.recall).length === 2);
    const free = unwrap(await second.call('queue.noShow', { ticketId: absentId }, clerkAtSecond));
    expect(free.counter?.view?.current).toBeNull();
  });

  it('refuses a revoked board at once and from then on', async () => {
    // The demo hub issued its own board at first start too: revoke this test's, named in its credential.
    const boardId = boardCredential.split('.')[1] ?? '';
    const devices = unwrap(await hub.call('hall.devices', {}, admin)).devices;
    expect(devices.find((device) => device.deviceId === boardId)?.online).toBe(true);
    unwrap(await hub.call('hall.revokeDevice', { deviceId: boardId }, admin));
    await waitUntil(() => board.state().connection === 'refused', 10_000, 25, () => `board: ${JSON.stringify(board.state())}`);
    const again = connectHallClient({ hubUrl, credential: boardCredential });
    try {
      await waitUntil(() => again.state().connection === 'refused', 10_000, 25, () => `again: ${JSON.stringify(again.state())}`);
      expect(codeOf(await again.call('hall.board', {}))).toBe('HALL_DEVICE_REFUSED');
    } finally {
      await again.close();
    }
    // A counter's credential does not make a kiosk: kinds are enforced.
    expect(codeOf(await third.call('hall.issueTicket', { requestId: 'third-issue-0001', service: 'A', priority: 'none' }))).toBe('HALL_DEVICE_REFUSED');
  });

  it('loses nothing when the hub restarts; while it is down the counter says so and still serves', async () => {
    const [walkInBill, heldBill] = [...walkIn.unpaid].sort((a, b) => a.period.localeCompare(b.period));
    if (!walkInBill || !heldBill) throw new Error('two bills needed');
    const pay = async (billId: string) => {
      const quote = unwrap(await second.call('payments.prepare', { accountNo: walkIn.account.accountNo, billIds: [billId] }, clerkAtSecond));
      return unwrap(await second.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.due }, clerkAtSecond)).entry;
    };
    // A walk-in without a ticket: the counter has none, and the entry carries none.
    expect(unwrap(await second.call('queue.state', {}, clerkAtSecond)).counter?.view?.current).toBeNull();
    expect((await pay(walkInBill.billId)).ticket).toBeUndefined();

    await take('B');
    const held = unwrap(await second.call('queue.callNext', {}, clerkAtSecond)).counter?.view?.current;
    expect(held?.number).toBe('B002');
    const waiting = await take('B');

    await hub.station.close();
    await waitUntil(async () => unwrap(await second.call('queue.state', {}, clerkAtSecond)).counter?.connection === 'unreachable', 20_000);
    expect(codeOf(await second.call('queue.finish', { ticketId: held?.ticketId ?? '' }, clerkAtSecond))).toBe('HALL_UNREACHABLE');
    // The customer called before the hub went away is still served, under that ticket.
    expect((await pay(heldBill.billId)).ticket?.number).toBe('B002');

    await hub.restart();
    clerkAtHub = await hub.login('1001');
    await waitUntil(async () => unwrap(await second.call('queue.state', {}, clerkAtSecond)).counter?.connection === 'online', 20_000);
    const after = unwrap(await second.call('queue.state', {}, clerkAtSecond));
    expect(after.counter?.view?.current?.number).toBe('B002');
    // The counter station restarts too: its ticket is the hub's to keep, and comes back.
    await second.restart();
    clerkAtSecond = await second.login('1002');
    await waitUntil(async () => unwrap(await second.call('queue.state', {}, clerkAtSecond)).counter?.view?.current?.number === 'B002', 20_000);
    unwrap(await second.call('queue.finish', { ticketId: held?.ticketId ?? '' }, clerkAtSecond));
    // The numbering goes on where it was.
    expect(await take('B')).toBe('B004');
    expect(waiting).toBe('B003');
    const manager = await hub.login('3001');
    const figures = unwrap(await hub.call('queue.figures', {}, manager));
    expect(figures.tickets.map((ticket) => `${ticket.number}:${ticket.state}`)).toEqual(['A001:done', 'A002:done', 'C001:done', 'B001:no-show', 'B002:done', 'B003:waiting', 'B004:waiting']);
    expect(figures.total.noShows).toBe(1);
    expect(figures.nowWaiting).toBe(2);
  }, 60_000);
});
