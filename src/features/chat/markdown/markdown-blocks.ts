/**
 * Splits markdown into top-level blocks at blank lines outside fenced code. While an answer
 * streams only its last block changes, so each earlier block is parsed and sanitized once
 * instead of once per token: the cost per token stays flat however long the answer grows.
 */
export function markdownBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;

  for (const line of text.split('\n')) {
    if (fence !== null) {
      current.push(line);
      // A closing fence: the same character, at least as long, and nothing after it.
      const closing = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)?.[1];
      if (closing && closing[0] === fence[0] && closing.length >= fence.length) fence = null;
    } else if (line.trim() === '') {
      if (current.length > 0) blocks.push(current.join('\n'));
      current = [];
    } else {
      fence = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1] ?? null;
      current.push(line);
    }
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}
