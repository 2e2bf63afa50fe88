/**
 * The shell: which screen shows (login, search, account, settings, locked), the session, the
 * idle lock, the global shortcuts, and the card reader: a card going in is read (`card.inspect`)
 * and its account opens, with 购气 ready when a purchase is allowed. The receipt printer's state
 * (PrinterContext) feeds the status bar, the banner under it when printing stopped, and the
 * virtual printer's receipt preview on the right edge. Screens get the station
 * through StationContext and the card through CardContext, and never see the transport.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CardInspection, ReaderStateView } from '../../core/contract/cards.js';
import type { ConnectionState, StationClient } from '../../core/contract/client.js';
import type { StationError } from '../../core/contract/result.js';
import type { LoginResult, OperatorView, StationInfo } from '../../core/contract/views.js';
import { AccountPage } from './AccountPage.js';
import { CardContext, isBlankCard, servesCustomers, type CardSlot, type CardState } from './card.js';
import { DemoPanel } from './DemoPanel.js';
import { HallScreen } from './HallScreen.js';
import { ConflictsScreen, SyncNotices } from './ConflictsScreen.js';
import { LockScreen } from './LockScreen.js';
import { LoginScreen } from './LoginScreen.js';
import { PrinterProvider } from './printer.js';
import { PrinterBanner } from './PrinterBanner.js';
import { QueueProvider } from './queue.js';
import { QueueBar } from './QueueBar.js';
import { ReceiptPreview } from './ReceiptPreview.js';
import { SearchScreen, emptySearch, type SearchState } from './SearchScreen.js';
import { SettingsScreen } from './SettingsScreen.js';
import { StationContext, type Call, type Station } from './station.js';
import { StatusBar } from './StatusBar.js';
import { SyncProvider, SyncScreen } from './SyncScreen.js';

interface Session {
  readonly operator: OperatorView;
  readonly idleLockSeconds: number;
}

type View = { readonly kind: 'search' } | { readonly kind: 'account'; readonly accountNo: string } | { readonly kind: 'settings' } | { readonly kind: 'sync' } | { readonly kind: 'conflicts' } | { readonly kind: 'hall' };

/** Where a freshly read card sends the clerk, once no dialog is open. */
type CardTarget = { readonly kind: 'account'; readonly accountNo: string; readonly autoTopup: boolean } | { readonly kind: 'search' };

const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
const INFO_RETRY_MS = 3000;
const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart'] as const;
const MODAL_POLL_MS = 300;

/** Null for a blank card: the clerk stays where they are (on an account page, about to 发卡 / 补卡). */
function cardTargetOf(inspection: CardInspection): CardTarget | null {
  if (isBlankCard(inspection)) return null;
  if (inspection.account === null || inspection.card === null) return { kind: 'search' };
  return { kind: 'account', accountNo: inspection.account.accountNo, autoTopup: inspection.refusal === null && inspection.reader.cardPresent };
}

/** A dialog is open: the shell's shortcuts stand down so keys reach it. */
function modalOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

