import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/common';
import { Marked } from 'marked';
import { markedHighlight } from 'marked-highlight';

/**
 * Model output is untrusted text. It is rendered as markdown in two layers, so that one mistake
 * does not make it live:
 * 1. marked never passes HTML through: raw HTML in the answer is shown as the text it is, and an
 *    image is shown as its alt text (a remote image would be a request leaving the device).
 * 2. DOMPurify then removes anything executable that remains (event handlers, `javascript:` and
 *    other non-web links, scripts, frames, forms, styles).
 */
const marked = new Marked(
  markedHighlight({
    langPrefix: 'hljs language-',
    highlight: (code, lang) =>
      hljs.getLanguage(lang) ? hljs.highlight(code, { language: lang }).value : code,
  }),
  {
    gfm: true,
    breaks: true,
    renderer: {
      html: ({ text }) => escapeHtml(text),
      image: ({ text }) => escapeHtml(text),
    },
  },
);

const purifier = DOMPurify();

purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName !== 'A') return;
  const href = node.getAttribute('href') ?? '';
  if (!/^(https?:|mailto:)/i.test(href)) {
    node.removeAttribute('href');
    return;
  }
  // A link leaves the app only when the user clicks it, and then tells the site nothing.
  node.setAttribute('target', '_blank');
  node.setAttribute('rel', 'noopener noreferrer nofollow');
});

const sanitizeOptions = {
  FORBID_TAGS: ['img', 'picture', 'source', 'video', 'audio', 'iframe', 'object', 'embed', 'form'],
  FORBID_ATTR: ['style', 'srcset', 'src', 'background', 'poster'],
};

/** Markdown source to inert HTML. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false });
  return purifier.sanitize(html, sanitizeOptions);
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
