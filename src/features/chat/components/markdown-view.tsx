import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import { markdownBlocks } from '../markdown/markdown-blocks.ts';
import { renderMarkdown } from '../markdown/render-markdown.ts';

/** Untrusted markdown, rendered sanitized, one memoised block at a time (see markdownBlocks). */
export function MarkdownView({ text }: { text: string }) {
  const blocks = markdownBlocks(text);
  return (
    <div className="markdown">
      {blocks.map((block, i) => (
        <MarkdownBlock key={i} source={block} />
      ))}
    </div>
  );
}

const MarkdownBlock = memo(function MarkdownBlock({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  const block = useRef<HTMLDivElement>(null);
  // The copy buttons are made here, as DOM nodes with a listener: the sanitizer lets no button
  // or handler through the model's HTML, and must not be loosened for ours.
  useLayoutEffect(() => {
    for (const pre of block.current?.querySelectorAll('pre') ?? []) addCopyButton(pre);
  }, [html]);
  // renderMarkdown's output is sanitized: no scripts, handlers, remote loads or unsafe links.
  return <div ref={block} className="markdown-block" dangerouslySetInnerHTML={{ __html: html }} />;
});

function addCopyButton(pre: HTMLPreElement) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy-code';
  button.textContent = 'Copy code';
  button.addEventListener('click', () => {
    const code = pre.querySelector('code')?.textContent ?? '';
    navigator.clipboard.writeText(code).then(
      () => (button.textContent = 'Copied'),
      () => (button.textContent = 'Copy failed'),
    );
    setTimeout(() => (button.textContent = 'Copy code'), 1500);
  });
  pre.before(button);
}
