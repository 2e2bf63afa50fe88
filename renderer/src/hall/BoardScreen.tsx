/**
 * The display board 叫号屏 on a TV: the newest call large (blinking for a moment), each counter's
 * current ticket, recent calls and how many wait per service, readable from across the hall; and
 * the voice, which speaks every `hall.called` (a recall too) through the announcer.
 */
import { useEffect, useState } from 'react';
import type { BoardSnapshot, CallView, VoiceSettings } from '../../../core/hall/model.js';
import { announcement } from '../../../core/hall/announcement.js';
import { createBoardVoice, type Speaker } from './announcer.js';
import { LangToggle, LinkBanner, formatTime, useClock } from './hall-ui.js';
import type { HallLink, HallLinkState } from './hall-transport.js';
import type { HallI18n } from './messages.js';

declare global {
  interface Window {
    /**
     * Test seam: an end-to-end test that opens the board sets this (chime/say) before the page's
     * script runs (Playwright's addInitScript), and the board speaks into it instead of the
     * loudspeaker, so the test can check what would be said. Nothing in production sets it;
     * a page script that could set it could already play sounds itself.
     */
    __tongdaSpeaker?: Speaker;
  }
}

/** Until the hub's snapshot says otherwise: the hub's own defaults (not imported: model.ts carries zod). */
const VOICE_BEFORE_SNAPSHOT: VoiceSettings = { enabled: true, repeat: 2, preferSpeechSynthesis: true, rate: 0.9, chime: true };
/** How long the newest call blinks. */
const FRESH_MS = 10_000;

export interface BoardScreenProps {
  readonly link: HallLink;
  readonly linkState: HallLinkState;
  readonly i18n: HallI18n;
}

interface Highlight {
  readonly call: CallView;
  /** Changes with every call, so a recall of the same ticket blinks again. */
  readonly serial: number;
}

export function BoardScreen({ link, linkState, i18n }: BoardScreenProps) {
  const { t, lang } = i18n;
  const now = useClock();
  const [board, setBoard] = useState<BoardSnapshot | null>(null);
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const [fresh, setFresh] = useState(false);
  // One voice for the page's life (not torn down with the component: it has nothing to release).
  const [voice] = useState(() => createBoardVoice({ injected: window.__tongdaSpeaker, initial: VOICE_BEFORE_SNAPSHOT }));
  const [soundBlocked, setSoundBlocked] = useState(() => voice.soundBlocked());

  useEffect(() => {
    if (board !== null) voice.setSettings(board.voice);
  }, [voice, board]);

  useEffect(() => {
    if (!soundBlocked) return;
    const unlock = () => {
      voice.unlock();
      setSoundBlocked(false);
    };
    window.addEventListener('pointerdown', unlock, { once: true });
    window.addEventListener('keydown', unlock, { once: true });
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, [voice, soundBlocked]);

  useEffect(() => {
    if (linkState !== 'open') return;
    let live = true;
    void link.call('hall.board', {}).then((result) => {
      if (live && result.ok) setBoard(result.value);
    });
    return () => {
      live = false;
    };
  }, [link, linkState]);

  useEffect(() => link.on('hall.board', setBoard), [link]);

  useEffect(() => {
    let serial = 0;
    return link.on('hall.called', (call) => {
      serial += 1;
      setHighlight({ call, serial });
      setFresh(true);
      voice.announce(call);
    });
  }, [link, voice]);

  useEffect(() => {
    if (!fresh) return;
    const timer = setTimeout(() => setFresh(false), FRESH_MS);
    return () => clearTimeout(timer);
  }, [fresh, highlight]);

  const newest = highlight?.call ?? board?.recent[0] ?? null;
  const serviceNameOf = (code: string) => {
    const service = board?.services.find((entry) => entry.code === code);
    return service === undefined ? code : lang === 'zh' ? service.nameZh : service.nameEn;
  };

  return (
    <div className="board">
      <header className="board-header">
        <h1>{board?.hallName ?? ''}</h1>
        <div className="board-title">{t('appTitle')}</div>
        <div className="board-clock num">{formatTime(now, lang, true)}</div>
        <LangToggle i18n={i18n} />
      </header>
      <LinkBanner state={linkState} i18n={i18n} />
      <main className="board-main">
        <section className="board-left">
          <div key={highlight?.serial ?? 0} className={`board-now${fresh ? ' board-now-fresh' : ''}`} aria-live="assertive">
            <h2>{t('boardNowCalling')}</h2>
            {newest === null ? (
              <p className="board-now-empty">{t('boardNoCalls')}</p>
            ) : (
              <>
                <p className="board-now-number num" data-ticket={newest.number}>
                  {newest.number}
                </p>
                <p className="board-now-counter">
                  {t('boardToCounter', { counterNo: newest.counterNo })}
                  {newest.recall ? <span className="board-recall">{t('boardRecall')}</span> : null}
                </p>
                <p className="board-now-text">{announcement(newest, lang).text}</p>
              </>
            )}
          </div>
          <h2 className="board-section-title">{t('boardCounters')}</h2>
          <div className="board-counters">
            {(board?.counters ?? []).map(({ counterNo, current }) => (
              <div key={counterNo} className={`board-counter${current === null ? ' board-counter-free' : ''}${newest?.counterNo === counterNo && fresh ? ' board-counter-fresh' : ''}`}>
                <div className="board-counter-no">{t('boardCounterNo', { counterNo })}</div>
                <div className="board-counter-ticket num" data-counter={counterNo}>
                  {current === null ? t('boardFree') : current.number}
                </div>
                {current?.state === 'serving' ? <div className="board-counter-state">{t('boardServing')}</div> : null}
              </div>
            ))}
          </div>
        </section>
        <section className="board-right">
          <h2 className="board-section-title">{t('boardRecent')}</h2>
          <ol className="board-recent">
            {(board?.recent ?? []).slice(0, 8).map((call) => (
              <li key={`${call.ticketId}-${call.at}`}>
                <span className="board-recent-number num">{call.number}</span>
                <span className="board-recent-arrow">→</span>
                <span className="board-recent-counter">{t('boardCounterNo', { counterNo: call.counterNo })}</span>
                <span className="board-recent-time num">{formatTime(call.at, lang)}</span>
              </li>
            ))}
          </ol>
          <h2 className="board-section-title">{t('boardWaiting')}</h2>
          <ul className="board-waiting">
            {(board?.waiting ?? []).map((entry) => (
              <li key={entry.service}>
                <span className="board-waiting-code">{entry.service}</span>
                <span className="board-waiting-name">{serviceNameOf(entry.service)}</span>
                <span className="board-waiting-count num">{t('boardPeople', { count: entry.count })}</span>
              </li>
            ))}
          </ul>
        </section>
      </main>
      {soundBlocked && (board?.voice.enabled ?? true) ? (
        <div className="board-sound-banner" role="button" tabIndex={0}>
          {t('enableSound')}
        </div>
      ) : null}
    </div>
  );
}
