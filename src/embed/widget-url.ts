/** Attributes of `<tab-llm-chat>` that the widget page reads (the rest shape the frame). */
export const WIDGET_ATTRIBUTES = {
  model: 'model',
  'model-name': 'name',
  'model-size': 'size',
  'system-prompt': 'system',
  placeholder: 'placeholder',
  theme: 'theme',
  layout: 'layout',
  backend: 'backend',
} as const;

/** The widget page's URL for these settings: they travel in the fragment, never to a server. */
export function widgetUrl(base: string, attributes: (name: string) => string | null): string {
  const url = new URL('widget.html', base);
  const settings = new URLSearchParams();
  for (const [attribute, key] of Object.entries(WIDGET_ATTRIBUTES)) {
    const value = attributes(attribute);
    if (value !== null) settings.set(key, value);
  }
  url.hash = settings.toString();
  return url.href;
}
