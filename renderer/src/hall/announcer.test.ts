import { describe, expect, it } from 'vitest';
import type { VoiceSettings } from '../../../core/hall/model.js';
import { createAnnouncer, type Speaker, type Utterance } from './announcer.js';

type Said = { readonly kind: 'chime' } | { readonly kind: 'say'; readonly speech: string; readonly clips: readonly string[]; readonly rate: number };

/**
 * Records what would be heard. Each sound stays "playing" until the test releases it, so overlap
 * would show as a second sound starting while one is still open.
 */
function recordingSpeaker() {
  const said: Said[] = [];
  const open: (() => void)[] = [];
  let playing = 0;
  let overlapped = false;
  const sound = (entry: Said) =>
    new Promise<void>((resolve) => {
      if (playing > 0) overlapped = true;
      playing += 1;
      said.push(entry);
      open.push(() => {
        playing -= 1;
        resolve();
      });
    });
  const speaker: Speaker = {
    chime: () => sound({ kind: 'chime' }),
    say: (utterance: Utterance, rate: number) => sound({ kind: 'say', speech: utterance.speech, clips: utterance.clips, rate }),
  };
  return {
    speaker,
    said,
    get overlapped() {
      return overlapped;
    },
    get playing() {
      return playing;
    },
    /** Finishes the sound now playing, then lets the announcer start the next one. */
    async finishOne() {
      const release = open.shift();
      if (release === undefined) throw new Error('nothing is playing');
      release();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    async finishAll() {
      while (open.length > 0) await this.finishOne();
    },
  };
}

const voice = (changes: Partial<VoiceSettings> = {}): VoiceSettings => ({ enabled: true, repeat: 1, preferSpeechSynthesis: true, rate: 0.9, chime: true, ...changes });

const a012 = { speech: '请 A 零 一 二 号，到 三 号窗口办理', clips: ['qing', 'A', '0', '1', '2', 'hao', 'dao', '3', 'hao-chuangkou-banli'] };

describe('the board announcer', () => {
  it('speaks a call: the chime, then the line in Chinese at the set rate', async () => {
    const recorder = recordingSpeaker();
    const announcer = createAnnouncer({ speaker: recorder.speaker, settings: () => voice() });
    announcer.announce({ number: 'A012', counterNo: 3 });
    await recorder.finishAll();
    await announcer.idle();
    expect(recorder.said).toEqual([{ kind: 'chime' }, { kind: 'say', ...a012, rate: 0.9 }]);
  });

  it('announces a recall again, in full', async () => {
    const recorder = recordingSpeaker();
    const announcer = createAnnouncer({ speaker: recorder.speaker, settings: () => voice() });
    announcer.announce({ number: 'A012', counterNo: 3 });
    await recorder.finishAll();
    announcer.announce({ number: 'A012', counterNo: 3 });
    await recorder.finishAll();
    await announcer.idle();
    expect(recorder.said).toEqual([{ kind: 'chime' }, { kind: 'say', ...a012, rate: 0.9 }, { kind: 'chime' }, { kind: 'say', ...a012, rate: 0.9 }]);
  });

  it('speaks two calls back to back in order, the second waiting for the first to finish', async () => {
    const recorder = recordingSpeaker();
    const announcer = createAnnouncer({ speaker: recorder.speaker, settings: () => voice({ repeat: 2 }) });
    announcer.announce({ number: 'A012', counterNo: 3 });
    announcer.announce({ number: 'B004', counterNo: 12 });
    // Only the first call's chime has started: the second call waits its turn.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(recorder.said).toEqual([{ kind: 'chime' }]);
    await recorder.finishOne();
    expect(recorder.said).toHaveLength(2);
    // A call arriving while the first speaks also waits.
    announcer.announce({ number: 'C001', counterNo: 1 });
    await recorder.finishAll();
    await announcer.idle();
    expect(recorder.overlapped).toBe(false);
    expect(recorder.said.map((entry) => (entry.kind === 'chime' ? 'chime' : entry.speech))).toEqual([
      'chime',
      '请 A 零 一 二 号，到 三 号窗口办理',
      '请 A 零 一 二 号，到 三 号窗口办理',
      'chime',
      '请 B 零 零 四 号，到 十二 号窗口办理',
      '请 B 零 零 四 号，到 十二 号窗口办理',
      'chime',
      '请 C 零 零 一 号，到 一 号窗口办理',
      '请 C 零 零 一 号，到 一 号窗口办理',
    ]);
  });

  it('says the line `repeat` times, with the chime only before the first; no chime when it is off', async () => {
    const recorder = recordingSpeaker();
    const announcer = createAnnouncer({ speaker: recorder.speaker, settings: () => voice({ repeat: 3, chime: false, rate: 1.2 }) });
    announcer.announce({ number: 'A012', counterNo: 3 });
    await recorder.finishAll();
    await announcer.idle();
    expect(recorder.said).toEqual([
      { kind: 'say', ...a012, rate: 1.2 },
      { kind: 'say', ...a012, rate: 1.2 },
      { kind: 'say', ...a012, rate: 1.2 },
    ]);
  });

  it('says nothing when the voice is off, and does not replay old calls when it is turned on', async () => {
    const recorder = recordingSpeaker();
    let settings = voice({ enabled: false });
    const announcer = createAnnouncer({ speaker: recorder.speaker, settings: () => settings });
    announcer.announce({ number: 'A012', counterNo: 3 });
    await announcer.idle();
    expect(recorder.said).toEqual([]);
    settings = voice({ chime: false });
    announcer.announce({ number: 'A013', counterNo: 2 });
    await recorder.finishAll();
    await announcer.idle();
    expect(recorder.said.map((entry) => (entry.kind === 'say' ? entry.speech : 'chime'))).toEqual(['请 A 零 一 三 号，到 二 号窗口办理']);
  });

  it('reads the settings when a call’s turn comes: voice turned off meanwhile drops the waiting call', async () => {
    const recorder = recordingSpeaker();
    let settings = voice({ chime: false });
    const announcer = createAnnouncer({ speaker: recorder.speaker, settings: () => settings });
    announcer.announce({ number: 'A012', counterNo: 3 });
    announcer.announce({ number: 'A013', counterNo: 2 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    settings = voice({ enabled: false });
    await recorder.finishAll();
    await announcer.idle();
    expect(recorder.said).toEqual([{ kind: 'say', ...a012, rate: 0.9 }]);
  });

  it('goes on after a speaker that fails', async () => {
    const said: string[] = [];
    const speaker: Speaker = {
      chime: () => Promise.resolve(),
      say: (utterance) => {
        said.push(utterance.speech);
        return said.length === 1 ? Promise.reject(new Error('audio device gone')) : Promise.resolve();
      },
    };
    const errors: unknown[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const announcer = createAnnouncer({ speaker, settings: () => voice() });
      announcer.announce({ number: 'A012', counterNo: 3 });
      announcer.announce({ number: 'A013', counterNo: 3 });
      await announcer.idle();
    } finally {
      console.error = originalError;
    }
    expect(said).toEqual(['请 A 零 一 二 号，到 三 号窗口办理', '请 A 零 一 三 号，到 三 号窗口办理']);
    expect(errors).toHaveLength(1);
  });
});
