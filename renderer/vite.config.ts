/**
 * Builds the renderer into dist/renderer. `base: './'` makes every asset URL relative, so the
 * same build loads from file:// inside Electron and from the station host over HTTP.
 * Two pages: index.html (the counter UI) and hall.html (the hall's kiosk and display board,
 * served by the hall hub at /kiosk and /board).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// This file is type-checked with the renderer (DOM, no Node types), so no node:path or
// __dirname: the folder comes from the module's own URL.
const here = decodeURIComponent(new URL('.', import.meta.url).pathname).replace(/^\/([A-Za-z]:)/, '$1');

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}../dist/renderer`,
    emptyOutDir: true,
    target: 'chrome120',
    rollupOptions: { input: { index: `${here}index.html`, hall: `${here}hall.html` } },
  },
  experimental: {
    // hall.html is served at /kiosk and /board, and a browser may ask for /kiosk/ as well: from
    // there './assets/…' would be /kiosk/assets/…. Its own tags get root URLs (the hub serves
    // /assets/); index.html keeps relative ones for file://. Chunks import each other relative
    // to their own URL, so only the page's tags matter.
    renderBuiltUrl: (filename, { hostType, hostId }) => (hostType === 'html' && hostId.endsWith('hall.html') ? `/${filename}` : { relative: true }),
  },
});
