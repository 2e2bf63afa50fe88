/**
 * The display board's voice. Calls queue up and are spoken one at a time (a chime, then the line
 * `repeat` times), so two counters calling at once are both heard, in order, never over each
 * other. What is said comes from core/hall/announcement.ts; how it is said is a Speaker:
 * the machine's Chinese speech-synthesis voice, or recorded clips where it has none.
 */
import { announcement } from '../../../core/hall/announcement.js';
import type { VoiceSettings } from '../../../core/hall/model.js';

export interface Utterance {
  readonly text: string;
  readonly speech: string;
  readonly clips: readonly string[];
  readonly lang: 'zh-CN';
}

export interface Speaker {
  /** Resolves when the chime has sounded. */
  chime(): Promise<void>;
  /** Resolves when the utterance has been spoken (or could not be: a speaker never rejects for a missing voice). */
  say(utterance: Utterance, rate: number): Promise<void>;
}

export interface CallToAnnounce {
  readonly number: string;
  readonly counterNo: number;
}

export interface Announcer {
  /** Queues a call (a recall is just another call); returns at once. */
  announce(call: CallToAnnounce): void;
  /** Resolves when nothing is queued or being spoken (tests; a page about to reload). */
  idle(): Promise<void>;
  /** Drops what is queued; what is being spoken finishes. */
  dispose(): void;
}

export interface AnnouncerOptions {
  readonly speaker: Speaker;
  /** Read when each call's turn comes, so a change of settings applies to the next call. */
  readonly settings: () => VoiceSettings;
  /** More than this many waiting calls: the oldest are dropped (the board still shows them). */
  readonly maxQueued?: number;
}

export function createAnnouncer(options: AnnouncerOptions): Announcer {
  const maxQueued = options.maxQueued ?? 12;
  const queue: CallToAnnounce[] = [];
  let running: Promise<void> | null = null;
  let disposed = false;

  async function speak(call: CallToAnnounce): Promise<void> {
    const settings = options.settings();
    if (!settings.enabled) return;
    const { text, speech, clips } = announcement(call, 'zh');
    const utterance: Utterance = { text, speech, clips, lang: 'zh-CN' };
    if (settings.chime) await options.speaker.chime();
    for (let time = 0; time < settings.repeat; time += 1) await options.speaker.say(utterance, settings.rate);
  }

  async function drain(): Promise<void> {
    for (let call = queue.shift(); call !== undefined && !disposed; call = queue.shift()) {
      try {
        await speak(call);
      } catch (error: unknown) {
        // A bad call or a broken speaker must not silence the calls after it.
        console.error('hall: announcing a call failed', error);
      }
    }
    running = null;
  }

  return {
    announce(call) {
      if (disposed) return;
      // Voice off: nothing queued, so turning it on later does not replay old calls.
      if (!options.settings().enabled) return;
      queue.push(call);
      if (queue.length > maxQueued) queue.splice(0, queue.length - maxQueued);
      running ??= drain();
    },
    idle() {
      return running ?? Promise.resolve();
    },
    dispose() {
      disposed = true;
      queue.length = 0;
    },
  };
}

// ── Speakers ─────────────────────────────────────────────────────────────────────────────────

/** A voice that hangs (Chromium sometimes never fires `end`) must not stop the board forever. */
const SAY_TIMEOUT_MS = 20_000;

function settleWithin(ms: number, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    start(done);
  });
}

/** Two tones, ding-dong, from WebAudio (no file to fetch). */
export function createWebAudioChime(context: () => AudioContext | null): () => Promise<void> {
  return async () => {
    const audio = context();
    if (audio === null) return;
    if (audio.state === 'suspended') await audio.resume().catch(() => undefined);
    const start = audio.currentTime + 0.05;
    const tones: readonly (readonly [frequency: number, at: number])[] = [
      [880, 0],
      [659.25, 0.45],
    ];
    for (const [frequency, at] of tones) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + at);
      gain.gain.exponentialRampToValueAtTime(0.5, start + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.8);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + at);
      oscillator.stop(start + at + 0.85);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 1400));
  };
}

