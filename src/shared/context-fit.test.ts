import { describe, expect, it } from 'vitest';
import { answerReserve, fitToContext, nextDrop, withoutOldest } from './context-fit.ts';
import type { ChatTurn } from './engine-protocol.ts';

const turn = (role: ChatTurn['role'], content: string): ChatTurn => ({ role, content });
const system = turn('system', 'Be brief.');
const conversation = [
  system,
  turn('user', 'q1'),
  turn('assistant', 'a1'),
  turn('user', 'q2'),
  turn('assistant', 'a2'),
  turn('user', 'q3'),
];

/** A count of 10 tokens per message, recording what it was asked to count. */
function counter(perMessage = 10) {
  const asked: string[][] = [];
  const count = (messages: ChatTurn[]) => {
    asked.push(messages.map((m) => m.content));
    return Promise.resolve(messages.length * perMessage);
  };
  return { asked, count };
}

describe('answerReserve', () => {
  it('keeps max tokens for the answer, at most a quarter of the context', () => {
    expect(answerReserve(64, 4096)).toBe(64);
    expect(answerReserve(4000, 4096)).toBe(1024);
    expect(answerReserve(512, 256)).toBe(64);
  });
});

describe('nextDrop and withoutOldest', () => {
  it('drop whole exchanges after the system prompt, never the new message', () => {
    expect(nextDrop(conversation, 0)).toBe(2);
    expect(withoutOldest(conversation, 2).map((m) => m.content)).toEqual([
      'Be brief.',
      'q2',
      'a2',
      'q3',
    ]);
    expect(nextDrop(conversation, 2)).toBe(4);
    expect(nextDrop(conversation, 4)).toBeNull();
  });

  it('keep the kept history starting with a user turn', () => {
    const odd = [
      turn('user', 'q1'),
      turn('assistant', 'a1'),
      turn('assistant', 'x'),
      turn('user', 'q2'),
    ];
    expect(nextDrop(odd, 0)).toBe(3);
  });
});

describe('fitToContext', () => {
  it('sends everything, counted once, when it fits with room for the answer', async () => {
    const { asked, count } = counter();
    const fit = await fitToContext(
      conversation,
      { policy: 'drop-oldest', contextSize: 100, reserve: 40 },
      count,
    );
    expect(fit).toEqual({ ok: true, messages: conversation, promptTokens: 60, dropped: 0 });
    expect(asked).toHaveLength(1);
  });

  it('drops the oldest exchanges until the answer has room, keeping the system prompt', async () => {
    const { asked, count } = counter();
    const fit = await fitToContext(
      conversation,
      { policy: 'drop-oldest', contextSize: 100, reserve: 55 },
      count,
    );
    expect(fit).toMatchObject({ ok: true, promptTokens: 40, dropped: 2 });
    expect(fit.ok && fit.messages.map((m) => m.content)).toEqual(['Be brief.', 'q2', 'a2', 'q3']);
    expect(asked.map((a) => a.length)).toEqual([6, 4]);
  });

  it('stops and says so under the stop policy', async () => {
    const { count } = counter();
    const fit = await fitToContext(
      conversation,
      { policy: 'stop', contextSize: 100, reserve: 55 },
      count,
    );
    expect(fit).toEqual({
      ok: false,
      error: { kind: 'context-full', promptTokens: 60, reserveTokens: 55, contextSize: 100 },
    });
  });

  it('sends a lone message that fits with less room than the reserve', async () => {
    const { count } = counter();
    const fit = await fitToContext(
      conversation,
      { policy: 'drop-oldest', contextSize: 100, reserve: 90 },
      count,
    );
    expect(fit).toMatchObject({ ok: true, promptTokens: 20, dropped: 4 });
  });

  it('ends in context-overflow when the new message cannot fit even alone', async () => {
    const { count } = counter(60);
    for (const policy of ['drop-oldest', 'stop'] as const) {
      const fit = await fitToContext(
        [system, turn('user', 'long')],
        { policy, contextSize: 100, reserve: 10 },
        count,
      );
      expect(fit).toEqual({ ok: false, error: { kind: 'context-overflow', contextSize: 100 } });
    }
  });
});
