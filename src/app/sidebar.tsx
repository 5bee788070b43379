import { ChatHistory } from '../features/chat/components/chat-history.tsx';
import { StatsPanel } from '../features/stats/components/stats-panel.tsx';
import { showView, viewHref, views, viewTitle, type View } from '../lib/routes.ts';
import { ErrorBoundary } from './error-boundary.tsx';

/**
 * The views, the stored chats and the speed of recent answers. Beside the view on a wide
 * screen; over it, as a drawer, on a narrow one (`onNavigate` then closes it).
 */
export function Sidebar({
  open,
  view,
  onNavigate,
}: {
  open: boolean;
  view: View;
  onNavigate: () => void;
}) {
  return (
    <aside id="sidebar" className="sidebar" aria-label="Sidebar" hidden={!open}>
      <nav aria-label="Views">
        <ul className="view-links">
          {views.map((v) => (
            <li key={v}>
              <a
                href={viewHref[v]}
                aria-current={v === view ? 'page' : undefined}
                onClick={onNavigate}
              >
                {viewTitle[v]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorBoundary region="chat history">
        <ChatHistory
          onOpen={() => {
            showView('chat');
            onNavigate();
          }}
        />
      </ErrorBoundary>
      <details className="speed-section">
        <summary>Speed of recent answers</summary>
        <ErrorBoundary region="speed">
          <StatsPanel />
        </ErrorBoundary>
      </details>
    </aside>
  );
}
