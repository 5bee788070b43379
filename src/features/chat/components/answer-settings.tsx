import type { ChatMessage } from '../chat-archive.ts';

/** An answer's sampling as a short line: the settings that were set, with their values. */
export function settingsLine(message: ChatMessage): string {
  const s = message.sampling;
  const parts = [message.model?.label ?? 'unknown model'];
  if (s) {
    parts.push(`temperature ${s.temperature}`);
    if (s.topP !== undefined) parts.push(`top-p ${s.topP}`);
    if (s.topK !== undefined) parts.push(`top-k ${s.topK}`);
    if (s.minP !== undefined) parts.push(`min-p ${s.minP}`);
    if (s.repeatPenalty !== undefined) parts.push(`repeat penalty ${s.repeatPenalty}`);
    if (s.seed !== undefined) parts.push(`seed ${s.seed}`);
    parts.push(`max ${s.maxTokens} tokens`);
  }
  parts.push(
    message.systemPrompt ? `system prompt “${clip(message.systemPrompt)}”` : 'no system prompt',
  );
  const context = message.context;
  if (context && context.leftOutIds.length > 0) {
    parts.push(`${context.leftOutIds.length} earlier messages left out to fit the context`);
  }
  return parts.join(' · ');
}

const clip = (text: string) => {
  const line = text.trim().replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
};

/** The model and settings an answer was written with; shown while the answer is hovered or focused. */
export function AnswerSettings({ message }: { message: ChatMessage }) {
  return (
    <p className="answer-settings" data-testid="answer-settings">
      {settingsLine(message)}
    </p>
  );
}
