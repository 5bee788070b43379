import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedModelsDir } from '../../../scripts/shared-dir.ts';
import { checkGguf, type GgufCheck } from './gguf-header.ts';
import {
  ByteWriter,
  VirtualFile,
  headerFields,
  seededRandom,
  type HeaderField,
  type Random,
} from './gguf-fuzz-testing.ts';

/**
 * 10,000 hostile or broken files through `checkGguf`: byte mutations of the real test models
 * (aimed mostly at their counts, lengths, types and offsets) and hand-made headers whose every
 * field may lie. Each must end in a verdict (never a throw), fast, reading only bytes the file
 * has; hand-made ones must end in the verdict their flaw calls for.
 */

const CASES = 10_000;
const SEED = 0x6a09e667;
/** A case slower than this is a hang in the making (the slow 2-core machine included). */
const MAX_CASE_MS = 2_000;
const MAX_TOTAL_MS = 20_000;

type Verdict = 'ok' | 'not-gguf' | 'unsupported-version' | 'truncated' | 'malformed';
const verdictOf = (check: GgufCheck): Verdict => (check.ok ? 'ok' : check.problem);

interface FuzzCase {
  name: string;
  file: VirtualFile;
  /** The verdict the flaw calls for; `any` where a mutation makes it unpredictable. */
  expected: Verdict | 'any';
  /** For `ok`: the bytes every tensor needs (null where a tensor type is unknown). */
  requiredBytes?: number | null;
}

// ---------------------------------------------------------------------------------------------
// Mutations of the real test models

const STORIES = [
  'stories260K.gguf',
  'stories260K-chat-f16.gguf',
  'stories260K-chat-q4_0.gguf',
  'stories260K-chat-q8_0.gguf',
  'stories260K-chat-f32.gguf',
];
/** A 32,000-token vocabulary: a 700 KB header, read in several steps (so used less often). */
const LARGE_VOCABULARY = 'llama-2-tiny-random.gguf';

interface Base {
  name: string;
  bytes: Uint8Array;
  fields: HeaderField[];
  headerEnd: number;
}

function base(name: string): Base {
  const bytes = new Uint8Array(readFileSync(join(sharedModelsDir(), name)));
  return { name, bytes, ...headerFields(bytes) };
}
const stories = STORIES.map(base);
const largeVocabulary = base(LARGE_VOCABULARY);

const U64_CLAIMS = [
  0n,
  1n,
  2n,
  5n,
  64n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  10n ** 12n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 32n,
  2n ** 64n - 1n,
];
const U32_CLAIMS = [0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 31, 39, 40, 255, 2 ** 31, 2 ** 32 - 1];

function mutate(random: Random, base: Base, index: number): FuzzCase {
  // The header and a little data after it: the rest of the file follows unchanged.
  const headLength = Math.min(base.bytes.length, base.headerEnd + 4096);
  let head = base.bytes.slice(0, headLength);
  const view = () => new DataView(head.buffer, head.byteOffset, head.byteLength);
  const steps: string[] = [];
  for (let n = 1 + random.int(4); n > 0; n--) {
    const roll = random.next();
    if (roll < 0.55) {
      const field = random.pick(base.fields);
      if (field.at + field.size > head.length) continue;
      if (field.size === 8) {
        const original = view().getBigUint64(field.at, true);
        const claim = random.pick([
          ...U64_CLAIMS,
          original + 1n,
          original > 0n ? original - 1n : 0n,
          original * 2n,
          BigInt(base.bytes.length),
          BigInt.asUintN(64, BigInt(random.int(2 ** 32)) << BigInt(random.int(33))),
        ]);
        view().setBigUint64(field.at, BigInt.asUintN(64, claim), true);
        steps.push(`${field.role}@${field.at}=${claim}`);
      } else {
        const claim = random.pick([...U32_CLAIMS, random.int(2 ** 32)]);
        view().setUint32(field.at, claim, true);
        steps.push(`${field.role}@${field.at}=${claim}`);
      }
    } else if (roll < 0.75) {
      const at = random.int(head.length);
      head[at] = random.int(256);
      steps.push(`byte@${at}`);
    } else if (roll < 0.9) {
      const at = random.int(head.length);
      head[at] = (head[at] ?? 0) ^ (1 << random.int(8));
      steps.push(`bit@${at}`);
    } else if (roll < 0.95) {
      // Shift everything after a point: every later field is read from the wrong place.
      const at = 8 + random.int(Math.max(1, head.length - 8));
      const count = 1 + random.int(16);
      const inserted = random.chance(0.5);
      const shifted = new Uint8Array(head.length + (inserted ? count : -count));
      shifted.set(head.subarray(0, at));
      shifted.set(head.subarray(inserted ? at : at + count), inserted ? at + count : at);
      head = shifted;
      steps.push(`shift@${at}`);
    } else {
      view().setUint32(4, random.pick(U32_CLAIMS), true);
      steps.push('version');
    }
  }
  let file = new VirtualFile([head, base.bytes.subarray(headLength)]);
  if (random.chance(0.15)) {
    const cut = random.chance(0.5) ? random.int(base.headerEnd) : random.int(file.size);
    file = file.cut(cut);
    steps.push(`cut@${cut}`);
  }
  return { name: `#${index} ${base.name}: ${steps.join(', ')}`, file, expected: 'any' };
}

