// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render-markdown.ts';

/** Renders into a detached element and lists everything that could run or load. */
function live(source: string) {
  const root = document.createElement('div');
  root.innerHTML = renderMarkdown(source);
  const elements = [...root.querySelectorAll('*')];
  return {
    root,
    tags: elements.map((e) => e.tagName.toLowerCase()),
    handlers: elements.flatMap((e) =>
      [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name),
    ),
    sources: elements.flatMap((e) =>
      ['src', 'srcset', 'data', 'poster', 'background', 'action', 'formaction']
        .map((name) => e.getAttribute(name))
        .filter((value) => value !== null),
    ),
    hrefs: elements.map((e) => e.getAttribute('href')).filter((value) => value !== null),
  };
}

const executable = ['script', 'iframe', 'img', 'object', 'embed', 'form', 'style', 'svg', 'video'];

describe('renderMarkdown', () => {
  it('renders markdown: headings, emphasis, lists, tables, links', () => {
    const { root } = live(
      '# Title\n\n**bold** and *it*\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[site](https://example.org)',
    );
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect(root.querySelectorAll('li')).toHaveLength(2);
    expect(root.querySelector('td')?.textContent).toBe('1');
    const link = root.querySelector('a');
    expect(link?.getAttribute('href')).toBe('https://example.org');
    expect(link?.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(link?.getAttribute('target')).toBe('_blank');
  });

  it('highlights a fenced code block in a known language, escapes it in any other', () => {
    const { root } = live('```js\nconst x = "<b>";\n```\n\n```nolang\n<b>hi</b>\n```');
    const [js, other] = [...root.querySelectorAll('pre code')];
    expect(js?.className).toContain('language-js');
    expect(js?.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(js?.textContent).toBe('const x = "<b>";\n');
    expect(other?.querySelector('b')).toBeNull();
    expect(other?.textContent).toBe('<b>hi</b>\n');
  });

  const hostile = [
    '<img src=x onerror="globalThis.pwned=1">',
    '<script>globalThis.pwned = 1</script>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="globalThis.pwned=1"><circle/></svg>',
    '<a href="javascript:alert(1)" onclick="x()">click</a>',
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '![tracker](https://evil.example/pixel.png)',
    '![tracker][ref]\n\n[ref]: https://evil.example/pixel.png',
    '<style>body{background:url(https://evil.example/x)}</style>',
    '<form action="https://evil.example"><button>go</button></form>',
    '<video poster="https://evil.example/p.png" src="https://evil.example/v.mp4"></video>',
    '<p style="background:url(https://evil.example/x)">styled</p>',
    '**<img src=x onerror=alert(1)>**',
    '`<script>` in code is fine\n\n```html\n<script>alert(1)</script>\n```',
  ];

  it.each(hostile)('renders nothing executable or loading for %s', (source) => {
    const { tags, handlers, sources, hrefs } = live(source);
    expect(tags.filter((t) => executable.includes(t))).toEqual([]);
    expect(handlers).toEqual([]);
    expect(sources).toEqual([]);
    expect(hrefs.filter((h) => !/^(https?:|mailto:)/i.test(h))).toEqual([]);
  });

  it('shows raw HTML and images as text instead of dropping them', () => {
    expect(live('<b>x</b>').root.textContent).toContain('<b>x</b>');
    expect(live('![a cat](https://evil.example/cat.png)').root.textContent).toBe('a cat\n');
  });
});
