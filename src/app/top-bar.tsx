import { ModelSwitcher } from '../features/models/components/model-switcher.tsx';
import { usePreferenceStore } from '../lib/engine-context.tsx';
import { viewHref } from '../lib/routes.ts';
import { ErrorBoundary } from './error-boundary.tsx';

/**
 * Always on screen: the sidebar's toggle, the model switcher (what is loaded, where it runs,
 * what the engine is doing; switch without leaving the chat) and the theme toggle.
 */
export function TopBar({
  sidebarOpen,
  onToggleSidebar,
  theme,
}: {
  sidebarOpen: boolean;
  onToggleSidebar: () => void;
  theme: 'light' | 'dark';
}) {
  const preferences = usePreferenceStore();
  return (
    <header className="top-bar">
      <button
        type="button"
        className="icon"
        aria-label="Sidebar"
        aria-expanded={sidebarOpen}
        aria-controls="sidebar"
        onClick={onToggleSidebar}
      >
        <span aria-hidden="true">☰</span>
      </button>
      <h1 className="brand">
        <a href={viewHref.chat}>Tab LLM</a>
      </h1>
      <ErrorBoundary region="model switcher">
        <ModelSwitcher />
      </ErrorBoundary>
      <button
        type="button"
        className="icon"
        aria-label="Dark theme"
        aria-pressed={theme === 'dark'}
        title={theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
        onClick={() => void preferences.update({ theme: theme === 'dark' ? 'light' : 'dark' })}
      >
        <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
      </button>
    </header>
  );
}
