import { describe, expect, it } from 'vitest';
import type { CounterView, TicketView } from '../../core/hall/model.js';
import {
  cleanCredential,
  counterActions,
  formatSeconds,
  isCredential,
  isHubUrl,
  isIpv4,
  nextCounterNo,
  nextServiceCode,
  parseCounterNo,
  parsePort,
  shortcutAction,
  takesPartInHall,
  toggleService,
} from './queue-rules.js';

const ticket: TicketView = {
  ticketId: 'HFSS01/2025-03-14/A012',
  number: 'A012',
  service: 'A',
  issuedService: 'A',
  priority: 'none',
  state: 'called',
  issuedAt: '2025-03-14T01:00:00.000Z',
  queuedAt: '2025-03-14T01:00:00.000Z',
  forCounter: null,
  counterNo: 3,
  firstCalledAt: '2025-03-14T01:05:00.000Z',
  calledAt: '2025-03-14T01:05:00.000Z',
  startedAt: null,
  finishedAt: null,
  recalls: 0,
  transfers: 0,
};

function view(current: TicketView | null, recallsBeforeNoShow = 2): CounterView {
  return { counterNo: 3, services: ['A', 'B'], current, waitingForMe: 4, recallsBeforeNoShow };
}

const press = (key: string, shiftKey = false, ctrlKey = false) => ({ key, shiftKey, ctrlKey, altKey: false, metaKey: false });

describe('counterActions', () => {
  it('lets a free counter only call', () => {
    expect(counterActions('online', view(null), false)).toEqual({ callNext: true, recall: false, start: false, finish: false, noShow: false, transfer: false, recallsLeft: 0 });
  });

  it('offers recall, start, finish and transfer for a called ticket, no-show only after the recalls', () => {
    const called = counterActions('online', view(ticket, 2), false);
    expect(called).toMatchObject({ callNext: false, recall: true, start: true, finish: true, noShow: false, transfer: true, recallsLeft: 2 });
    expect(counterActions('online', view(ticket, 0), false)).toMatchObject({ noShow: true, recallsLeft: 0 });
  });

  it('lets a served ticket be finished or transferred, not recalled, started or marked absent', () => {
    const serving = counterActions('online', view({ ...ticket, state: 'serving', startedAt: '2025-03-14T01:06:00.000Z' }, 0), false);
    expect(serving).toMatchObject({ callNext: false, recall: false, start: false, finish: true, noShow: false, transfer: true, recallsLeft: 0 });
  });

  it('disables everything while a request is in flight, the hub is not online, or before its first answer', () => {
    const nothing = { callNext: false, recall: false, start: false, finish: false, noShow: false, transfer: false, recallsLeft: 0 };
    expect(counterActions('online', view(null), true)).toEqual(nothing);
    expect(counterActions('online', view(ticket, 0), true)).toEqual(nothing);
    for (const connection of ['connecting', 'unreachable', 'refused'] as const) expect(counterActions(connection, view(null), false)).toEqual(nothing);
    expect(counterActions('online', null, false)).toEqual(nothing);
  });
});

describe('shortcutAction', () => {
  it('maps F9, Shift+F9 and F10 and nothing else', () => {
    expect(shortcutAction(press('F9'))).toBe('callNext');
    expect(shortcutAction(press('F9', true))).toBe('recall');
    expect(shortcutAction(press('F10'))).toBe('finish');
    expect(shortcutAction(press('F10', true))).toBeNull();
    expect(shortcutAction(press('F9', false, true))).toBeNull();
    for (const key of ['F2', 'F4', 'F6', 'F7', 'F8', 'Escape', 'Enter']) expect(shortcutAction(press(key))).toBeNull();
  });
});

describe('formatSeconds', () => {
  it('writes mm:ss, h:mm:ss from an hour, and a dash for none', () => {
    expect(formatSeconds(0)).toBe('00:00');
    expect(formatSeconds(7)).toBe('00:07');
    expect(formatSeconds(307.4)).toBe('05:07');
    expect(formatSeconds(3599)).toBe('59:59');
    expect(formatSeconds(3600)).toBe('1:00:00');
    expect(formatSeconds(3725)).toBe('1:02:05');
    expect(formatSeconds(null)).toBe('—');
    expect(formatSeconds(-3)).toBe('00:00');
  });
});

describe('form checks', () => {
  it('reads counter numbers and ports in range only', () => {
    expect(parseCounterNo(' 3 ')).toBe(3);
    expect(parseCounterNo('0')).toBeNull();
    expect(parseCounterNo('100')).toBeNull();
    expect(parseCounterNo('3a')).toBeNull();
    expect(parsePort('7700')).toBe(7700);
    expect(parsePort('80')).toBeNull();
    expect(parsePort('70000')).toBeNull();
  });

  it('checks addresses, hub URLs and pasted credentials', () => {
    expect(isIpv4('0.0.0.0')).toBe(true);
    expect(isIpv4('192.168.1.20')).toBe(true);
    expect(isIpv4('192.168.1.256')).toBe(false);
    expect(isHubUrl('http://192.168.1.20:7700')).toBe(true);
    expect(isHubUrl('ws://192.168.1.20:7700')).toBe(false);
    expect(isHubUrl('192.168.1.20')).toBe(false);
    const credential = `tdh1.abc123def.${'x'.repeat(40)}`;
    expect(isCredential(` ${credential.slice(0, 20)}\n${credential.slice(20)} `)).toBe(true);
    expect(cleanCredential(` ${credential}\n`)).toBe(credential);
    expect(isCredential('tdh1.abc.short')).toBe(false);
  });

  it('picks the next free service letter and counter number', () => {
    const service = (code: string) => ({ code, nameZh: code, nameEn: code, enabled: true });
    expect(nextServiceCode([service('A'), service('B'), service('D')])).toBe('C');
    expect(nextServiceCode(Array.from({ length: 26 }, (_unused, index) => service(String.fromCharCode(65 + index))))).toBeNull();
    expect(nextCounterNo([{ counterNo: 1, services: ['A'] }, { counterNo: 2, services: ['A'] }])).toBe(3);
  });

  it('ticks a counter service in the services order', () => {
    expect(toggleService(['A', 'B', 'C', 'D'], ['C', 'A'], 'B', true)).toEqual(['A', 'B', 'C']);
    expect(toggleService(['A', 'B', 'C'], ['A', 'B', 'C'], 'B', false)).toEqual(['A', 'C']);
  });

  it('knows when a station takes part in a hall queue', () => {
    expect(takesPartInHall(null)).toBe(false);
    expect(takesPartInHall({ hubListen: { enabled: false, bindAddress: '0.0.0.0', port: 7700 }, hub: null, counter: null })).toBe(false);
  });
});
