import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './chat-archive.ts';
import {
  addChild,
  latestLeaf,
  pathTo,
  removeBranch,
  siblingsOf,
  updateMessage,
  type NewMessage,
} from './chat-tree.ts';

const turn = (id: number, role: ChatMessage['role'], content: string): NewMessage => ({
  id,
  role,
  content,
  reasoning: '',
  status: 'done',
});

/**
 * Q1 ─ A2 ─ Q3 ─ A4
 *    └ A5 (A2 regenerated) ─ Q6 ─ A7
 *           └ Q8 (Q6 edited)
 */
function branchedTree(): ChatMessage[] {
  let tree: ChatMessage[] = [];
  tree = addChild(tree, null, turn(1, 'user', 'Q1'));
  tree = addChild(tree, 1, turn(2, 'assistant', 'A2'));
  tree = addChild(tree, 2, turn(3, 'user', 'Q3'));
  tree = addChild(tree, 3, turn(4, 'assistant', 'A4'));
  tree = addChild(tree, 1, turn(5, 'assistant', 'A5'));
  tree = addChild(tree, 5, turn(6, 'user', 'Q6'));
  tree = addChild(tree, 6, turn(7, 'assistant', 'A7'));
  tree = addChild(tree, 5, turn(8, 'user', 'Q8'));
  return tree;
}

const contents = (messages: readonly ChatMessage[]) => messages.map((m) => m.content);

describe('chat tree', () => {
  it('adds a child as the newest of its parent, leaving the input as it was', () => {
    const before = addChild([], null, turn(1, 'user', 'Q1'));
    const after = addChild(before, 1, turn(2, 'assistant', 'A2'));
    expect(before).toEqual([{ ...turn(1, 'user', 'Q1'), parentId: null, childIds: [] }]);
    expect(after).toEqual([
      { ...turn(1, 'user', 'Q1'), parentId: null, childIds: [2] },
      { ...turn(2, 'assistant', 'A2'), parentId: 1, childIds: [] },
    ]);
    expect(addChild(after, 1, turn(3, 'assistant', 'A3'))[0]?.childIds).toEqual([2, 3]);
  });

  it('gives the path from the root to a leaf, on any branch', () => {
    const tree = branchedTree();
    expect(contents(pathTo(tree, 4))).toEqual(['Q1', 'A2', 'Q3', 'A4']);
    expect(contents(pathTo(tree, 7))).toEqual(['Q1', 'A5', 'Q6', 'A7']);
    expect(contents(pathTo(tree, 8))).toEqual(['Q1', 'A5', 'Q8']);
    expect(pathTo(tree, null)).toEqual([]);
    expect(pathTo(tree, 99)).toEqual([]);
  });

  it('ends a path on a damaged tree whose links form a cycle', () => {
    const cycle: ChatMessage[] = [
      { ...turn(1, 'user', 'Q'), parentId: 2, childIds: [2] },
      { ...turn(2, 'assistant', 'A'), parentId: 1, childIds: [1] },
    ];
    expect(pathTo(cycle, 2)).toHaveLength(2);
    expect([1, 2]).toContain(latestLeaf(cycle, 1));
  });

  it('lists the versions of a message, oldest first', () => {
    const tree = branchedTree();
    expect(contents(siblingsOf(tree, 5))).toEqual(['A2', 'A5']);
    expect(contents(siblingsOf(tree, 2))).toEqual(['A2', 'A5']);
    expect(contents(siblingsOf(tree, 8))).toEqual(['Q6', 'Q8']);
    expect(contents(siblingsOf(tree, 4))).toEqual(['A4']);
    expect(contents(siblingsOf(addChild(tree, null, turn(9, 'user', 'Q9')), 1))).toEqual([
      'Q1',
      'Q9',
    ]);
    expect(siblingsOf(tree, 99)).toEqual([]);
  });

  it('finds the latest leaf under a message by taking the newest child each time', () => {
    const tree = branchedTree();
    expect(latestLeaf(tree, 1)).toBe(8);
    expect(latestLeaf(tree, 2)).toBe(4);
    expect(latestLeaf(tree, 6)).toBe(7);
    expect(latestLeaf(tree, 4)).toBe(4);
  });

  it('changes one message only', () => {
    const tree = branchedTree();
    const changed = updateMessage(tree, 4, (m) => ({ ...m, content: 'A4 again' }));
    expect(contents(changed)).toEqual(['Q1', 'A2', 'Q3', 'A4 again', 'A5', 'Q6', 'A7', 'Q8']);
    expect(contents(tree)).toContain('A4');
  });
});

describe('removeBranch', () => {
  it('deletes a message with everything below it and keeps the other branches', () => {
    const { messages, currentLeafId } = removeBranch(branchedTree(), 5, 8);
    expect(messages.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(messages.find((m) => m.id === 1)?.childIds).toEqual([2]);
    // The shown branch is gone: the other version of the deleted answer is shown.
    expect(currentLeafId).toBe(4);
  });

  it('keeps the shown leaf when the deleted branch was elsewhere', () => {
    const { messages, currentLeafId } = removeBranch(branchedTree(), 3, 7);
    expect(messages.map((m) => m.id)).toEqual([1, 2, 5, 6, 7, 8]);
    expect(messages.find((m) => m.id === 2)?.childIds).toEqual([]);
    expect(currentLeafId).toBe(7);
  });

  it('falls back to the parent when the message had no other version', () => {
    const { messages, currentLeafId } = removeBranch(branchedTree(), 7, 7);
    expect(pathTo(messages, currentLeafId).map((m) => m.content)).toEqual(['Q1', 'A5', 'Q6']);
    expect(removeBranch(branchedTree(), 1, 4)).toEqual({ messages: [], currentLeafId: null });
  });

  it('changes nothing for an unknown id', () => {
    expect(removeBranch(branchedTree(), 99, 4)).toEqual({
      messages: branchedTree(),
      currentLeafId: 4,
    });
  });
});
