import { useEffect, useSyncExternalStore } from 'react';
import { usePreference } from '../lib/engine-context.tsx';
import type { ThemePreference } from '../lib/preferences.ts';

const DARK = '(prefers-color-scheme: dark)';

/** Whether a media query matches now; re-renders when it changes. */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (listener) => {
      const list = matchMedia(query);
      list.addEventListener('change', listener);
      return () => list.removeEventListener('change', listener);
    },
    () => matchMedia(query).matches,
    () => false,
  );
}

/** The theme in effect: the preference, or the system's when the preference is `system`. */
export const effectiveTheme = (preference: ThemePreference, systemDark: boolean) =>
  preference === 'system' ? (systemDark ? 'dark' : 'light') : preference;

/**
 * Applies the theme preference to the document: `data-theme` on `<html>` pins light or dark
 * (styles.css sets `color-scheme` from it); without it the system's choice applies. Returns the
 * theme in effect.
 */
export function useAppliedTheme(): 'light' | 'dark' {
  const preference = usePreference('theme');
  const systemDark = useMediaQuery(DARK);
  useEffect(() => {
    const root = document.documentElement;
    if (preference === 'system') delete root.dataset.theme;
    else root.dataset.theme = preference;
  }, [preference]);
  return effectiveTheme(preference, systemDark);
}
