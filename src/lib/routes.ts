import { useSyncExternalStore } from 'react';

/**
 * The app's views and their addresses. Hash routes, so that any static host serves them and the
 * service worker's navigation fallback (index.html) opens every one of them offline: the part
 * after `#` never reaches a server. Four routes need no router library: this module parses the
 * hash, and links are plain `<a href>`s, so the browser's back and forward buttons just work.
 */
export type View = 'chat' | 'models' | 'compare' | 'privacy';

export const viewHref: Record<View, string> = {
  chat: '#/',
  models: '#/models',
  compare: '#/compare',
  privacy: '#/privacy',
};

/** Link text, tab titles and headings. */
export const viewTitle: Record<View, string> = {
  chat: 'Chat',
  models: 'Models',
  compare: 'Compare',
  privacy: 'Privacy & settings',
};

export const views = Object.keys(viewHref) as View[];

/**
 * The view a location hash names. An empty hash, `#/` and anything unknown open the chat, so an
 * old or mistyped link still lands somewhere useful. A trailing slash or a query is ignored.
 */
export function viewFromHash(hash: string): View {
  const path = hash.replace(/^#\/?/, '').split(/[?/]/)[0] ?? '';
  return views.find((view) => view !== 'chat' && viewHref[view] === `#/${path}`) ?? 'chat';
}

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
};

/** The view the address bar names now; re-renders when it changes (links, back, forward). */
export function useView(): View {
  return useSyncExternalStore(
    subscribe,
    () => viewFromHash(location.hash),
    () => 'chat',
  );
}

/** Goes to `view` as a link would (a history entry of its own). */
export function showView(view: View): void {
  if (viewFromHash(location.hash) !== view) location.hash = viewHref[view];
}
