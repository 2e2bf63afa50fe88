/**
 * The shell: which screen shows (login, search, account, locked), the session, the idle lock,
 * and the global shortcuts. Screens get the station through StationContext and never see the
 * transport.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ConnectionState, StationClient } from '../../core/contract/client.js';
import type { StationError } from '../../core/contract/result.js';
import type { LoginResult, OperatorView, StationInfo } from '../../core/contract/views.js';
import { AccountPage } from './AccountPage.js';
import { LockScreen } from './LockScreen.js';
import { LoginScreen } from './LoginScreen.js';
import { SearchScreen, emptySearch, type SearchState } from './SearchScreen.js';
import { StationContext, type Call, type Station } from './station.js';
import { StatusBar } from './StatusBar.js';

interface Session {
  readonly operator: OperatorView;
  readonly idleLockSeconds: number;
}

type View = { readonly kind: 'search' } | { readonly kind: 'account'; readonly accountNo: string };

const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
const INFO_RETRY_MS = 3000;
const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart'] as const;

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


  const lock = useCallback(() => {
    if (sessionRef.current === null) return;
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
    setLocked(false);
  }, []);

  const openAccount = useCallback((accountNo: string) => setView({ kind: 'account', accountNo }), []);
  const backToSearch = useCallback(() => {
    setView({ kind: 'search' });
    setFocusToken((n) => n + 1);
  }, []);

  const station = useMemo<Station>(
    () => ({ client, call, info, operator: session?.operator ?? null, timeZone: info?.timeZone ?? DEFAULT_TIME_ZONE, clockOffsetMs }),
    [client, call, info, session, clockOffsetMs],
  );

  const screen = session === null ? 'login' : locked ? 'locked' : view.kind;

  return (
    <StationContext value={station}>
      <div className="app" data-screen={screen}>
        {session === null ? (
          <LoginScreen notice={loginNotice} connection={connection} onLoggedIn={onLoggedIn} />
        ) : (
          <>
            <div className="app__main" inert={locked} aria-hidden={locked}>
              <StatusBar operator={session.operator} connection={connection} onLock={lock} onLogout={logout} />
              {view.kind === 'search' ? (
                <SearchScreen state={search} setState={setSearch} focusToken={focusToken} onOpen={openAccount} />
              ) : (
                <AccountPage key={view.accountNo} accountNo={view.accountNo} active={!locked} onBack={backToSearch} />
              )}
            </div>
            {locked && <LockScreen operator={session.operator} idleLockSeconds={session.idleLockSeconds} onUnlocked={onUnlocked} onSwitchUser={logout} />}
          </>
        )}
      </div>
    </StationContext>
  );
}
