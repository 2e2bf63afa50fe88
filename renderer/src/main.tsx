/** Production entry: pick the transport, mount the shell. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../i18n/i18n.js';
import { createStationClient } from '../transport/create-client.js';
import { App } from './App.js';
import '../styles/app.css';
import '../styles/queue.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
const client = createStationClient();
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <App client={client} />
    </I18nProvider>
  </StrictMode>,
);
