/**
 * A piece of station state a screen keeps current: read once, then replaced by each event that
 * carries it, and read again whenever the connection comes back (the events missed meanwhile
 * are gone). A read that an event overtook is dropped, so an older answer never wins.
 */
import { useEffect, useRef, useState } from 'react';
import type { StationClient } from '../../core/contract/client.js';
import type { PrinterState } from '../../core/contract/printing.js';
import type { SyncState } from '../../core/contract/sync.js';
import type { QueueState } from '../../core/contract/hall.js';

type LiveState = PrinterState | SyncState | QueueState;

export function useLiveState(client: StationClient, which: 'printer'): PrinterState | null;
export function useLiveState(client: StationClient, which: 'sync'): SyncState | null;
export function useLiveState(client: StationClient, which: 'queue'): QueueState | null;
export function useLiveState(client: StationClient, which: 'printer' | 'sync' | 'queue'): LiveState | null {
  const [state, setState] = useState<LiveState | null>(null);
  const events = useRef(0);
  useEffect(() => {
    let cancelled = false;
    const take = (result: { ok: true; value: LiveState } | { ok: false }, seen: number) => {
      if (!cancelled && result.ok && seen === events.current) setState(result.value);
    };
    // The raw client: this background read needs none of the session handling `call` adds.
    const load = () => {
      const seen = events.current;
      if (which === 'printer') void client.call('printer.state', {}).then((result) => take(result, seen));
      else if (which === 'sync') void client.call('sync.state', {}).then((result) => take(result, seen));
      else void client.call('queue.state', {}).then((result) => take(result, seen));
    };
    const changed = (next: LiveState) => {
      events.current += 1;
      setState(next);
    };
    const offEvent =
      which === 'printer' ? client.on('printer.changed', changed) : which === 'sync' ? client.on('sync.changed', changed) : client.on('queue.changed', changed);
    load();
    let wasOpen: boolean | null = null;
    const offState = client.onConnectionState((connection) => {
      const open = connection === 'open';
      if (open && wasOpen === false) load();
      wasOpen = open;
    });
    return () => {
      cancelled = true;
      offEvent();
      offState();
    };
  }, [client, which]);
  return state;
}
