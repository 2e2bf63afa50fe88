/**
 * What the display board says for a call: the text it shows, the line a Chinese speech-synthesis
 * voice reads, and the recorded clips that say the same where the machine has no Chinese voice.
 *
 * Ticket digits are spoken one by one (A012 is "A 零 一 二", never "A 十二"): a customer compares
 * them with the digits on the paper. The counter is a number a person says (12 → 十二), as every
 * hall in China announces 窗口. Both are written in Chinese characters in `speech`, so every voice
 * reads them the same way instead of guessing how to read "012".
 */

export type AnnouncementLang = 'zh' | 'en';

export interface AnnouncedCall {
  /** `A012`: a capital letter and 3 to 5 digits. */
  readonly number: string;
  /** 1 to 99. */
  readonly counterNo: number;
}

export interface Announcement {
  /** Shown on the board: 请A012号到3号窗口办理. */
  readonly text: string;
  /** Read by a speech-synthesis voice: 请 A 零 一 二 号，到 三 号窗口办理. */
  readonly speech: string;
  /**
   * Recorded clip names in order (files `<name>.wav`). The digit clips 0–9 are the Chinese numerals
   * 零…九, so a counter number is built from them and 'shi' 十. Recordings exist in Chinese only,
   * so an English announcement has none.
   */
  readonly clips: readonly string[];
}

const chineseDigits = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** Every clip a complete set of recordings has: what scripts/make-voice-clips.sh must produce. */
export const ANNOUNCEMENT_CLIPS: readonly string[] = [
  'qing',
  'hao',
  'dao',
  'shi',
  'hao-chuangkou-banli',
  ...chineseDigits.map((_, digit) => String(digit)),
  ...Array.from({ length: 26 }, (_, index) => String.fromCharCode(65 + index)),
];

const ticketNumberPattern = /^([A-Z])(\d{3,5})$/;

function digitWord(digit: string): string {
  const word = chineseDigits[Number(digit)];
  if (word === undefined) throw new RangeError(`not a digit: ${digit}`);
  return word;
}

/**
 * A counter number as clip names of the Chinese numeral: 3 → ['3'], 10 → ['shi'], 12 → ['shi','2'],
 * 20 → ['2','shi'], 35 → ['3','shi','5'].
 */
export function counterNumberClips(counterNo: number): string[] {
  if (!Number.isInteger(counterNo) || counterNo < 1 || counterNo > 99) throw new RangeError(`counter number out of range: ${counterNo}`);
  const tens = Math.floor(counterNo / 10);
  const ones = counterNo % 10;
  const clips: string[] = [];
  if (tens > 1) clips.push(String(tens));
  if (tens > 0) clips.push('shi');
  if (ones > 0) clips.push(String(ones));
  return clips;
}

/** The same numeral as characters: 12 → 十二, 20 → 二十. */
export function counterNumberChinese(counterNo: number): string {
  return counterNumberClips(counterNo)
    .map((clip) => (clip === 'shi' ? '十' : digitWord(clip)))
    .join('');
}

export function announcement(call: AnnouncedCall, lang: AnnouncementLang): Announcement {
  const match = ticketNumberPattern.exec(call.number);
  const letter = match?.[1];
  const digits = match?.[2];
  if (letter === undefined || digits === undefined) throw new RangeError(`not a ticket number: ${call.number}`);
  const counterClips = counterNumberClips(call.counterNo);
  // ASCII digits only (the pattern above), so one character is one digit.
  const digitList = Array.from(digits);
  switch (lang) {
    case 'zh':
      return {
        text: `请${call.number}号到${call.counterNo}号窗口办理`,
        speech: `请 ${letter} ${digitList.map(digitWord).join(' ')} 号，到 ${counterNumberChinese(call.counterNo)} 号窗口办理`,
        clips: ['qing', letter, ...digitList, 'hao', 'dao', ...counterClips, 'hao-chuangkou-banli'],
      };
    case 'en': {
      const text = `Ticket ${call.number}, please go to counter ${call.counterNo}`;
      // Spaced digits: an English voice reads "A 0 1 2", as on the paper, not "A twelve".
      return { text, speech: `Ticket ${letter} ${digitList.join(' ')}, please go to counter ${call.counterNo}`, clips: [] };
    }
    default: {
      const unreachable: never = lang;
      throw new Error(`unknown language ${String(unreachable)}`);
    }
  }
}