/** A Chinese voice of the machine's speech synthesis, or null when it has none (yet: voices load late). */
export function chineseVoice(synthesis: SpeechSynthesis): SpeechSynthesisVoice | null {
  const voices = synthesis.getVoices().filter((voice) => voice.lang.toLowerCase().replace('_', '-').startsWith('zh'));
  // Mainland Mandarin first: a Cantonese or Taiwanese voice reads the same characters differently.
  return voices.find((voice) => /^zh-cn/i.test(voice.lang.replace('_', '-'))) ?? voices[0] ?? null;
}

export function speakWithSynthesis(synthesis: SpeechSynthesis, voice: SpeechSynthesisVoice, utterance: Utterance, rate: number): Promise<void> {
  return settleWithin(SAY_TIMEOUT_MS, (done) => {
    const spoken = new SpeechSynthesisUtterance(utterance.speech);
    spoken.lang = utterance.lang;
    spoken.voice = voice;
    spoken.rate = rate;
    spoken.addEventListener('end', done);
    spoken.addEventListener('error', done);
    synthesis.speak(spoken);
  });
}

/** Plays `/voice/<clip>.wav` one after another; a clip that is missing or cannot play is skipped. */
export async function playClips(clips: readonly string[], rate: number, baseUrl = '/voice/'): Promise<void> {
  // All loaded up front, so the parts of a call follow each other without a fetch between them.
  const players = clips.map((clip) => {
    const player = new Audio(`${baseUrl}${encodeURIComponent(clip)}.wav`);
    player.preload = 'auto';
    player.playbackRate = rate;
    return player;
  });
  for (const player of players) {
    await settleWithin(SAY_TIMEOUT_MS, (done) => {
      player.addEventListener('ended', done, { once: true });
      player.addEventListener('error', done, { once: true });
      player.play().catch(done);
    });
  }
}

export interface BoardSpeakerOptions {
  readonly settings: () => VoiceSettings;
  /** Absent in a browser without speech synthesis. */
  readonly synthesis: SpeechSynthesis | null;
  readonly audioContext: () => AudioContext | null;
}

/**
 * The board's speaker: speech synthesis with a Chinese voice when the settings prefer it and the
 * machine has one (decided per call: voices may arrive after the page loads), recorded clips
 * otherwise; the chime from WebAudio.
 */
export function createBoardSpeaker(options: BoardSpeakerOptions): Speaker {
  return {
    chime: createWebAudioChime(options.audioContext),
    say: async (utterance, rate) => {
      const synthesis = options.synthesis;
      const voice = synthesis !== null && options.settings().preferSpeechSynthesis ? chineseVoice(synthesis) : null;
      if (synthesis !== null && voice !== null) {
        await speakWithSynthesis(synthesis, voice, utterance, rate);
        return;
      }
      await playClips(utterance.clips, rate);
    },
  };
}

/**
 * The board's whole voice for the page's lifetime: the announcer, the settings it reads (the
 * hub's, from each board snapshot), and the browser's sound lock. Chromium lets a page play audio
 * or speak only after a touch or key on it (unless started with
 * --autoplay-policy=no-user-gesture-required, as a TV kiosk browser or the Electron board window
 * should be); `unlock()` from such an event opens it.
 */
export interface BoardVoice {
  announce(call: CallToAnnounce): void;
  setSettings(settings: VoiceSettings): void;
  /** True while the browser would refuse to play sound (and no test speaker is injected). */
  soundBlocked(): boolean;
  unlock(): void;
}

export function createBoardVoice(options: { readonly injected: Speaker | undefined; readonly initial: VoiceSettings }): BoardVoice {
  let settings = options.initial;
  let context: AudioContext | null = null;
  const audioContext = () => {
    if (context === null && typeof AudioContext === 'function') context = new AudioContext();
    return context;
  };
  const speaker =
    options.injected ??
    createBoardSpeaker({ settings: () => settings, synthesis: 'speechSynthesis' in window ? window.speechSynthesis : null, audioContext });
  const announcer = createAnnouncer({ speaker, settings: () => settings });
  return {
    announce: (call) => announcer.announce(call),
    setSettings: (next) => {
      settings = next;
    },
    soundBlocked: () => {
      if (options.injected !== undefined || navigator.userActivation.hasBeenActive) return false;
      // A fresh AudioContext starts suspended exactly when the browser would refuse to play now.
      const probe = audioContext();
      return probe !== null && probe.state === 'suspended';
    },
    unlock: () => {
      void audioContext()?.resume();
    },
  };
}
