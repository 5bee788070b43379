import { THINK_CLOSE, THINK_OPEN } from '../../shared/thinking.ts';

/** One streamed piece, split: what goes to the thinking and what to the answer (either may be ''). */
export interface ReasoningDelta {
  reasoning: string;
  content: string;
}

/** Where the stream is: nothing but whitespace yet, inside the reasoning, or in the answer. */
export type ReasoningPhase = 'start' | 'reasoning' | 'answer';

export interface ReasoningSplitterOptions {
  /**
   * The prompt already opened the reasoning (`ThinkingSupport.startsInReasoning`, read from the
   * chat template): the output is reasoning until `</think>`, with no opening tag (one that comes
   * anyway is taken as the opening). Without it, reasoning needs an explicit `<think>`.
   */
  startsInReasoning: boolean;
  /** The clock for the reasoning's start and end; `performance.now` by default. */
  now?: () => number;
}

export interface ReasoningSplitter {
  /** Splits the next piece of the model's text. Costs the piece's length, never the whole text's. */
  push: (piece: string) => ReasoningDelta;
  /**
   * Ends the stream: a tag cut short at the end is released as the text it was, and a reasoning
   * that never closed (max tokens, Stop) ends now: it stays reasoning.
   */
  finish: () => ReasoningDelta;
  readonly phase: ReasoningPhase;
  /** From the reasoning's first text to its end; null until it has ended (or when there was none). */
  readonly reasoningMs: number | null;
}

/** How many characters at the end of `text` could be the start of `tag` (a tag split over pieces). */
function partialTagAtEnd(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}

/**
 * Splits a model's streamed text into reasoning and answer, as the pieces arrive: `<think>` opens
 * the reasoning only at the start (after whitespace: Qwen3 sometimes begins with a newline),
 * `</think>` ends it, and either tag may be split anywhere across pieces. Later tags in the answer
 * are the answer's text (a model writing about tags). Whitespace that begins the reasoning or the
 * answer is dropped, as llama.cpp's own parser does. Only a tag's possible start is ever held back,
 * so a piece costs its own length, and text shows as soon as it is known not to be a tag.
 */
export function createReasoningSplitter({
  startsInReasoning,
  now = () => performance.now(),
}: ReasoningSplitterOptions): ReasoningSplitter {
  let phase: ReasoningPhase = 'start';
  /** Text not yet classified: leading whitespace, or what may be the start of a tag. */
  let held = '';
  let skipWhitespace = false;
  let startedAt: number | null = null;
  let endedAt: number | null = null;

  const enter = (next: ReasoningPhase) => {
    if (next === 'reasoning') startedAt = now();
    if (phase === 'reasoning') endedAt = now();
    phase = next;
    skipWhitespace = true;
  };

  function push(piece: string): ReasoningDelta {
    const delta: ReasoningDelta = { reasoning: '', content: '' };
    let text = held + piece;
    held = '';
    for (;;) {
      if (skipWhitespace) {
        text = text.trimStart();
        if (text === '') return delta;
        skipWhitespace = false;
      }
      if (phase === 'start') {
        const rest = text.trimStart();
        if (rest.startsWith(THINK_OPEN)) {
          text = rest.slice(THINK_OPEN.length);
          enter('reasoning');
        } else if (THINK_OPEN.startsWith(rest)) {
          held = text; // whitespace, or a tag still arriving
          return delta;
        } else {
          text = rest;
          enter(startsInReasoning ? 'reasoning' : 'answer');
        }
      } else if (phase === 'reasoning') {
        const close = text.indexOf(THINK_CLOSE);
        if (close >= 0) {
          delta.reasoning += text.slice(0, close);
          text = text.slice(close + THINK_CLOSE.length);
          enter('answer');
        } else {
          const keep = partialTagAtEnd(text, THINK_CLOSE);
          delta.reasoning += text.slice(0, text.length - keep);
          held = text.slice(text.length - keep);
          return delta;
        }
      } else {
        delta.content += text;
        return delta;
      }
    }
  }

  return {
    push,
    finish() {
      const rest = held.trim();
      held = '';
      const delta: ReasoningDelta = { reasoning: '', content: '' };
      if (phase === 'reasoning' || (phase === 'start' && startsInReasoning && rest !== '')) {
        delta.reasoning = rest;
        startedAt ??= now();
        endedAt = now();
      } else {
        delta.content = rest;
      }
      return delta;
    },
    get phase() {
      return phase;
    },
    get reasoningMs() {
      return startedAt === null || endedAt === null ? null : endedAt - startedAt;
    },
  };
}

/** A whole text split at once (what the stream gives, piece by piece). */
export function splitReasoning(text: string, startsInReasoning: boolean): ReasoningDelta {
  const splitter = createReasoningSplitter({ startsInReasoning, now: () => 0 });
  const streamed = splitter.push(text);
  const last = splitter.finish();
  return {
    reasoning: streamed.reasoning + last.reasoning,
    content: streamed.content + last.content,
  };
}
