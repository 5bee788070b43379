import { useEngineValue } from '../../lib/engine-context.tsx';
import { loadedModel } from '../../lib/engine-lifecycle.ts';
import { formatBackend } from '../../lib/format.ts';
import { useWidget, useWidgetValue } from '../widget-context.tsx';

/**
 * Honest figures under the chat: where the model runs (the backend llama.cpp reported, and its
 * threads), whether this frame is cross-origin isolated (without it, no SharedArrayBuffer: the
 * CPU path runs on one thread), where models are kept, and the site's grant. Each answer's speed
 * shows under it, as in the app.
 */
export function WidgetFooter() {
  return (
    <footer className="widget-footer">
      <RuntimeLine />
      <StorageLine />
      <HostLine />
    </footer>
  );
}

function RuntimeLine() {
  const model = useEngineValue((s) => loadedModel(s.state));
  const isolation = crossOriginIsolated
    ? 'cross-origin isolated: SharedArrayBuffer available'
    : 'not cross-origin isolated: no SharedArrayBuffer, one CPU thread';
  return (
    <p aria-label="Runtime">
      {model ? `Runs on ${formatBackend(model.backend)}` : 'Runs on this device'} · {isolation}
    </p>
  );
}

function StorageLine() {
  const storage = useWidgetValue((s) => s.storage);
  return (
    <p aria-label="Storage">
      {storage === 'shared'
        ? `Models: the copies stored on ${location.host}, shared with the app.`
        : 'Models: stored for this site only (the browser keeps embedded storage per site).'}
    </p>
  );
}

function HostLine() {
  const widget = useWidget();
  const host = useWidgetValue((s) => s.host);
  if (!host) return null;
  return (
    <p aria-label="Site access">
      {host.grant === 'granted'
        ? `${host.origin} may use this model for its own features. `
        : host.grant === 'revoked'
          ? `${host.origin} may not use this model. `
          : `${host.origin} has not asked to use this model. `}
      {host.grant === 'granted' && (
        <button type="button" className="link" onClick={() => void widget.revokeHost()}>
          Revoke
        </button>
      )}
    </p>
  );
}
