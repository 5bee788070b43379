import { useEffect, useRef, useState } from 'react';
import { ChatProvider } from '../features/chat/chat-context.tsx';
import { ChatPanel } from '../features/chat/components/chat-panel.tsx';
import { ComparePage } from '../features/compare/components/compare-page.tsx';
import { LabProvider } from '../features/compare/lab-context.tsx';
import { DeviceReport } from '../features/device/components/device-report.tsx';
import { LibraryPanel } from '../features/library/components/library-panel.tsx';
import { ModelPicker } from '../features/models/components/model-picker.tsx';
import { StartCard } from '../features/models/components/start-card.tsx';
import { PrivacyPanel } from '../features/privacy/components/privacy-panel.tsx';
import type { EngineServices } from '../lib/engine-bootstrap.ts';
import { EngineProvider, useEngineValue } from '../lib/engine-context.tsx';
import { useView, viewTitle, type View } from '../lib/routes.ts';
import { EngineAlert } from './engine-alert.tsx';
import { ErrorBoundary } from './error-boundary.tsx';
import { labFamilies } from './lab-families.ts';
import { SettingsPanel } from './settings-panel.tsx';
import { Sidebar } from './sidebar.tsx';
import { useAppliedTheme, useMediaQuery } from './theme.ts';
import { TopBar } from './top-bar.tsx';
import { UpdateBanner } from './update-banner.tsx';
import { useShortcuts } from './use-shortcuts.ts';

/** From this width the sidebar sits beside the view; below it, it is a drawer over the view. */
const WIDE = '(min-width: 900px)';

/** The app's shell: composes the features around one engine (see `startEngine`). */
export function App({ services }: { services: EngineServices }) {
  return (
    <EngineProvider services={services}>
      <ChatProvider>
        <LabProvider appVersion={__TAB_LLM_VERSION__}>
          <Shell />
        </LabProvider>
      </ChatProvider>
    </EngineProvider>
  );
}

function Shell() {
  const view = useView();
  const theme = useAppliedTheme();
  const wide = useMediaQuery(WIDE);
  // Remembered apart: beside the view it starts open, as a drawer it starts closed.
  const [openBeside, setOpenBeside] = useState(true);
  const [openAsDrawer, setOpenAsDrawer] = useState(false);
  const sidebarOpen = wide ? openBeside : openAsDrawer;
  const main = useRef<HTMLElement>(null);
  const shownView = useRef(view);
  useShortcuts();

  useEffect(() => {
    document.title = `${viewTitle[view]} · Tab LLM`;
    if (shownView.current === view) return;
    shownView.current = view;
    // A new view: keyboard and screen reader users continue there, not on the link they left;
    // in the chat, at the composer (not on a touch screen, where that opens the keyboard).
    const composer = document.getElementById('message');
    if (view === 'chat' && composer && matchMedia('(pointer: fine)').matches) composer.focus();
    else main.current?.focus();
  }, [view]);

  function closeDrawer() {
    setOpenAsDrawer(false);
  }
  useDrawerFocus(!wide && openAsDrawer, closeDrawer);

  return (
    <div className="app">
      <TopBar
        sidebarOpen={sidebarOpen}
        onToggleSidebar={() => (wide ? setOpenBeside : setOpenAsDrawer)((open) => !open)}
        theme={theme}
      />
      <UpdateBanner />
      <div className="shell">
        <Sidebar open={sidebarOpen} view={view} onNavigate={wide ? () => undefined : closeDrawer} />
        {!wide && sidebarOpen && (
          // Pointer users close the drawer by tapping beside it; keyboard users have Esc and the toggle.
          <div className="backdrop" aria-hidden="true" onClick={closeDrawer} />
        )}
        <main ref={main} className={`view view-${view}`} tabIndex={-1} aria-label={viewTitle[view]}>
          <EngineAlert />
          <CurrentView view={view} />
        </main>
      </div>
    </div>
  );
}

/** The quantization lab, over the catalogs (which this shell hands it: features do not share). */
function CompareView() {
  const gpu = useEngineValue((s) => s.device?.gpu ?? null);
  return gpu ? (
    <ComparePage families={labFamilies(gpu)} />
  ) : (
    <p>Checking what this browser can run…</p>
  );
}

function CurrentView({ view }: { view: View }) {
  switch (view) {
    case 'chat':
      return (
        <ErrorBoundary region="chat">
          <ChatPanel
            beforeComposer={
              <ErrorBoundary region="start">
                <StartCard />
              </ErrorBoundary>
            }
          />
        </ErrorBoundary>
      );
    case 'models':
      return (
        <div className="page models-view">
          <ErrorBoundary region="device">
            <DeviceReport />
          </ErrorBoundary>
          <div className="columns">
            <ErrorBoundary region="models">
              <ModelPicker />
            </ErrorBoundary>
            <ErrorBoundary region="library">
              <LibraryPanel />
            </ErrorBoundary>
          </div>
        </div>
      );
    case 'compare':
      return (
        <div className="page">
          <ErrorBoundary region="compare">
            <CompareView />
          </ErrorBoundary>
        </div>
      );
    case 'privacy':
      return (
        <div className="page settings-view">
          <ErrorBoundary region="settings">
            <SettingsPanel />
          </ErrorBoundary>
          <ErrorBoundary region="device">
            <DeviceReport />
          </ErrorBoundary>
          <ErrorBoundary region="privacy">
            <PrivacyPanel />
          </ErrorBoundary>
        </div>
      );
  }
}

/**
 * While the sidebar is a drawer over the view: focus goes into it, and Esc closes it, back on its
 * toggle. Esc is taken in the capture phase, before the app's own Esc (stop the answer) sees it.
 */
function useDrawerFocus(open: boolean, close: () => void) {
  const closeRef = useRef(close);
  useEffect(() => {
    closeRef.current = close;
  });
  useEffect(() => {
    if (!open) return;
    document.querySelector<HTMLElement>('#sidebar a')?.focus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      event.preventDefault();
      closeRef.current();
      document.querySelector<HTMLElement>('[aria-controls="sidebar"]')?.focus();
    };
    document.addEventListener('keydown', onKeyDown, true);
    return () => document.removeEventListener('keydown', onKeyDown, true);
  }, [open]);
}
