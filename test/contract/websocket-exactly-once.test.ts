/**
 * The contract over the real station host: the same payment confirm sent on two WebSockets at
 * once, and again on a new socket after the first dropped, gives one ledger entry.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { Result } from '../../core/contract/result.js';
import { fen } from '../../core/money/money.js';
import { startStationHost, type StationHost } from '../../electron/host/station-host.js';
import { openTestStation, unwrap, type TestStation } from '../support/station-fixture.js';

class Socket {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: Result<unknown>) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { type: string; id?: number; result?: Result<unknown> };
      if (message.type === 'response' && message.id !== undefined && message.result) this.waiting.get(message.id)?.(message.result);
    });
  }

  static open(host: StationHost): Promise<Socket> {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { headers: { Origin: `http://127.0.0.1:${host.port}` } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Socket(ws)));
      ws.once('error', reject);
    });
  }

  call<C extends CommandName>(command: C, input: CommandInput<C>, session?: string): Promise<Result<CommandOutput<C>>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (result) => resolve(result as Result<CommandOutput<C>>));
      this.ws.send(JSON.stringify({ type: 'request', id, command, input, ...(session ? { session } : {}) }));
    });
  }

  drop(): void {
    this.ws.terminate();
  }
}

let t: TestStation;
let host: StationHost;

beforeEach(async () => {
  t = await openTestStation();
  host = await startStationHost({ dispatcher: t.station.dispatcher, rendererDir: 'dist/renderer', port: 0 });
});
afterEach(async () => {
  await host.close();
  await t.dispose();
});

describe('confirm over WebSocket', () => {
  it('gives one entry for two sockets at once and for a resend after a reconnect', async () => {
    const a = await Socket.open(host);
    const b = await Socket.open(host);
    const session = unwrap(await a.call('session.login', { staffNo: '1001', password: '123456' })).session;

    let accountNo = '';
    let billIds: string[] = [];
    for (const summary of unwrap(await a.call('accounts.search', { query: '王', limit: 50 }, session)).results) {
      if (summary.meterKind !== 'post-paid') continue;
      const detail = unwrap(await a.call('accounts.get', { accountNo: summary.accountNo }, session));
      billIds = detail.bills.filter((bill) => bill.status === 'unpaid').map((bill) => bill.billId);
      if (billIds.length > 0) {
        accountNo = summary.accountNo;
        break;
      }
    }
    expect(accountNo).not.toBe('');
    const quote = unwrap(await a.call('payments.prepare', { accountNo, billIds }, session));
    const confirm = { txnId: quote.txnId, method: 'cash' as const, tendered: fen(quote.due) };

    const [first, second] = await Promise.all([a.call('payments.confirm', confirm, session), b.call('payments.confirm', confirm, session)]);
    expect(unwrap(first).entry.entryId).toBe(quote.txnId);
    expect(unwrap(second).entry.entryId).toBe(quote.txnId);

    // The clerk's socket drops; the transport reconnects and sends the confirm again.
    a.drop();
    const c = await Socket.open(host);
    const again = unwrap(await c.call('payments.confirm', confirm, session));
    expect(again.replayed).toBe(true);
    expect(again.entry.entryId).toBe(quote.txnId);

    const history = unwrap(await c.call('accounts.get', { accountNo }, session)).history;
    expect(history.filter((entry) => entry.kind === 'bill-payment')).toHaveLength(1);
    b.drop();
    c.drop();
  });
});