// ---------------------------------------------------------------------------------------------
// Hand-made headers

/** [elements per block, bytes per block] of the types the hand-made headers use. */
const KNOWN_TYPES: Record<number, readonly [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  8: [32, 34], // Q8_0
};
/** Types llama.cpp removed or that are newer than this app's table: tolerated, not counted. */
const UNCOUNTED_TYPES = [4, 5, 31, 36, 40, 41, 100];
const padTo = (n: number, alignment: number) => Math.ceil(n / alignment) * alignment;

function handMade(random: Random, index: number): FuzzCase {
  const w = new ByteWriter();
  const flaws: string[] = [];
  /** A flaw with probability `p`: recorded, so that the verdict must be `malformed`. */
  const flaw = (p: number, what: string) => {
    const hit = random.chance(p);
    if (hit) flaws.push(what);
    return hit;
  };
  let expected: FuzzCase['expected'] | null = null;

  if (random.chance(0.02)) {
    w.bytes(new TextEncoder().encode(random.pick(['GGML', 'ggjt', '\x89PNG', '<!do'])));
    expected = 'not-gguf';
  } else {
    w.bytes(new TextEncoder().encode('GGUF'));
  }
  if (random.chance(0.04)) {
    w.u32(random.pick([0, 1, 4, 0x03000000, 2 ** 32 - 1]));
    expected ??= 'unsupported-version';
  } else {
    w.u32(random.chance(0.9) ? 3 : 2);
  }

  // Tensors: shapes, types and the offsets that lay them out one after another.
  const tensorCount = random.int(5);
  const alignmentChoice = random.pick([null, null, null, 32, 64, 16, 1]);
  let alignment = alignmentChoice ?? 32;
  const tensors: (() => void)[] = [];
  const names: string[] = [];
  /** Where the next tensor starts (each padded to the alignment), and where the last ends. */
  let nextOffset = 0;
  let dataEnd = 0;
  let allTypesKnown = true;
  for (let t = 0; t < tensorCount; t++) {
    let name = `blk.${t}.weight`;
    let claimedNameLength: bigint | undefined;
    if (flaw(0.01, 'name of 64 bytes or more')) name = 'n'.repeat(64 + random.int(200));
    else if (t > 0 && flaw(0.01, 'duplicate tensor name')) name = names[t - 1] ?? name;
    else if (flaw(0.01, 'name length near 2^64'))
      claimedNameLength = 2n ** 64n - 1n - BigInt(random.int(100));
    names.push(name);

    const type = random.chance(0.05)
      ? random.pick(UNCOUNTED_TYPES)
      : flaw(0.01, 'tensor type past any ggml type')
        ? random.pick([256, 1000, 2 ** 31, 2 ** 32 - 1])
        : random.pick([0, 1, 2, 8]);
    const block = KNOWN_TYPES[type];
    let dims: bigint[] = Array.from({ length: 1 + random.int(2) }, () =>
      BigInt(random.pick([32, 64, 96])),
    );
    if (!block || block[0] === 1) {
      if (random.chance(0.03)) dims = []; // a scalar: one element
    }
    if (random.chance(0.03)) dims.push(0n); // no elements at all: allowed
    let claimedDimCount: number | undefined;
    if (flaw(0.01, 'more than 4 dimensions')) {
      if (random.chance(0.5)) dims = [32n, 1n, 1n, 1n, 1n];
      else claimedDimCount = random.pick([5, 1000, 2 ** 32 - 1]);
    } else if (flaw(0.01, 'a negative dimension')) {
      dims = [32n, random.pick([2n ** 63n, 2n ** 64n - 1n])];
    } else if (flaw(0.01, 'too many elements')) {
      dims = [2n ** 32n, 2n ** 32n];
    } else if (block && block[0] > 1 && flaw(0.01, 'row not a multiple of the block')) {
      dims = [33n];
    }
    const elements = dims.reduce((a, b) => a * b, 1n);
    // An unknown type's size cannot be counted by the parser: give it some bytes all the same.
    const bytes =
      block && elements < 2n ** 40n ? Number((elements / BigInt(block[0])) * BigInt(block[1])) : 64;
    let offset = BigInt(nextOffset);
    // After a tensor of an unknown type the parser cannot know where the next one must start.
    if (allTypesKnown && flaw(0.01, 'overlapping, gapped, unaligned or negative offset')) {
      offset = random.pick([
        offset + 1n,
        offset + BigInt(alignment),
        offset > 0n ? offset - 32n : offset + 32n,
        2n ** 64n - 32n,
        2n ** 60n,
      ]);
    }
    if (!block) allTypesKnown = false;
    dataEnd = nextOffset + bytes;
    nextOffset += padTo(bytes, alignment);
    tensors.push(() => {
      w.string(name, claimedNameLength);
      w.u32(claimedDimCount ?? dims.length);
      for (const d of dims) w.u64(d);
      w.u32(type);
      w.u64(offset);
    });
  }

  // Metadata: what a llama model has, plus values that may lie.
  const entries: (() => void)[] = [
    () => w.string('general.architecture').u32(8).string('llama'),
    () => w.string('llama.context_length').u32(4).u32(2048),
    () => w.string('llama.block_count').u32(4).u32(2),
    () => w.string('tokenizer.chat_template').u32(8).string('{{ messages }} ✓ 日本語'),
    () =>
      w.string('tokenizer.ggml.tokens').u32(9).u32(8).u64(3).string('<s>').string('▁a').string('é'),
    () => w.string('tokenizer.ggml.scores').u32(9).u32(6).u64(2).f32(0).f32(-1.5),
  ];
  if (alignmentChoice !== null) {
    entries.push(() => w.string('general.alignment').u32(4).u32(alignmentChoice));
  }
  if (flaw(0.02, 'alignment zero, not a power of 2, or not a u32')) {
    const [type, write] = random.pick([
      [4, () => w.u32(0)] as const,
      [4, () => w.u32(48)] as const,
      [4, () => w.u32(3)] as const,
      [10, () => w.u64(32)] as const,
      [8, () => w.string('32')] as const,
    ]);
    entries.push(() => {
      w.string('general.alignment').u32(type);
      write();
    });
    // The hostile entry replaces any valid one (a second would be a duplicate key).
    if (alignmentChoice !== null) entries.splice(entries.length - 2, 1);
    alignment = 32;
  }
  if (flaw(0.01, 'string length near 2^64')) {
    const claim = random.pick([2n ** 64n - 1n, 2n ** 63n, 2n ** 40n, 10n ** 12n]);
    entries.push(() => w.string('general.name').u32(8).string('x', claim));
  }
  if (flaw(0.01, 'key length near 2^64')) {
    entries.push(() =>
      w
        .string('k', 2n ** 64n - 1n - BigInt(random.int(8)))
        .u32(4)
        .u32(1),
    );
  }
  if (flaw(0.01, 'array count near 2^64')) {
    const [itemType, claim] = random.pick([
      [0, 2n ** 64n - 1n],
      [4, 10n ** 12n],
      [8, 10n ** 12n],
      [8, 2n ** 63n],
      [10, 2n ** 40n],
    ] as const);
    entries.push(() => w.string('huge.array').u32(9).u32(itemType).u64(claim));
  }
  if (flaw(0.01, 'arrays of arrays')) {
    const depth = random.pick([1, 2, 50, 5_000, 100_000]);
    entries.push(() => {
      // The entry is an array whose one item is an array whose one item is…, then a u32.
      w.string('deep.array').u32(9);
      for (let d = 0; d < depth; d++) w.u32(9).u64(1);
      w.u32(4).u64(1).u32(7);
    });
  }
  if (flaw(0.01, 'unknown value type')) {
    const type = random.pick([13, 255, 2 ** 31, 2 ** 32 - 1]);
    entries.push(() =>
      random.chance(0.5)
        ? w.string('odd.value').u32(type).u32(0)
        : w.string('odd.array').u32(9).u32(type).u64(1).u32(0),
    );
  }
  if (flaw(0.01, 'duplicate key')) {
    entries.push(() => w.string('llama.context_length').u32(4).u32(4096));
  }
  if (flaw(0.01, 'empty key')) entries.push(() => w.string('').u32(4).u32(1));
  // Claimed counts: the real ones, or absurd ones.
  let metadataClaim = BigInt(entries.length);
  let tensorClaim = BigInt(tensors.length);
  if (flaw(0.02, 'absurd tensor count')) tensorClaim = random.pick(U64_CLAIMS.slice(8));
  if (flaw(0.02, 'absurd metadata count')) metadataClaim = random.pick(U64_CLAIMS.slice(8));

  w.u64(tensorClaim).u64(metadataClaim);
  for (const entry of entries) entry();
  for (const tensor of tensors) tensor();
  const headerBytes = w.length;
  if (tensorCount > 0) w.pad(alignment);
  const header = w.result();

  let file = new VirtualFile([header, nextOffset]);
  let requiredBytes = allTypesKnown ? header.length + dataEnd : null;
  if (flaws.length === 0 && expected === null && allTypesKnown && random.chance(0.1)) {
    // Cut inside the header, or inside the data.
    const cut =
      random.chance(0.5) || dataEnd === 0
        ? 8 + random.int(headerBytes - 8)
        : header.length + random.int(dataEnd);
    file = file.cut(cut);
    expected = 'truncated';
    requiredBytes = null;
  }
  expected ??= flaws.length > 0 ? 'malformed' : 'ok';
  return {
    name: `#${index} hand-made: ${flaws.join(', ') || 'no flaw'}`,
    file,
    expected,
    requiredBytes,
  };
}

