import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { ServicesContext, type AppServices } from './app/services';
import { createThemeStore } from './app/theme-store';
import { createSessionStore } from './features/auth/session-store';
import { LangStoreContext } from './i18n/i18n-context';
import { createLangStore } from './i18n/lang-store';
import { createApiClient } from './lib/api-client';
import { createLiveClient, liveUrl } from './lib/live-client';
import './app/app.css';

const session = createSessionStore();
// Any 401 (REST) or 4401 (socket) means the session is gone: back to the login page, and
// stop the socket so it does not retry with a dead cookie.
const onUnauthorized = (): void => {
  if (session.get().kind === 'authenticated') session.set({ kind: 'anonymous', notice: 'expired' });
};
const services: AppServices = {
  session,
  api: createApiClient({ onUnauthorized }),
  live: createLiveClient({ url: liveUrl(window.location), win: window, onUnauthorized }),
  theme: createThemeStore(window),
};
const langStore = createLangStore(window);

const rootEl = document.getElementById('root');
if (!rootEl) throw new Error('index.html lacks #root');
createRoot(rootEl).render(
  <StrictMode>
    <LangStoreContext.Provider value={langStore}>
      <ServicesContext.Provider value={services}>
        <App />
      </ServicesContext.Provider>
    </LangStoreContext.Provider>
  </StrictMode>,
);
