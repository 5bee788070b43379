import { LoadProgress } from '../../features/models/components/load-progress.tsx';
import type { EngineServices } from '../../lib/engine-bootstrap.ts';
import { EngineProvider, useEngineStore, useEngineValue } from '../../lib/engine-context.tsx';
import { loadedModel } from '../../lib/engine-lifecycle.ts';
import { errorMessage, errorRecovery } from '../../lib/error-messages.ts';
import { sameModel } from '../../shared/model-keys.ts';
import type { WidgetController } from '../widget-controller.ts';
import { useWidget, useWidgetValue, WidgetProvider } from '../widget-context.tsx';
import { ConsentCard } from './consent-card.tsx';
import { GrantAsk } from './grant-ask.tsx';
import { WidgetChat } from './widget-chat.tsx';
import { WidgetFooter } from './widget-footer.tsx';

/** The widget page: the app's features in a compact frame around one model. */
export function WidgetApp({
  services,
  widget,
}: {
  services: EngineServices;
  widget: WidgetController;
}) {
  return (
    <EngineProvider services={services}>
      <WidgetProvider widget={widget}>
        <div className="widget">
          <header className="widget-header">
            <h1>Private chat</h1>
            <WidgetStatus />
          </header>
          <GrantAsk />
          <main className="widget-main">
            <Stage />
          </main>
          <WidgetFooter />
        </div>
      </WidgetProvider>
    </EngineProvider>
  );
}

/** One line on the state of the widget's model, for the visitor and for tests. */
function WidgetStatus() {
  const { config } = useWidget();
  const status = useEngineValue((s) => {
    const model = loadedModel(s.state);
    if (model && sameModel(model.spec, config.model)) {
      return s.heldBy
        ? `In use by ${s.heldBy}`
        : s.state.status === 'generating'
          ? 'Answering'
          : 'Ready';
    }
    return s.state.status === 'downloading'
      ? 'Downloading'
      : s.state.status === 'loading'
        ? 'Loading'
        : s.state.status === 'starting'
          ? 'Starting'
          : 'Not started';
  });
  return (
    <p role="status" aria-label="Widget status" className="widget-status">
      {config.name} · {status}
    </p>
  );
}

/** What the main area shows: the consent card, the progress, a failure, or the chat. */
function Stage() {
  const widget = useWidget();
  const engine = useEngineStore();
  const { config } = widget;
  const state = useEngineValue((s) => s.state);
  const consent = useWidgetValue((s) => s.consent);
  const model = loadedModel(state);
  if (model && sameModel(model.spec, config.model)) return <WidgetChat />;
  switch (state.status) {
    case 'starting':
      return <p>Checking what this browser can run…</p>;
    case 'unsupported':
      return (
        <p role="alert" className="alert">
          This browser cannot run the model: {state.reason}
        </p>
      );
    case 'downloading':
    case 'loading':
      return <LoadProgress />;
    case 'error': {
      const message = errorMessage(state.error);
      // The warning before a load that other tabs leave too little memory for: the visitor
      // chooses, as in the app.
      const warned = errorRecovery(state.error) === 'load-anyway';
      return (
        <div role="alert" className="alert">
          <p className="alert-title">{message.title}</p>
          <p>{message.action}</p>
          {warned ? (
            <>
              <button type="button" onClick={() => void widget.start({ despiteOtherTabs: true })}>
                Load anyway
              </button>
              <button type="button" onClick={() => engine.dismissError()}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" onClick={() => void widget.start()}>
              Try again
            </button>
          )}
        </div>
      );
    }
    default:
      return consent === 'declined' ? (
        <p>
          <button type="button" onClick={() => widget.set((s) => ({ ...s, consent: 'asking' }))}>
            Start a private chat
          </button>
        </p>
      ) : (
        <ConsentCard />
      );
  }
}

/** Shown instead of the widget where it may not run (not allowed here, or misconfigured). */
export function WidgetRefusal({ reason }: { reason: string }) {
  return (
    <div className="widget">
      <p role="alert" className="alert">
        {reason}
      </p>
    </div>
  );
}
