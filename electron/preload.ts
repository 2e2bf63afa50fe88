/**
 * The sandboxed preload (bundled to dist/electron/preload.cjs: a sandboxed preload cannot be
 * ESM). It exposes exactly the contract's ElectronBridge on `window.tongdaBridge`: raw wire
 * messages over one request channel and one event channel. No ipcRenderer, no event objects
 * (an IpcRendererEvent carries `sender`, which would hand the page ipcRenderer itself), no Node.
 * The main process validates every message; nothing here is trusted.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ElectronBridge } from '../core/contract/client.js';
import type { IPC_CHANNEL_EVENT, IPC_CHANNEL_REQUEST } from '../core/contract/wire.js';

// Typed as the contract's literals, so a renamed channel fails to compile here. Not imported as
// values: wire.ts builds zod schemas at load time, which would put all of zod into every window.
const requestChannel: typeof IPC_CHANNEL_REQUEST = 'tongda:request';
const eventChannel: typeof IPC_CHANNEL_EVENT = 'tongda:event';

const bridge = {
  request(message: unknown): Promise<unknown> {
    return ipcRenderer.invoke(requestChannel, message) as Promise<unknown>;
  },
  onEvent(listener: (message: unknown) => void): () => void {
    const forward = (_event: IpcRendererEvent, message: unknown): void => {
      listener(message);
    };
    ipcRenderer.on(eventChannel, forward);
    return () => {
      ipcRenderer.removeListener(eventChannel, forward);
    };
  },
} satisfies ElectronBridge;

contextBridge.exposeInMainWorld('tongdaBridge', bridge);
