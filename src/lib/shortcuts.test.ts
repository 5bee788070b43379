import { describe, expect, it } from 'vitest';
import { isNewChatShortcut, isStopShortcut } from './shortcuts.ts';

const keys = (
  key: string,
  mods: Partial<Record<'ctrl' | 'meta' | 'shift' | 'alt', boolean>> = {},
) => ({
  key,
  ctrlKey: !!mods.ctrl,
  metaKey: !!mods.meta,
  shiftKey: !!mods.shift,
  altKey: !!mods.alt,
});

describe('keyboard shortcuts', () => {
  it('new chat is Ctrl+Shift+O or Cmd+Shift+O, and nothing near it', () => {
    expect(isNewChatShortcut(keys('O', { ctrl: true, shift: true }))).toBe(true);
    expect(isNewChatShortcut(keys('o', { meta: true, shift: true }))).toBe(true);
    expect(isNewChatShortcut(keys('o', { ctrl: true }))).toBe(false);
    expect(isNewChatShortcut(keys('O', { shift: true }))).toBe(false);
    expect(isNewChatShortcut(keys('O', { ctrl: true, shift: true, alt: true }))).toBe(false);
  });

  it('stop is a plain Esc', () => {
    expect(isStopShortcut(keys('Escape'))).toBe(true);
    expect(isStopShortcut(keys('Escape', { shift: true }))).toBe(false);
    expect(isStopShortcut(keys('Enter'))).toBe(false);
  });
});
