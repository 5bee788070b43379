import { memo, useMemo } from 'react';
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
  // renderMarkdown's output is sanitized: no scripts, handlers, remote loads or unsafe links.
  return <div className="markdown-block" dangerouslySetInnerHTML={{ __html: html }} />;
});
