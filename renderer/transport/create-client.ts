/** Picks the transport once at startup; nothing else in the UI knows which one it got. */
import type { ElectronBridge, StationClient } from '../../core/contract/client.js';
import { ElectronStationClient } from './electron-client.js';
import { hostSocketUrl, takeHostToken } from './token.js';
import { WebSocketStationClient, type SocketHandlers, type SocketLike } from './websocket-client.js';

declare global {
  interface Window {
    /** Put there by Electron's preload; absent in a browser talking to the station host. */
    tongdaBridge?: ElectronBridge;
  }
}

export function createStationClient(): StationClient {
  const bridge = window.tongdaBridge;
  if (bridge !== undefined) return new ElectronStationClient(bridge);
  const url = hostSocketUrl(takeHostToken());
  return new WebSocketStationClient({ url, createSocket: openBrowserSocket });
}

function openBrowserSocket(url: string, handlers: SocketHandlers): SocketLike {
  const socket = new WebSocket(url);
  socket.onopen = () => {
    handlers.onOpen();
  };
  socket.onmessage = (event: MessageEvent<unknown>) => {
    handlers.onMessage(event.data);
  };
  socket.onclose = () => {
    handlers.onClose();
  };
  return {
    isOpen: () => socket.readyState === WebSocket.OPEN,
    send: (data) => {
      socket.send(data);
    },
    close: () => {
      socket.close();
    },
  };
}
