// Light/dark theme: follows the OS (prefers-color-scheme) unless the user picked one (localStorage
// 'oc-theme'); keeps <html data-theme>, Shoelace's sl-theme-* class, the media of the dark theme's stylesheet
// (it applies, and blocks rendering, only where the dark theme is in use) and the theme-color meta in sync.

export type ThemePreference = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'oc-theme';
/** Fired on window whenever the effective theme or the preference changes (charts re-theme on it). */
export const THEME_EVENT = 'oc-theme-change';
export interface ThemeChangeDetail { preference: ThemePreference; theme: Theme }

const THEME_COLOURS: Record<Theme, string> = { light: '#f6f7f9', dark: '#0f1115' };

export function readThemePreference(storage: Pick<Storage, 'getItem'> = localStorage): ThemePreference {
  try {
    const stored = storage.getItem(STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system'; // storage blocked (privacy mode): follow the OS
  }
}

function systemPrefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export function resolveTheme(preference: ThemePreference, prefersDark = systemPrefersDark()): Theme {
  if (preference === 'system') return prefersDark ? 'dark' : 'light';
  return preference;
}

/**
 * The media of the stylesheet for `sheet` (index.html links the dark one with data-theme-sheet="dark"): the OS
 * preference under "system" (as index.html has it, so the browser never waits for a sheet that does not
 * apply), else all or nothing.
 */
export function themeSheetMedia(sheet: Theme, preference: ThemePreference): string {
  if (preference === 'system') return `(prefers-color-scheme: ${sheet})`;
  return preference === sheet ? 'all' : 'not all';
}

/** The theme currently applied to the document. */
export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

export function applyTheme(preference: ThemePreference = readThemePreference()): Theme {
  const theme = resolveTheme(preference);
  const root = document.documentElement;
  root.dataset.theme = theme;
  root.classList.toggle('sl-theme-dark', theme === 'dark');
  root.classList.toggle('sl-theme-light', theme === 'light');
  for (const link of document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"][data-theme-sheet]')) {
    const media = themeSheetMedia(link.dataset.themeSheet === 'dark' ? 'dark' : 'light', preference);
    if (link.media !== media) link.media = media;
  }
  // With an override, both media-specific theme-color metas must show the chosen theme's colour.
  for (const meta of document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]')) {
    const media = meta.getAttribute('media') ?? '';
    const mediaTheme: Theme = media.includes('dark') ? 'dark' : 'light';
    meta.content = THEME_COLOURS[preference === 'system' ? mediaTheme : theme];
  }
  window.dispatchEvent(new CustomEvent<ThemeChangeDetail>(THEME_EVENT, { detail: { preference, theme } }));
  return theme;
}

export function setThemePreference(preference: ThemePreference): Theme {
  try {
    if (preference === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, preference);
  } catch {
    // storage blocked: the choice still applies for this page's life
  }
  return applyTheme(preference);
}

/** Applies the stored preference now and re-applies when the OS theme flips; returns the unwatch function. */
export function watchTheme(): () => void {
  applyTheme();
  if (typeof matchMedia !== 'function') return () => {};
  const query = matchMedia('(prefers-color-scheme: dark)');
  const onChange = () => {
    if (readThemePreference() === 'system') applyTheme('system');
  };
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}
