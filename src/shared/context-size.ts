/**
 * The context window a model is loaded with: one setting (`Preferences.contextSize`) that every
 * load reads, and that the memory estimate follows.
 */

/** Unless the user chose another. */
export const DEFAULT_CONTEXT_SIZE = 4096;

/**
 * The sizes offered. llama.cpp rounds a context up to a multiple of 256 (seen with wllama 3.13:
 * 100 tokens asked, 256 allocated; 300 asked, 512), so each of these is allocated as asked.
 */
export const CONTEXT_SIZES: readonly number[] = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768];

/** A stored size if it is one of those offered, else the default. */
export function restoreContextSize(raw: unknown): number {
  return typeof raw === 'number' && CONTEXT_SIZES.includes(raw) ? raw : DEFAULT_CONTEXT_SIZE;
}
