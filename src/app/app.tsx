import { ChatProvider } from '../features/chat/chat-context.tsx';
import { ChatHistory } from '../features/chat/components/chat-history.tsx';
import { ChatPanel } from '../features/chat/components/chat-panel.tsx';
import { DeviceReport } from '../features/device/components/device-report.tsx';
import { LibraryPanel } from '../features/library/components/library-panel.tsx';
import { ModelPicker } from '../features/models/components/model-picker.tsx';
import { ModelStatus } from '../features/models/components/model-status.tsx';
import { PrivacyPanel } from '../features/privacy/components/privacy-panel.tsx';
import { StatsPanel } from '../features/stats/components/stats-panel.tsx';
import type { EngineServices } from '../lib/engine-bootstrap.ts';
import { EngineProvider } from '../lib/engine-context.tsx';
import { EngineAlert } from './engine-alert.tsx';
import { ErrorBoundary } from './error-boundary.tsx';
import { UpdateBanner } from './update-banner.tsx';

/** The app's shell: composes the features around one engine (see `startEngine`). */
export function App({ services }: { services: EngineServices }) {
  return (
    <EngineProvider services={services}>
      <ChatProvider>
        <header className="app-header">
          <h1>Tab LLM</h1>
          <p className="tagline">Runs entirely in this tab. Nothing you type leaves your device.</p>
        </header>
        <UpdateBanner />
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
      </ChatProvider>
    </EngineProvider>
  );
}
