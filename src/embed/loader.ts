/**
 * `embed.js`: the one script a site adds. It registers `<tab-llm-chat>`, which shows the widget
 * page of the app's origin (the origin this script came from) in a cross-origin iframe, and
 * `window.TabLLM.connect(iframe)` for a plain `<iframe>`. Built on its own as a classic script
 * (`scripts/embed-loader-plugin.ts`), so that it knows its own URL and stays small.
 *
 * The host page sees the element and the frame, never what is inside: the widget's document,
 * the visitor's chat and the model are on the app's origin.
 */
import { connectToFrame, TabLlmError, type TabLlmClient } from './host-client.ts';
import { WIDGET_ATTRIBUTES, widgetUrl } from './widget-url.ts';

/** This script's URL, read while it runs (afterwards `currentScript` is gone). */
const scriptUrl =
  document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : null;

const STYLE = `
:host { display: block; color-scheme: light dark; }
:host([hidden]) { display: none; }
iframe { display: block; width: 100%; height: 100%; border: 0; border-radius: 12px; background: Canvas; }
.inline { height: var(--tab-llm-height, 540px); }
.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  padding: 12px 18px; border: 0; border-radius: 999px; font: 600 15px system-ui, sans-serif;
  color: #fff; background: var(--tab-llm-accent, #1f5fbf); box-shadow: 0 4px 16px #0004; cursor: pointer; }
.panel { position: fixed; right: 20px; bottom: 76px; z-index: 2147483000;
  width: min(400px, calc(100vw - 40px)); height: min(600px, calc(100vh - 110px));
  box-shadow: 0 8px 32px #0005; border-radius: 12px; }
.panel.folded { visibility: hidden; }
`;

/** `<tab-llm-chat>`: the widget, inline (default) or behind a launcher button. */
class TabLlmChatElement extends HTMLElement {
  static observedAttributes = [...Object.keys(WIDGET_ATTRIBUTES), 'src'];
  #frame: HTMLIFrameElement | null = null;
  #client: Promise<TabLlmClient> | null = null;
  #open: ((open: boolean) => void) | null = null;

  connectedCallback() {
    if (!this.#frame) this.#render();
  }

  attributeChangedCallback() {
    // A new fragment alone would not reload the frame: a new frame starts the new settings.
    if (this.#frame) this.#render();
  }

  /**
   * Connects to the widget for the host API (one connection per element, made once).
   *
   * @throws TabLlmError `unavailable` when the widget does not answer (not allowed here, or not
   * loaded).
   */
  connect(options: { timeoutMs?: number } = {}): Promise<TabLlmClient> {
    const frame = this.#frame;
    if (!frame) return Promise.reject(new Error('<tab-llm-chat> is not in the document yet'));
    this.#client ??= connectToFrame(frame, new URL(frame.src).origin, {
      ...options,
      onAttention: () => this.#open?.(true),
    }).catch((cause: unknown) => {
      this.#client = null;
      throw cause;
    });
    return this.#client;
  }

  #render() {
    const base = this.getAttribute('src') ?? scriptUrl;
    if (!base) {
      console.error('<tab-llm-chat>: load embed.js with a classic <script src>, or set src.');
      return;
    }
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    const frame = document.createElement('iframe');
    frame.src = widgetUrl(base, (name) => this.getAttribute(name));
    frame.title = this.getAttribute('title') ?? 'Private chat (Tab LLM)';
    // Cross-origin isolation reaches the frame only when the host page has it too.
    frame.allow = 'cross-origin-isolated';
    frame.referrerPolicy = 'no-referrer';
    this.#frame = frame;
    this.#client = null;

    if (this.getAttribute('layout') === 'launcher') {
      const button = document.createElement('button');
      button.className = 'launcher';
      button.type = 'button';
      button.textContent = this.getAttribute('label') ?? 'Chat';
      const panel = document.createElement('div');
      panel.className = 'panel folded';
      panel.append(frame);
      this.#open = (open) => {
        panel.classList.toggle('folded', !open);
        button.setAttribute('aria-expanded', String(open));
      };
      button.setAttribute('aria-expanded', 'false');
      button.addEventListener('click', () => this.#open?.(panel.classList.contains('folded')));
      root.replaceChildren(style, panel, button);
    } else {
      const box = document.createElement('div');
      box.className = 'inline';
      box.append(frame);
      this.#open = null;
      root.replaceChildren(style, box);
    }
  }
}

if (!customElements.get('tab-llm-chat')) {
  customElements.define('tab-llm-chat', TabLlmChatElement);
}

/** For a plain `<iframe src=".../widget.html#…">`: the same host API. */
const api = {
  connect: (frame: HTMLIFrameElement, options: { timeoutMs?: number } = {}) =>
    connectToFrame(frame, new URL(frame.src).origin, options),
  TabLlmError,
};

declare global {
  interface Window {
    TabLLM?: typeof api;
  }
}

window.TabLLM ??= api;
