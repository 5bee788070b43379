import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createGrantStore } from '../lib/embed-grants.ts';
import { startEngine } from '../lib/engine-bootstrap.ts';
import { inferenceWorker } from '../lib/engine-client.ts';
import { createPreferenceStore, memoryPreferences } from '../lib/preferences.ts';
import { WidgetApp, WidgetRefusal } from './components/widget-app.tsx';
import { allowedEmbedOrigins, ancestorOrigins, placementAllowed } from './embed-policy.ts';
import { listenForHosts } from './host-bridge.ts';
import { createHostApi } from './host-api.ts';
import { requestSharedStorage } from './shared-storage.ts';
import { readWidgetConfig } from './widget-config.ts';
import { createWidgetController } from './widget-controller.ts';
import './widget.css';

const element = document.getElementById('root');
if (!element) throw new Error('widget.html has no #root element');
const root = createRoot(element);

const allowed = allowedEmbedOrigins();
const ancestors = ancestorOrigins();
const embedded = window.parent !== window;
const reading = readWidgetConfig(location.hash);

if (!placementAllowed(ancestors, location.origin, allowed)) {
  // No engine, no listener: a page that may not embed the widget gets nothing from it.
  root.render(<WidgetRefusal reason="This chat is not available on this site." />);
} else if (!reading.ok) {
  root.render(<WidgetRefusal reason={reading.problem} />);
} else {
  const { config } = reading;
  if (config.theme !== 'auto') document.documentElement.dataset.theme = config.theme;
  document.documentElement.dataset.layout = config.layout;
  // The widget's backend comes from the site's settings, and the widget writes no preference.
  const services = startEngine(
    inferenceWorker(),
    createPreferenceStore(memoryPreferences({ backend: config.backend })),
  );
  // Inside another site's page the browser gives the frame storage of that site's partition.
  const partitioned = embedded && ancestors?.at(-1) !== location.origin;
  const widget = createWidgetController({
    engine: services.engine,
    config,
    grants: createGrantStore(),
    storage: partitioned ? 'partitioned' : 'shared',
    requestSharedStorage: () => requestSharedStorage(),
  });
  listenForHosts(
    window,
    () => ({
      parent: window.parent,
      self: window,
      ownOrigin: location.origin,
      allowed,
      ancestor: ancestors?.[0] ?? null,
    }),
    createHostApi(services.engine, widget),
    (connection) => widget.setHost(connection),
  );
  root.render(
    <StrictMode>
      <WidgetApp services={services} widget={widget} />
    </StrictMode>,
  );
}
