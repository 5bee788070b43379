import { THINK_CLOSE, THINK_OPEN } from '../../shared/thinking.ts';

/**
 * A streamed chunk's delta. llama.cpp's server (wllama 3) parses a reasoning model's output itself
 * and streams the thoughts as `reasoning_content`, apart from `content` (its default
 * `--reasoning-format deepseek`). wllama's types do not list that field, so it is read as unknown.
 */
export interface ChatDelta {
  content?: string | null;
  reasoning_content?: unknown;
}

/**
 * Turns one run's chunk deltas back into the text the model wrote: reasoning between
 * `<think>` and `</think>`, then the answer (the protocol's convention, see `TokenEvent`). A run
 * that ends while still reasoning leaves the block open, as the model did.
 */
export function createReasoningInliner(): (delta: ChatDelta | undefined) => string {
  let reasoning = false;
  return (delta) => {
    let text = '';
    const thought = typeof delta?.reasoning_content === 'string' ? delta.reasoning_content : '';
    if (thought) {
      text += reasoning ? thought : THINK_OPEN + thought;
      reasoning = true;
    }
    const content = delta?.content;
    if (content) {
      text += reasoning ? THINK_CLOSE + content : content;
      reasoning = false;
    }
    return text;
  };
}
