import { useEffect, useState } from 'react';
import { ChatProvider } from '../features/chat/chat-context.tsx';
import { ComparePage } from '../features/compare/components/compare-page.tsx';
import { LabProvider } from '../features/compare/lab-context.tsx';
import { ChatHistory } from '../features/chat/components/chat-history.tsx';
import { ChatPanel } from '../features/chat/components/chat-panel.tsx';
import { DeviceReport } from '../features/device/components/device-report.tsx';
import { LibraryPanel } from '../features/library/components/library-panel.tsx';
import { ModelPicker } from '../features/models/components/model-picker.tsx';
import { ModelStatus } from '../features/models/components/model-status.tsx';
import { PrivacyPanel } from '../features/privacy/components/privacy-panel.tsx';
import { StatsPanel } from '../features/stats/components/stats-panel.tsx';
import type { EngineServices } from '../lib/engine-bootstrap.ts';
import { EngineProvider, useEngineValue } from '../lib/engine-context.tsx';
import { EngineAlert } from './engine-alert.tsx';
import { ErrorBoundary } from './error-boundary.tsx';
import { labFamilies } from './lab-families.ts';
import { UpdateBanner } from './update-banner.tsx';

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

function useHash(): string {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function CompareView() {
  const gpu = useEngineValue((s) => s.device?.gpu ?? null);
  return gpu ? (
    <ComparePage families={labFamilies(gpu)} />
  ) : (
    <p>Checking what this browser can run…</p>
  );
}

function Shell() {
  const hash = useHash();
  return (
    <>
      <header className="app-header">
        <h1>Tab LLM</h1>
        <p className="tagline">Runs entirely in this tab. Nothing you type leaves your device.</p>
        <nav aria-label="Views">
          <a href="#/">Chat</a> · <a href="#/compare">Compare quantizations</a>
        </nav>
      </header>
      <UpdateBanner />
      {hash === '#/compare' ? (
        <main>
          <ModelStatus />
          <ErrorBoundary region="compare">
            <CompareView />
          </ErrorBoundary>
        </main>
      ) : (
        <main className="layout">
          <aside className="sidebar">
            <ErrorBoundary region="device">
              <DeviceReport />
            </ErrorBoundary>
            <ErrorBoundary region="models">
              <ModelPicker />
            </ErrorBoundary>
            <ErrorBoundary region="library">
              <LibraryPanel />
            </ErrorBoundary>
          </aside>
          <div className="center">
            <ModelStatus />
            <EngineAlert />
            <ErrorBoundary region="chat">
              <ChatPanel />
            </ErrorBoundary>
          </div>
          <aside className="sidebar">
            <ErrorBoundary region="speed">
              <StatsPanel />
            </ErrorBoundary>
            <ErrorBoundary region="chat history">
              <ChatHistory />
            </ErrorBoundary>
            <ErrorBoundary region="privacy">
              <PrivacyPanel />
            </ErrorBoundary>
          </aside>
        </main>
      )}
    </>
  );
}
