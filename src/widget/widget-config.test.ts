import { describe, expect, it } from 'vitest';
import { widgetUrl } from '../embed/widget-url.ts';
import { readWidgetConfig } from './widget-config.ts';

/** The fragment the loader writes for these attributes. */
const fragmentFor = (attributes: Record<string, string>) =>
  new URL(widgetUrl('https://app.example/embed.js', (name) => attributes[name] ?? null)).hash;

describe('widget configuration', () => {
  it('reads what the loader writes from the element’s attributes', () => {
    const hash = fragmentFor({
      model: 'https://models.example/tiny-chat.gguf',
      'model-size': '1185632',
      'system-prompt': 'You answer questions about our shop & its hours.',
      placeholder: 'Ask us',
      theme: 'dark',
      layout: 'launcher',
      backend: 'cpu',
    });
    expect(readWidgetConfig(hash)).toEqual({
      ok: true,
      config: {
        model: {
          engine: 'gguf',
          url: 'https://models.example/tiny-chat.gguf',
          label: 'tiny-chat',
        },
        name: 'tiny-chat',
        sizeBytes: 1185632,
        systemPrompt: 'You answer questions about our shop & its hours.',
        placeholder: 'Ask us',
        theme: 'dark',
        layout: 'launcher',
        backend: 'cpu',
      },
    });
  });

  it('takes a catalogued model’s name and size from the catalog', () => {
    const url =
      'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf';
    const reading = readWidgetConfig(fragmentFor({ model: url, 'model-size': '1' }));
    expect(reading).toMatchObject({
      ok: true,
      config: { name: 'Qwen2.5-0.5B-Instruct Q4_K_M', sizeBytes: 491e6 },
    });
  });

  it('defaults what is missing or out of range, and refuses a missing or unknown model', () => {
    const reading = readWidgetConfig(
      fragmentFor({
        model: 'https://m.example/a.gguf',
        theme: 'neon',
        layout: 'popup',
        backend: 'tpu',
        'model-size': '-5',
        placeholder: 'x'.repeat(500),
      }),
    );
    expect(reading).toMatchObject({
      ok: true,
      config: {
        theme: 'auto',
        layout: 'inline',
        backend: 'auto',
        sizeBytes: null,
        placeholder: 'Message (Enter sends)',
        systemPrompt: '',
      },
    });
    expect(readWidgetConfig('')).toMatchObject({ ok: false });
    expect(readWidgetConfig('#model=not-a-model')).toMatchObject({ ok: false });
    expect(readWidgetConfig('#model=https%3A%2F%2F%5B')).toMatchObject({ ok: false });
    // A system prompt beyond the limit is dropped whole, never cut.
    expect(
      readWidgetConfig(
        fragmentFor({ model: 'https://m.example/a.gguf', 'system-prompt': 'y'.repeat(9000) }),
      ),
    ).toMatchObject({ ok: true, config: { systemPrompt: '' } });
  });
});
