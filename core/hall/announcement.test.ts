import { describe, expect, it } from 'vitest';
import { ANNOUNCEMENT_CLIPS, announcement, counterNumberChinese, counterNumberClips } from './announcement.js';

describe('announcement', () => {
  it('says a call in Chinese: shown text, a line for a speech voice, and the recorded clips', () => {
    expect(announcement({ number: 'A012', counterNo: 3 }, 'zh')).toEqual({
      text: '请A012号到3号窗口办理',
      speech: '请 A 零 一 二 号，到 三 号窗口办理',
      clips: ['qing', 'A', '0', '1', '2', 'hao', 'dao', '3', 'hao-chuangkou-banli'],
    });
  });

  it('reads ticket digits one by one, however many, and the counter as a number', () => {
    const said = announcement({ number: 'D10200', counterNo: 12 }, 'zh');
    expect(said.text).toBe('请D10200号到12号窗口办理');
    expect(said.speech).toBe('请 D 一 零 二 零 零 号，到 十二 号窗口办理');
    expect(said.clips).toEqual(['qing', 'D', '1', '0', '2', '0', '0', 'hao', 'dao', 'shi', '2', 'hao-chuangkou-banli']);
  });

  it('says it in English without clips (the recordings are Chinese)', () => {
    expect(announcement({ number: 'B007', counterNo: 20 }, 'en')).toEqual({
      text: 'Ticket B007, please go to counter 20',
      speech: 'Ticket B 0 0 7, please go to counter 20',
      clips: [],
    });
  });

  it('refuses what is not a ticket number or a counter', () => {
    expect(() => announcement({ number: 'a012', counterNo: 3 }, 'zh')).toThrow(RangeError);
    expect(() => announcement({ number: 'A12', counterNo: 3 }, 'zh')).toThrow(RangeError);
    expect(() => announcement({ number: 'A012', counterNo: 0 }, 'zh')).toThrow(RangeError);
    expect(() => announcement({ number: 'A012', counterNo: 100 }, 'zh')).toThrow(RangeError);
    expect(() => announcement({ number: 'A012', counterNo: 2.5 }, 'zh')).toThrow(RangeError);
  });
});

describe('counter numbers in Chinese', () => {
  it.each([
    [1, ['1'], '一'],
    [9, ['9'], '九'],
    [10, ['shi'], '十'],
    [11, ['shi', '1'], '十一'],
    [19, ['shi', '9'], '十九'],
    [20, ['2', 'shi'], '二十'],
    [35, ['3', 'shi', '5'], '三十五'],
    [90, ['9', 'shi'], '九十'],
    [99, ['9', 'shi', '9'], '九十九'],
  ])('%i → %j %s', (counterNo, clips, chinese) => {
    expect(counterNumberClips(counterNo)).toEqual(clips);
    expect(counterNumberChinese(counterNo)).toBe(chinese);
  });

  it('every clip any call can need is in the recording list', () => {
    const needed = new Set<string>();
    for (let counterNo = 1; counterNo <= 99; counterNo += 1) {
      for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
        for (const clip of announcement({ number: `${letter}0123456789`.slice(0, 4), counterNo }, 'zh').clips) needed.add(clip);
      }
    }
    for (const digit of '0123456789') for (const clip of announcement({ number: `A${digit}${digit}${digit}`, counterNo: 1 }, 'zh').clips) needed.add(clip);
    expect([...needed].sort()).toEqual([...ANNOUNCEMENT_CLIPS].sort());
  });
});
