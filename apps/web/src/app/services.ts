import { createContext, useContext } from 'react';
import type { SessionStore } from '../features/auth/session-store';
import type { ApiClient } from '../lib/api-client';
import type { LiveClient } from '../lib/live-client';
import type { ThemeStore } from './theme-store';

/** Everything with a lifetime longer than a component, created once in main.tsx. */
export interface AppServices {
  api: ApiClient;
  live: LiveClient;
  session: SessionStore;
  theme: ThemeStore;
}

export const ServicesContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesContext');
  return services;
}
