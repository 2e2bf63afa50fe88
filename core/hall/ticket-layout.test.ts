import { describe, expect, it } from 'vitest';
import { lineWidth, renderPlainText } from '../receipt/layout.js';
import type { TicketView } from './model.js';
import { layoutTicket, type TicketLayoutInput } from './ticket-layout.js';

const ticket: TicketView = {
  ticketId: 'HALL01/2026-03-02/A012',
  number: 'A012',
  service: 'A',
  issuedService: 'A',
  priority: 'elderly',
  state: 'waiting',
  issuedAt: '2026-03-02T01:05:09.000Z',
  queuedAt: '2026-03-02T01:05:09.000Z',
  forCounter: null,
  counterNo: null,
  firstCalledAt: null,
  calledAt: null,
  startedAt: null,
  finishedAt: null,
  recalls: 0,
  transfers: 0,
};

function input(overrides: Partial<TicketLayoutInput> = {}): TicketLayoutInput {
  return {
    hallName: '蜀山营业厅',
    utilityName: '合肥燃气集团',
    ticket,
    serviceNameZh: '缴费',
    serviceNameEn: 'Bill payment',
    waitingAhead: 7,
    timeZone: 'Asia/Shanghai',
    footer: '请留意叫号，过号请重新取号',
    paperColumns: 32,
    ...overrides,
  };
}

const golden32 = [
  '          合肥燃气集团',
  '           蜀山营业厅',
  '================================',
  '            您的号码',
  '            A012',
  '              缴费',
  '          Bill payment',
  '           优先：老年',
  '--------------------------------',
  '     您前面还有 7 位在等候',
  '取号时间：2026-03-02 09:05:09',
  '--------------------------------',
  '   请留意叫号，过号请重新取号',
  '',
  '',
  '- - - - - - - - - - - - - - - -',
].join('\n');

const golden48 = [
  '                  合肥燃气集团',
  '                   蜀山营业厅',
  '================================================',
  '                    您的号码',
  '                    A012',
  '                      缴费',
  '                  Bill payment',
  '                   优先：老年',
  '------------------------------------------------',
  '             您前面还有 7 位在等候',
  '取号时间：2026-03-02 09:05:09',
  '------------------------------------------------',
  '           请留意叫号，过号请重新取号',
  '',
  '',
  '- - - - - - - - - - - - - - - - - - - - - - - -',
].join('\n');

describe('layoutTicket', () => {
  it('prints the golden ticket on 58 mm paper (32 columns)', () => {
    expect(renderPlainText(layoutTicket(input()), 32)).toBe(golden32);
  });

  it('prints the golden ticket on 80 mm paper (48 columns)', () => {
    expect(renderPlainText(layoutTicket(input({ paperColumns: 48 })), 48)).toBe(golden48);
  });

  it('prints the number double size and ends with a cut', () => {
    const lines = layoutTicket(input());
    expect(lines).toContainEqual({ kind: 'text', text: 'A012', align: 'center', size: 'double', bold: true });
    expect(lines.at(-1)).toEqual({ kind: 'cut' });
  });

  it('marks no priority on an ordinary ticket and says when nobody waits ahead', () => {
    const text = renderPlainText(layoutTicket(input({ ticket: { ...ticket, priority: 'none' }, waitingAhead: 0 })), 32);
    expect(text).not.toContain('优先');
    expect(text).toContain('您前面没有人在等候');
    expect(renderPlainText(layoutTicket(input({ ticket: { ...ticket, priority: 'vip' } })), 32)).toContain('优先：VIP');
    expect(renderPlainText(layoutTicket(input({ ticket: { ...ticket, priority: 'disabled' } })), 32)).toContain('优先：残疾');
  });

  it('fits every line on the paper, long names and footers included, without control characters', () => {
    for (const paperColumns of [32, 48] as const) {
      const lines = layoutTicket(
        input({
          paperColumns,
          hallName: '合肥市蜀山区长江西路燃气综合营业服务大厅第二分厅',
          serviceNameZh: '报修/投诉/咨询',
          serviceNameEn: 'Repair / complaint / enquiry and other long words',
          footer: '请留意叫号\u001b@，过号请重新取号。营业时间：周一至周日 8:30-17:30，节假日照常营业。',
          ticket: { ...ticket, number: 'D12345' },
          waitingAhead: 12345,
        }),
      );
      for (const line of lines) {
        if (line.kind !== 'text') continue;
        expect(lineWidth(line)).toBeLessThanOrEqual(paperColumns);
        expect(line.text).not.toMatch(/[\u0000-\u001f]/);
      }
    }
  });
});
