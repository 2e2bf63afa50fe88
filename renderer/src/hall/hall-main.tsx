/**
 * Entry of hall.html, the page the hall hub serves at /kiosk and /board: which screen comes from
 * the path, the device credential from `#device=…` the first time (then localStorage).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HallApp, hallPageOf } from './HallApp.js';
import { browserHallSocket, createHallLink, hallSocketUrl, takeCredential } from './hall-transport.js';
import '../../styles/hall.css';

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    // A locked-down browser without storage: the credential lasts until the page reloads.
    return null;
  }
}

const root = document.getElementById('root');
if (root === null) throw new Error('hall.html has no #root');
// Anything else (the Vite dev server's /hall.html) is taken as the board, which only reads.
const page = hallPageOf(window.location.pathname) ?? 'board';
const credential = takeCredential({
  hash: window.location.hash,
  storage: localStorageOrNull(),
  clearHash: () => window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`),
});
const link = credential.kind === 'found' ? createHallLink({ url: hallSocketUrl(window.location, credential.credential), createSocket: browserHallSocket }) : null;
document.body.classList.add(`hall-page-${page}`);
createRoot(root).render(
  <StrictMode>
    <HallApp page={page} credential={credential} link={link} />
  </StrictMode>,
);
