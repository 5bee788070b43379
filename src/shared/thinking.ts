/**
 * Reasoning ("thinking") models write their thoughts between these tags before the answer
 * (Qwen3, DeepSeek-R1 and their distills, QwQ). They are also the protocol's convention: an engine
 * that hands reasoning over apart from the answer (llama.cpp's `reasoning_content`) puts it back
 * between them, so every engine streams one kind of text and the chat splits it in one place.
 */
export const THINK_OPEN = '<think>';
export const THINK_CLOSE = '</think>';

/** What a model's chat template says about thinking. */
export interface ThinkingSupport {
  /**
   * The template reads `enable_thinking` (Qwen3's switch), so a request may turn thinking off
   * (llama.cpp's `chat_template_kwargs`, web-llm's `extra_body`).
   */
  switchable: boolean;
  /**
   * The template's generation prompt ends inside an opened `<think>` (DeepSeek-R1 distills since
   * their template update, Qwen3 "Thinking-2507"): the output begins with reasoning and carries
   * only the closing tag.
   */
  startsInReasoning: boolean;
}

export const noThinking: ThinkingSupport = { switchable: false, startsInReasoning: false };

/**
 * Reads a Jinja chat template for thinking. This is a reading of the template's text, not a
 * rendering: a template that hides the tags behind variables is not recognised (and then its
 * output's explicit tags still work; only a prompt-opened block would be shown as answer).
 *
 * The generation prompt is taken to be what follows the template's last `add_generation_prompt`;
 * it opens the reasoning when its last `<think>` is not followed by a `</think>` (Qwen3's
 * `<think>\n\n</think>` for thinking turned off is an empty block, closed in the prompt).
 */
export function thinkingSupport(template: string | null): ThinkingSupport {
  if (!template) return noThinking;
  const promptStart = template.lastIndexOf('add_generation_prompt');
  const generationPrompt = promptStart < 0 ? '' : template.slice(promptStart);
  const opened = generationPrompt.lastIndexOf(THINK_OPEN);
  return {
    switchable: template.includes('enable_thinking'),
    startsInReasoning: opened >= 0 && !generationPrompt.includes(THINK_CLOSE, opened),
  };
}
