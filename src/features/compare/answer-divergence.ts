/**
 * Where a variant's greedy answer departs from the reference's: the length of their common start
 * (in UTF-16 code units, whole code points only), or null when the answers are the same.
 */
export function divergenceIndex(reference: string, answer: string): number | null {
  if (reference === answer) return null;
  let i = 0;
  while (i < reference.length && i < answer.length && reference[i] === answer[i]) i++;
  // Never split a surrogate pair: back up to the start of the code point.
  if (i > 0 && /[\uD800-\uDBFF]/.test(answer.charAt(i - 1))) i--;
  return i;
}
