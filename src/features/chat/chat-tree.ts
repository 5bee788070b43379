import type { ChatMessage, MessageId } from './chat-archive.ts';

/**
 * A conversation is a tree of messages: regenerate adds an answer beside the old one, an edit
 * adds a question beside the old one, and switching versions picks another leaf. All three are
 * `addChild` or `latestLeaf` plus a new current leaf; the visible conversation is `pathTo` it.
 * These functions never change their input.
 */

/** A message before it is linked into the tree. */
export type NewMessage = Omit<ChatMessage, 'parentId' | 'childIds'>;

const byId = (messages: readonly ChatMessage[]) => new Map(messages.map((m) => [m.id, m]));

/** The messages from the root down to `leafId`, in order; empty for null or an unknown id. */
export function pathTo(messages: readonly ChatMessage[], leafId: MessageId | null): ChatMessage[] {
  const index = byId(messages);
  const path: ChatMessage[] = [];
  let message = leafId === null ? undefined : index.get(leafId);
  // The length bound stops a damaged tree whose links form a cycle.
  while (message && path.length < messages.length) {
    path.push(message);
    message = message.parentId === null ? undefined : index.get(message.parentId);
  }
  return path.reverse();
}

/** The versions of a message: it and the others of the same parent, oldest first. */
export function siblingsOf(messages: readonly ChatMessage[], id: MessageId): ChatMessage[] {
  const index = byId(messages);
  const message = index.get(id);
  if (!message) return [];
  if (message.parentId === null) return messages.filter((m) => m.parentId === null);
  const parent = index.get(message.parentId);
  return (parent?.childIds ?? []).flatMap((childId) => index.get(childId) ?? []);
}

/** The tree with `message` added as the newest child of `parentId` (null: a new root). */
export function addChild(
  messages: readonly ChatMessage[],
  parentId: MessageId | null,
  message: NewMessage,
): ChatMessage[] {
  const linked = messages.map((m) =>
    m.id === parentId ? { ...m, childIds: [...m.childIds, message.id] } : m,
  );
  return [...linked, { ...message, parentId, childIds: [] }];
}

/** The leaf reached from `id` by always taking the newest child: what a switch to `id` shows. */
export function latestLeaf(messages: readonly ChatMessage[], id: MessageId): MessageId {
  const index = byId(messages);
  let leaf = id;
  for (let steps = 0; steps < messages.length; steps++) {
    const newest = index.get(leaf)?.childIds.at(-1);
    if (newest === undefined || !index.has(newest)) break;
    leaf = newest;
  }
  return leaf;
}

/** The tree with one message changed. */
export function updateMessage(
  messages: readonly ChatMessage[],
  id: MessageId,
  change: (message: ChatMessage) => ChatMessage,
): ChatMessage[] {
  return messages.map((m) => (m.id === id ? change(m) : m));
}

/** `id` and every message below it. */
function subtreeIds(messages: readonly ChatMessage[], id: MessageId): Set<MessageId> {
  const index = byId(messages);
  const found = new Set<MessageId>();
  const pending = [id];
  // The size bound stops a damaged tree whose links form a cycle.
  while (pending.length > 0 && found.size < messages.length) {
    const next = pending.pop();
    const message = next === undefined ? undefined : index.get(next);
    if (!message || found.has(message.id)) continue;
    found.add(message.id);
    pending.push(...message.childIds);
  }
  return found;
}

/**
 * Deletes `id` with everything that follows it on its branches (an answer without its question,
 * or a question without its answer, would break the turns' alternation), and picks what to show
 * next: the shown leaf when it was elsewhere, else the newest remaining version of the deleted
 * message (`latestLeaf`), else its parent.
 */
export function removeBranch(
  messages: readonly ChatMessage[],
  id: MessageId,
  currentLeafId: MessageId | null,
): { messages: ChatMessage[]; currentLeafId: MessageId | null } {
  const target = messages.find((m) => m.id === id);
  if (!target) return { messages: [...messages], currentLeafId };
  const gone = subtreeIds(messages, id);
  const kept = messages
    .filter((m) => !gone.has(m.id))
    .map((m) =>
      m.id === target.parentId ? { ...m, childIds: m.childIds.filter((c) => c !== id) } : m,
    );
  if (currentLeafId !== null && !gone.has(currentLeafId)) return { messages: kept, currentLeafId };
  const sibling = siblingsOf(messages, id)
    .filter((m) => m.id !== id)
    .at(-1);
  const leaf = sibling ? latestLeaf(kept, sibling.id) : target.parentId;
  return { messages: kept, currentLeafId: leaf };
}
