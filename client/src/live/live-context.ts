// Hands the app's LiveStore to page elements through @lit/context, so tests can provide a fake one.
import { createContext } from '@lit/context';
import type { LiveStore } from './live-store.js';

export const liveContext = createContext<LiveStore>(Symbol('oc-live-store'));
