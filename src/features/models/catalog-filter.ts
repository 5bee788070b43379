/**
 * Case-insensitive match of every word of `query` against a model's names, so `qwen q8` finds
 * `Qwen2.5-0.5B-Instruct` at `Q8_0`.
 */
export function matchesQuery(query: string, ...names: string[]): boolean {
  const haystack = names.join(' ').toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** Keeps the families (and within them the variants) that match; a family name match keeps all. */
export function filterFamilies<V extends { quantization: string }>(
  families: readonly { family: string; variants: V[] }[],
  query: string,
): { family: string; variants: V[] }[] {
  if (!query.trim()) return [...families];
  return families
    .map(({ family, variants }) => ({
      family,
      variants: variants.filter((v) => matchesQuery(query, family, v.quantization)),
    }))
    .filter(({ variants }) => variants.length > 0);
}
