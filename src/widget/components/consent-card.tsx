import { useEngineValue } from '../../lib/engine-context.tsx';
import { formatBytes } from '../../lib/format.ts';
import { canAskForSharedStorage } from '../shared-storage.ts';
import { isStored } from '../widget-controller.ts';
import { useWidget, useWidgetValue } from '../widget-context.tsx';

/**
 * Nothing is downloaded before the visitor says so: the model's name and size, where it runs,
 * who can read the chat, then Download and start or Not now.
 */
export function ConsentCard() {
  const widget = useWidget();
  const { config } = widget;
  const stored = useEngineValue((s) => isStored(s.stored, config.model));
  const requestedBy = useWidgetValue((s) => s.startRequestedBy);
  const storage = useWidgetValue((s) => s.storage);
  const sharing = useWidgetValue((s) => s.sharing);
  const note = useWidgetValue((s) => s.storageNote);
  const offerShared =
    storage === 'partitioned' && config.model.engine === 'gguf' && canAskForSharedStorage();
  return (
    <section aria-labelledby="consent-heading" className="consent">
      <h2 id="consent-heading">{config.name}</h2>
      <p className="size">
        {stored
          ? 'Stored on this device: no download needed.'
          : config.sizeBytes !== null
            ? `Download: ${formatBytes(config.sizeBytes)}, once.`
            : 'Download size: shown when the download starts.'}
      </p>
      <p>
        It runs on your device; this site cannot read this chat. Nothing you type is sent anywhere.
      </p>
      {requestedBy && (
        <p className="hint">This site’s page asks to start the model ({requestedBy}).</p>
      )}
      <div className="actions">
        <button type="button" onClick={() => void widget.start()}>
          {stored ? 'Start' : 'Download and start'}
        </button>
        <button type="button" className="secondary" onClick={() => widget.decline()}>
          Not now
        </button>
      </div>
      {offerShared && !stored && (
        <p>
          <button
            type="button"
            className="link"
            disabled={sharing}
            onClick={() => void widget.useSharedStorage()}
          >
            Use the models already stored on {location.host}
          </button>
        </p>
      )}
      {note && (
        <p role="note" className="hint">
          {note}
        </p>
      )}
    </section>
  );
}