// ---------------------------------------------------------------------------------------------

/** What is wrong with `check` as the verdict on `fuzz`, or null. */
function violation(fuzz: FuzzCase, check: GgufCheck, reads: [number, number][]): string | null {
  const size = fuzz.file.size;
  const verdict = verdictOf(check);
  if (fuzz.expected !== 'any' && verdict !== fuzz.expected) {
    return `expected ${fuzz.expected}, got ${JSON.stringify(check)}`;
  }
  for (const [start, end] of reads) {
    if (start < 0 || end > size || start > end) return `read ${start}–${end} of ${size} bytes`;
  }
  const total = reads.reduce((sum, [start, end]) => sum + end - start, 0);
  // Reads from the start, each 4 times the one before: under 2.4 times the file in all, and
  // never sized by what the header claims.
  if (total > 3 * size + 65_536) return `read ${total} bytes of a ${size}-byte file`;
  if (check.ok) {
    const { requiredBytes, weights, tensorCount } = check.header;
    if (requiredBytes !== null && !(Number.isSafeInteger(requiredBytes) && requiredBytes <= size))
      return `ok, but requiredBytes ${requiredBytes} for ${size} bytes`;
    if (fuzz.requiredBytes !== undefined && requiredBytes !== fuzz.requiredBytes)
      return `ok, but requiredBytes ${requiredBytes}, expected ${fuzz.requiredBytes}`;
    if (weights && !(Number.isFinite(weights.bytes) && Number.isFinite(weights.parameters)))
      return `ok, but weights ${JSON.stringify(weights)}`;
    if (!Number.isSafeInteger(tensorCount)) return `ok, but tensorCount ${tensorCount}`;
    return null;
  }
  switch (check.problem) {
    case 'truncated':
      if (check.actualBytes !== size) return `truncated, actualBytes ${check.actualBytes}`;
      if (
        check.requiredBytes !== null &&
        !(Number.isSafeInteger(check.requiredBytes) && check.requiredBytes > size)
      )
        return `truncated, but requiredBytes ${check.requiredBytes} for ${size} bytes`;
      return null;
    case 'malformed':
      // The detail is shown to people: short, whatever the file claims.
      return check.detail.length > 0 && check.detail.length <= 200
        ? null
        : `malformed, detail of ${check.detail.length} characters`;
    case 'not-gguf':
    case 'unsupported-version':
      return null;
    default:
      return `unknown verdict ${JSON.stringify(check)}`;
  }
}

