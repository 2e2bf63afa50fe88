/**
 * The one IPC channel between our windows and the station. Every message is checked against the
 * sender policy before it reaches the dispatcher, and every failure comes back as a WireResponse
 * with an error result, never as a thrown exception (only an Error's message survives IPC, and
 * the renderer programs against one envelope for both transports).
 *
 * It names Electron's objects through the few members it uses instead of importing 'electron',
 * so unit tests can drive it with fakes (`require('electron')` outside Electron throws).
 * Electron's IpcMain, IpcMainInvokeEvent and WebContents satisfy these shapes.
 */
import { err } from '../../core/contract/result.js';
import { IPC_CHANNEL_EVENT, IPC_CHANNEL_REQUEST, type StationDispatcher, type WireResponse } from '../../core/contract/wire.js';
import type { SenderDecision, SenderFacts } from './sender-policy.js';

/** The members of IpcMainInvokeEvent the router reads. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/** The members of IpcMain the router uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The members of WebContents the router uses to push events. */
export interface EventTargetLike {
  readonly id: number;
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, ...args: unknown[]): void;
}

export interface StationIpcOptions {
  /** The webContents of our windows, asked afresh for each event. */
  readonly eventTargets: () => Iterable<EventTargetLike>;
  /** Told about every refused sender, for the log. */
  readonly onRefused?: (facts: SenderFacts, reason: string) => void;
}

/**
 * Registers the request handler and forwards station events to our windows. Returns a function
 * that undoes both (before the station closes, so no request races the drain).
 */
export function registerStationIpc(
  ipcMain: IpcMainLike,
  dispatcher: StationDispatcher,
  isAllowedSender: (facts: SenderFacts) => SenderDecision,
  options: StationIpcOptions,
): () => void {
  ipcMain.handle(IPC_CHANNEL_REQUEST, async (event, message): Promise<WireResponse> => {
    const facts = senderFacts(event);
    const decision = isAllowedSender(facts);
    if (!decision.allowed) {
      options.onRefused?.(facts, decision.reason);
      return { type: 'response', id: requestId(message), result: err('FORBIDDEN', 'This sender may not use the station.') };
    }
    try {
      return await dispatcher.dispatch(message, { connectionId: `wc-${facts.webContentsId}`, transport: 'electron-ipc' });
    } catch (error: unknown) {
      // The dispatcher promises never to throw; if it does, the window still gets an answer.
      return { type: 'response', id: requestId(message), result: err('INTERNAL', `Dispatch failed: ${error instanceof Error ? error.message : String(error)}`) };
    }
  });

  const unsubscribe = dispatcher.onEvent((wireEvent) => {
    for (const target of options.eventTargets()) {
      if (target.isDestroyed()) continue;
      // The same policy as for requests: a window that left our page gets nothing.
      const decision = isAllowedSender({ webContentsId: target.id, frameUrl: target.getURL(), isMainFrame: true });
      if (!decision.allowed) continue;
      target.send(IPC_CHANNEL_EVENT, wireEvent);
    }
  });

  return () => {
    ipcMain.removeHandler(IPC_CHANNEL_REQUEST);
    unsubscribe();
  };
}

/** Reads the sender's facts; a frame disposed mid-read counts as gone. */
export function senderFacts(event: InvokeEventLike): SenderFacts {
  const webContentsId = event.sender.id;
  try {
    const frame = event.senderFrame;
    if (frame === null) return { webContentsId, frameUrl: null, isMainFrame: false };
    return { webContentsId, frameUrl: frame.url, isMainFrame: frame.parent === null };
  } catch {
    // Electron throws when a WebFrameMain's render frame was disposed before it is read.
    return { webContentsId, frameUrl: null, isMainFrame: false };
  }
}

/** The request's own id when it has one, so even a refusal is matched to its call. */
function requestId(message: unknown): number {
  if (typeof message !== 'object' || message === null) return 0;
  const id: unknown = (message as { readonly id?: unknown }).id;
  return typeof id === 'number' && Number.isFinite(id) ? id : 0;
}