export function App({ client }: { readonly client: StationClient }) {
  const [info, setInfo] = useState<StationInfo | null>(null);
  const [clockOffsetMs, setClockOffsetMs] = useState(0);
  const [session, setSession] = useState<Session | null>(null);
  const [locked, setLocked] = useState(false);
  const [view, setView] = useState<View>({ kind: 'search' });
  const [search, setSearch] = useState<SearchState>(emptySearch);
  const [focusToken, setFocusToken] = useState(0);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [loginNotice, setLoginNotice] = useState<StationError | null>(null);
  const sessionRef = useRef<Session | null>(null);
  const lastActivity = useRef(0);
  const [reader, setReader] = useState<ReaderStateView | null>(null);
  const [cardSlot, setCardSlot] = useState<CardSlot>({ kind: 'none' });
  /** The account whose card just went in and may buy: its page opens 购气 by itself (once per `id`). */
  const [autoTopup, setAutoTopup] = useState<{ readonly accountNo: string; readonly id: number } | null>(null);
  const autoTopupIds = useRef(0);
  const [cardTarget, setCardTarget] = useState<CardTarget | null>(null);
  const inspectSequence = useRef(0);
  const cardPresent = useRef(false);
  const lastSerial = useRef<string | null>(null);
  const lockedRef = useRef(false);

  /** Back to the login screen, forgetting everything the previous clerk had on screen. */
  const endSession = useCallback(
    (notice: StationError | null) => {
      client.setSession(null);
      sessionRef.current = null;
      setSession(null);
      setLocked(false);
      setView({ kind: 'search' });
      setSearch(emptySearch);
      setLoginNotice(notice);
      inspectSequence.current += 1;
      cardPresent.current = false;
      lastSerial.current = null;
      setReader(null);
      setCardSlot({ kind: 'none' });
      setAutoTopup(null);
      setCardTarget(null);
    },
    [client],
  );

  const call = useCallback<Call>(
    async (command, input) => {
      const result = await client.call(command, input);
      if (!result.ok && sessionRef.current !== null) {
        if (result.error.code === 'SESSION_LOCKED') setLocked(true);
        if (result.error.code === 'UNAUTHENTICATED') endSession(result.error);
      }
      return result;
    },
    [client, endSession],
  );

  /** Sends the clerk where the card says, now or (a dialog being open) once it closes. */
  const goToCard = useCallback((target: CardTarget) => {
    if (document.querySelector('[aria-modal="true"]') !== null) {
      setCardTarget(target);
      return;
    }
    setCardTarget(null);
    if (target.kind === 'search') {
      setView((previous) => (previous.kind === 'account' ? { kind: 'search' } : previous));
      return;
    }
    setView({ kind: 'account', accountNo: target.accountNo });
    autoTopupIds.current += 1;
    setAutoTopup(target.autoTopup ? { accountNo: target.accountNo, id: autoTopupIds.current } : null);
  }, []);

  /**
   * Reads the card. `inserted`: the card just went in, so its account opens (and 购气 with it);
   * otherwise (after a top-up, a resume) the panel is only brought up to date, unless the
   * reader now holds another card.
   */
  const inspect = useCallback(
    (inserted: boolean) => {
      const current = sessionRef.current;
      if (current === null || !servesCustomers(current.operator.role) || lockedRef.current) return;
      inspectSequence.current += 1;
      const mine = inspectSequence.current;
      if (inserted) setCardSlot({ kind: 'reading' });
      void call('card.inspect', {}).then((result) => {
        if (mine !== inspectSequence.current) return;
        if (!result.ok) {
          if (result.error.code === 'SESSION_LOCKED' || result.error.code === 'UNAUTHENTICATED') return;
          lastSerial.current = null;
          setCardSlot({ kind: 'failed', error: result.error, present: cardPresent.current });
          if (inserted) goToCard({ kind: 'search' });
          return;
        }
        const inspection = result.value;
        setReader(inspection.reader);
        cardPresent.current = inspection.reader.cardPresent;
        const serial = inspection.card?.serial ?? null;
        const fresh = inserted || (serial !== null && serial !== lastSerial.current);
        lastSerial.current = serial;
        if (inspection.card === null && !inspection.reader.cardPresent) {
          // Pulled before it could be read.
          setCardSlot({ kind: 'none' });
          return;
        }
        setCardSlot({ kind: 'read', inspection, present: inspection.reader.cardPresent });
        if (fresh) {
          const target = cardTargetOf(inspection);
          if (target === null) setCardTarget(null);
          else goToCard(target);
        }
      });
    },
    [call, goToCard],
  );

  const reinspect = useCallback(() => {
    if (cardPresent.current) inspect(false);
  }, [inspect]);

  // The reader's state at login (and a card already in it), then every change it reports.
  useEffect(() => {
    if (session === null) return undefined;
    let cancelled = false;
    // The raw client: this answer needs none of the session handling `call` adds.
    void client.call('reader.state', {}).then((result) => {
      if (cancelled || !result.ok) return;
      setReader(result.value);
      cardPresent.current = result.value.cardPresent;
      if (result.value.cardPresent) inspect(true);
    });
    const off = client.on('reader.changed', (state) => {
      setReader(state);
      const wasPresent = cardPresent.current;
      cardPresent.current = state.cardPresent;
      if (state.cardPresent) {
        inspect(!wasPresent);
        return;
      }
      // Pulled: the panel keeps what it showed, marked 卡已拔出; nothing waits to open.
      inspectSequence.current += 1;
      lastSerial.current = null;
      setCardTarget(null);
      setAutoTopup(null);
      setCardSlot((previous) => {
        switch (previous.kind) {
          case 'read':
          case 'failed':
            return { ...previous, present: false };
          case 'none':
          case 'reading':
            return { kind: 'none' };
        }
      });
    });
    return () => {
      cancelled = true;
      off();
    };
    // Once per login: `session` changes identity on unlock too, which must not re-read.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, inspect, session?.operator.staffNo]);

  // A card read while a dialog was open: go there once the dialog closes.
  useEffect(() => {
    if (cardTarget === null) return undefined;
    const timer = window.setInterval(() => {
      if (document.querySelector('[aria-modal="true"]') === null) goToCard(cardTarget);
    }, MODAL_POLL_MS);
    return () => window.clearInterval(timer);
  }, [cardTarget, goToCard]);

  // Station info: names for the screens, the time zone, demo mode. Retried until the station answers.
  useEffect(() => {
    let cancelled = false;
    let timer = 0;
    const load = () => {
      void client.call('station.info', {}).then((result) => {
        if (cancelled) return;
        if (result.ok) {
          setInfo(result.value);
          // The status bar shows the station's clock, which dates every entry, not this screen's.
          setClockOffsetMs(Date.parse(result.value.serverTime) - Date.now());
        }
        else timer = window.setTimeout(load, INFO_RETRY_MS);
      });
    };
    load();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [client]);

  useEffect(() => client.onConnectionState(setConnection), [client]);


  useEffect(() => {
    lockedRef.current = locked;
  }, [locked]);

  const lock = useCallback(() => {
    if (sessionRef.current === null) return;
    lockedRef.current = true;
    setLocked(true);
    void client.call('session.lock', {});
  }, [client]);

  const logout = useCallback(() => {
    // Forget the session locally at once; the station ends it when the call arrives.
    void client.call('session.logout', {});
    endSession(null);
  }, [client, endSession]);

  // Idle lock: any key, click or mouse movement counts as the clerk being there.
  useEffect(() => {
    if (session === null || locked) return undefined;
    lastActivity.current = Date.now();
    const touch = () => {
      lastActivity.current = Date.now();
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, touch, { capture: true, passive: true });
    const timer = window.setInterval(() => {
      if (Date.now() - lastActivity.current >= session.idleLockSeconds * 1000) lock();
    }, 1000);
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, touch, { capture: true });
      window.clearInterval(timer);
    };
  }, [session, locked, lock]);

  // F2 / Ctrl+K: back to the search box from anywhere.
  useEffect(() => {
    if (session === null || locked) return undefined;
    const onKey = (event: KeyboardEvent) => {
      const isSearchKey = event.key === 'F2' || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k');
      if (!isSearchKey || modalOpen()) return;
      event.preventDefault();
      setView({ kind: 'search' });
      setFocusToken((n) => n + 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session, locked]);

  const onLoggedIn = useCallback(
    (login: LoginResult) => {
      client.setSession(login.session);
      const next = { operator: login.operator, idleLockSeconds: login.idleLockSeconds };
      sessionRef.current = next;
      setSession(next);
      setLocked(false);
      setLoginNotice(null);
      setView({ kind: 'search' });
    },
    [client],
  );

  const onUnlocked = useCallback((operator: OperatorView) => {
    setSession((previous) => {
      const next = previous === null ? null : { ...previous, operator };
      sessionRef.current = next;
      return next;
    });
    lockedRef.current = false;
    setLocked(false);
    // A card that went in (or changed) while the screen was locked is read now.
    if (cardPresent.current) inspect(lastSerial.current === null);
  }, [inspect]);

  // Leaving the account the card opened: 购气 does not open by itself again when it is reopened.
  const openAccount = useCallback((accountNo: string) => {
    setAutoTopup(null);
    setView({ kind: 'account', accountNo });
  }, []);
  const backToSearch = useCallback(() => {
    setAutoTopup(null);
    setView({ kind: 'search' });
    setFocusToken((n) => n + 1);
  }, []);
  const openSync = useCallback(() => {
    setAutoTopup(null);
    setView({ kind: 'sync' });
  }, []);
  const openHall = useCallback(() => {
    setAutoTopup(null);
    setView({ kind: 'hall' });
  }, []);
  const openConflicts = useCallback(() => {
    setAutoTopup(null);
    setView({ kind: 'conflicts' });
  }, []);
  const openSettings = useCallback(() => {
    setAutoTopup(null);
    setView({ kind: 'settings' });
  }, []);

  const card = useMemo<CardState>(() => ({ reader, slot: cardSlot, reinspect }), [reader, cardSlot, reinspect]);

  const station = useMemo<Station>(
    () => ({ client, call, info, operator: session?.operator ?? null, timeZone: info?.timeZone ?? DEFAULT_TIME_ZONE, clockOffsetMs }),
    [client, call, info, session, clockOffsetMs],
  );

  const screen = session === null ? 'login' : locked ? 'locked' : view.kind;

  return (
    <StationContext value={station}>
      <CardContext value={card}>
      <div className={info?.demo === true && session !== null ? 'app app--demo' : 'app'} data-screen={screen}>
        {session === null ? (
          <LoginScreen notice={loginNotice} connection={connection} onLoggedIn={onLoggedIn} />
        ) : (
          <PrinterProvider>
            <SyncProvider>
            <QueueProvider>
            <div className="app__main" inert={locked} aria-hidden={locked}>
              <StatusBar operator={session.operator} connection={connection} onLock={lock} onLogout={logout} onSettings={openSettings} onSync={openSync} onHall={openHall} />
              <PrinterBanner />
              {(view.kind === 'search' || view.kind === 'account') && <QueueBar active={!locked} />}
              <div className="app__body">
                {view.kind === 'search' ? (
                  <div className="app__search">
                    <SyncNotices onConflicts={openConflicts} />
                    <SearchScreen state={search} setState={setSearch} focusToken={focusToken} onOpen={openAccount} />
                  </div>
                ) : view.kind === 'conflicts' ? (
                  <ConflictsScreen active={!locked} onBack={backToSearch} />
                ) : view.kind === 'sync' ? (
                  <SyncScreen active={!locked} onBack={backToSearch} onConflicts={openConflicts} />
                ) : view.kind === 'hall' ? (
                  <HallScreen active={!locked} onBack={backToSearch} />
                ) : view.kind === 'settings' ? (
                  <SettingsScreen active={!locked} onBack={backToSearch} />
                ) : (
                  <AccountPage
                    key={view.accountNo}
                    accountNo={view.accountNo}
                    active={!locked}
                    onBack={backToSearch}
                    autoTopupId={autoTopup?.accountNo === view.accountNo ? autoTopup.id : null}
                  />
                )}
                <ReceiptPreview demo={info?.demo === true} />
              </div>
              {info?.demo === true && <DemoPanel />}
            </div>
            {locked && <LockScreen operator={session.operator} idleLockSeconds={session.idleLockSeconds} onUnlocked={onUnlocked} onSwitchUser={logout} />}
            </QueueProvider>
            </SyncProvider>
          </PrinterProvider>
        )}
      </div>
      </CardContext>
    </StationContext>
  );
}
