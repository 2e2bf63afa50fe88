/**
 * The hall queue 排队叫号 as the screens see it: this station's part in it (`queue.state`, then
 * every `queue.changed`, read again after a reconnect), held once for the logged-in shell. The
 * counter's queue bar, the hall screen and the hall settings read it through `useQueue`; a
 * command's answer (every counter command returns the new state) is taken at once through
 * `take`, so the bar does not wait for the event.
 */
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { QueueState } from '../../core/contract/hall.js';
import { useLiveState } from './live-state.js';
import { useStation } from './station.js';

export interface QueueContextValue {
  /** Null until the station first answered `queue.state` (or while it answers an error). */
  readonly state: QueueState | null;
  readonly take: (state: QueueState) => void;
}

const QueueContext = createContext<QueueContextValue>({ state: null, take: () => undefined });

export function useQueue(): QueueContextValue {
  return useContext(QueueContext);
}

export function QueueProvider({ children }: { readonly children: ReactNode }) {
  const { client } = useStation();
  const live = useLiveState(client, 'queue');
  // The newest of the two sources wins: an event, or a command's answer, whichever came last.
  const [seenLive, setSeenLive] = useState(live);
  const [latest, setLatest] = useState(live);
  if (live !== seenLive) {
    setSeenLive(live);
    setLatest(live);
  }
  const value = useMemo<QueueContextValue>(() => ({ state: latest, take: setLatest }), [latest]);
  return <QueueContext value={value}>{children}</QueueContext>;
}
