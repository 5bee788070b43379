import type { ChatTurn, ContextPolicy, EngineError } from './engine-protocol.ts';

/**
 * How a conversation is fitted to the model's context before a turn (both engines, and the fake
 * one, apply this one rule). A turn fits when its prompt, as the engine counts it, leaves room
 * for the answer. When it does not, the policy decides: leave out the oldest exchanges (the
 * system prompt and the new message always stay) or stop and say so. A prompt that cannot fit
 * even alone ends in `context-overflow`, as it always has.
 */

/**
 * The room kept for the answer: its max tokens, but never more than a quarter of the context,
 * so that a max tokens near the context's size still leaves room for a conversation. An answer
 * may still use all the room the prompt leaves; llama.cpp then ends it at the context's end.
 */
export function answerReserve(maxTokens: number, contextSize: number): number {
  return Math.max(0, Math.min(Math.floor(maxTokens), Math.floor(contextSize / 4)));
}

/** Where the droppable part of `messages` starts: after the leading system turns. */
const historyStart = (messages: readonly ChatTurn[]) => {
  const first = messages.findIndex((turn) => turn.role !== 'system');
  return first === -1 ? messages.length : first;
};

/**
 * How many of the history's messages to leave out to drop one more exchange after `dropped`
 * (an exchange starts at a user turn, so the kept history still starts with one, as chat
 * templates expect), or null when only the new message would be left.
 */
export function nextDrop(messages: readonly ChatTurn[], dropped: number): number | null {
  const start = historyStart(messages);
  const history = messages.length - 1 - start; // the last message is the new one
  if (dropped >= history) return null;
  let next = dropped + 1;
  while (next < history && messages[start + next]?.role !== 'user') next++;
  return next;
}

/** `messages` without the first `dropped` messages of its history. */
export function withoutOldest(messages: readonly ChatTurn[], dropped: number): ChatTurn[] {
  const start = historyStart(messages);
  return [...messages.slice(0, start), ...messages.slice(start + dropped)];
}

export type FitOutcome =
  | { ok: true; messages: ChatTurn[]; promptTokens: number; dropped: number }
  | { ok: false; error: EngineError };

export interface FitLimits {
  policy: ContextPolicy;
  contextSize: number;
  /** `answerReserve` of the run's max tokens. */
  reserve: number;
}

/**
 * Fits a chat's messages to the context: counts the prompt (`count`: the engine's own count of
 * the prompt these messages make, given also when it exceeds the context), and while it does not
 * leave `reserve` tokens for the answer, applies the policy. Starts from the whole conversation,
 * so that no more is left out than needed.
 *
 * @throws whatever `count` throws (an abort, an engine failure)
 */
export async function fitToContext(
  messages: readonly ChatTurn[],
  { policy, contextSize, reserve }: FitLimits,
  count: (messages: ChatTurn[]) => Promise<number>,
): Promise<FitOutcome> {
  let dropped = 0;
  for (;;) {
    const kept = withoutOldest(messages, dropped);
    const promptTokens = await count(kept);
    if (promptTokens + reserve <= contextSize)
      return { ok: true, messages: kept, promptTokens, dropped };
    const next = nextDrop(messages, dropped);
    if (next === null) {
      // Nothing left to leave out: a prompt that fits goes, with whatever room it leaves.
      return promptTokens < contextSize
        ? { ok: true, messages: kept, promptTokens, dropped }
        : { ok: false, error: { kind: 'context-overflow', contextSize } };
    }
    if (policy === 'stop') {
      return {
        ok: false,
        error: { kind: 'context-full', promptTokens, reserveTokens: reserve, contextSize },
      };
    }
    dropped = next;
  }
}
