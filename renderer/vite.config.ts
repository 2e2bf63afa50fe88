/**
 * Builds the renderer into dist/renderer. `base: './'` makes every asset URL relative, so the
 * same build loads from file:// inside Electron and from the station host over HTTP.
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
  },
});