describe('checkGguf under fuzzing', () => {
  it(`gives every one of ${CASES} broken or hostile files a verdict, fast, reading only its bytes`, async () => {
    const random = seededRandom(SEED);
    /** Up to 3 examples and the count of each kind of problem. */
    const problems = new Map<string, string[]>();
    const counts = new Map<string, number>();
    const verdicts = new Map<string, number>();
    const note = (kind: string, text: string) => {
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      const list = problems.get(kind) ?? [];
      if (list.length < 3) list.push(text);
      problems.set(kind, list);
    };
    const started = performance.now();
    let slowest = { ms: 0, name: '' };
    for (let i = 0; i < CASES; i++) {
      const fuzz =
        i % 10 < 6
          ? mutate(random, random.chance(0.03) ? largeVocabulary : random.pick(stories), i)
          : handMade(random, i);
      const file = fuzz.file;
      const caseStarted = performance.now();
      let check: GgufCheck;
      try {
        check = await checkGguf(file);
      } catch (cause) {
        note('threw', `${fuzz.name}: ${String(cause)}`);
        continue;
      }
      const ms = performance.now() - caseStarted;
      if (ms > slowest.ms) slowest = { ms, name: fuzz.name };
      if (ms > MAX_CASE_MS) note('slow', `${fuzz.name}: ${Math.round(ms)} ms`);
      const key = `${fuzz.expected === 'any' ? 'mutated' : 'hand-made'} → ${verdictOf(check)}`;
      verdicts.set(key, (verdicts.get(key) ?? 0) + 1);
      const wrong = violation(fuzz, check, file.reads);
      if (wrong) note(wrong.replace(/\d+|\{.*$/g, 'N'), `${fuzz.name}: ${wrong}`);
    }
    const total = performance.now() - started;
    console.info(
      `${CASES} cases in ${Math.round(total)} ms; slowest ${Math.round(slowest.ms)} ms: ${slowest.name}`,
      Object.fromEntries([...verdicts].sort()),
      Object.fromEntries(counts),
    );
    expect(Object.fromEntries(problems)).toEqual({});
    expect(total).toBeLessThan(MAX_TOTAL_MS);
    // Every verdict occurs: the generators reach each branch, not only the first checks.
    for (const verdict of ['ok', 'not-gguf', 'unsupported-version', 'truncated', 'malformed']) {
      expect([...verdicts.keys()].some((key) => key.endsWith(` ${verdict}`))).toBe(true);
    }
  }, 60_000);
});
