/**
 * The paper queue ticket 排队票 a kiosk prints: a pure function of the ticket, as receipt lines
 * (core/receipt/layout.ts) that each fit the paper, so the same print driver prints it and the
 * kiosk can show the same text on screen.
 */
import type { PaperColumns, ReceiptLine } from '../receipt/layout.js';
import { wrap } from '../receipt/width.js';
import { localDateTimeOf } from '../time/local-date.js';
import type { Priority, TicketView } from './model.js';

export interface TicketLayoutInput {
  readonly hallName: string;
  readonly utilityName: string;
  readonly ticket: TicketView;
  readonly serviceNameZh: string;
  readonly serviceNameEn: string;
  /** Tickets a counter of its service would call before it. */
  readonly waitingAhead: number;
  readonly timeZone: string;
  readonly footer: string;
  readonly paperColumns: PaperColumns;
}

/** The mark on a priority ticket, so the clerk and the customer see why it came first. */
export function priorityMark(priority: Priority): string | null {
  switch (priority) {
    case 'none':
      return null;
    case 'elderly':
      return '优先：老年';
    case 'disabled':
      return '优先：残疾';
    case 'vip':
      return '优先：VIP';
    default: {
      const unreachable: never = priority;
      return unreachable;
    }
  }
}

/** Names and footers are typed by people; a control character would be a printer command. */
function clean(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').trim();
}

export function layoutTicket(input: TicketLayoutInput): ReceiptLine[] {
  const columns = input.paperColumns;
  const lines: ReceiptLine[] = [];
  const text = (value: string, align: 'left' | 'center', bold = false): void => {
    for (const line of wrap(clean(value), columns)) lines.push({ kind: 'text', text: line, align, size: 'normal', bold });
  };
  // Double-size characters are twice as wide, so they wrap at half the columns.
  const double = (value: string): void => {
    for (const line of wrap(clean(value), columns / 2)) lines.push({ kind: 'text', text: line, align: 'center', size: 'double', bold: true });
  };

  text(input.utilityName, 'center');
  text(input.hallName, 'center', true);
  lines.push({ kind: 'rule', char: '=' });
  text('您的号码', 'center');
  double(input.ticket.number);
  text(input.serviceNameZh, 'center', true);
  text(input.serviceNameEn, 'center');
  const mark = priorityMark(input.ticket.priority);
  if (mark !== null) text(mark, 'center', true);
  lines.push({ kind: 'rule', char: '-' });
  const ahead = Math.max(0, Math.trunc(input.waitingAhead));
  text(ahead === 0 ? '您前面没有人在等候' : `您前面还有 ${ahead} 位在等候`, 'center', true);
  text(`取号时间：${localDateTimeOf(new Date(input.ticket.issuedAt), input.timeZone)}`, 'left');
  if (clean(input.footer) !== '') {
    lines.push({ kind: 'rule', char: '-' });
    text(input.footer, 'center');
  }
  lines.push({ kind: 'feed', lines: 2 }, { kind: 'cut' });
  return lines;
}
