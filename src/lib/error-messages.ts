import type { EngineError } from '../shared/engine-protocol.ts';
import { formatBytes } from './format.ts';

export interface ErrorMessage {
  /** What went wrong, in one line. */
  title: string;
  /** What to do next. */
  action: string;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** The message a person sees for each failure. Exhaustive: a new kind will not compile here. */
export function errorMessage(error: EngineError): ErrorMessage {
  switch (error.kind) {
    case 'download-failed':
      if (error.status === 401 || error.status === 403) {
        return {
          title: `Could not download the model: ${hostOf(error.url)} answered ${error.status} (the file needs a login: a gated or private model).`,
          action:
            'This app signs in nowhere. Pick a model that is open to everyone (no access request on its page).',
        };
      }
      return {
        title:
          error.status === null
            ? `Could not download the model from ${hostOf(error.url)}: the network request failed.`
            : `Could not download the model: ${hostOf(error.url)} answered ${error.status}${
                error.status === 404 ? ' (not found)' : ''
              }.`,
        action:
          error.status === null
            ? 'Check your connection (models need the network only for their first download), then try again.'
            : 'Check the URL, or pick another model from the catalog.',
      };
    case 'host-not-allowed':
      return {
        title: `This app does not download from ${hostOf(error.url)}: its security policy allows only ${error.allowedHosts.join(', ')}.`,
        action:
          'Use a model hosted there (for example on Hugging Face), or load the file from your disk.',
      };
    case 'download-incomplete':
      return {
        title: `The download stopped early: ${formatBytes(error.receivedBytes)} of ${formatBytes(
          error.expectedBytes,
        )} arrived.`,
        action:
          error.storedBytes > 0
            ? `${formatBytes(error.storedBytes)} are kept. Check your connection, then Resume to download the rest.`
            : 'Nothing of it could be kept, so there is nothing to resume: check your connection, then download it again.',
      };
    case 'size-mismatch':
      return {
        title: `Size check failed: the file from ${hostOf(error.url)} has ${formatBytes(
          error.actualBytes,
        )}, but ${formatBytes(error.expectedBytes)} were expected.`,
        action:
          'Nothing of it was kept. Download it again; if this repeats, the file has changed at its source.',
      };
    case 'checksum-mismatch':
      return {
        title: `SHA-256 check failed: the file from ${hostOf(error.url)} is not the published one (expected ${error.expectedSha256.slice(0, 12)}…, got ${error.actualSha256.slice(0, 12)}…).`,
        action: 'The corrupted copy was deleted. Download it again.',
      };
    case 'not-enough-storage':
      return {
        title: `Not enough storage: this model needs ${formatBytes(
          error.neededBytes,
        )} more, and the browser allows ${formatBytes(error.availableBytes)} more (quota ${formatBytes(
          error.quotaBytes,
        )}).`,
        action:
          'Nothing was downloaded. Delete models you no longer use in the library, or pick a smaller model.',
      };
    case 'not-gguf':
      return {
        title: 'This file is not a GGUF model.',
        action:
          'Use a link that points directly at a .gguf file (on Hugging Face: the "resolve" link).',
      };
    case 'unsupported-gguf-version':
      return unsupportedVersion(error.version);
    case 'truncated-file':
      return {
        title:
          error.expectedBytes === null
            ? `The model file is cut short (${formatBytes(error.actualBytes)}).`
            : `The model file is cut short: it has ${formatBytes(error.actualBytes)} of the ${formatBytes(
                error.expectedBytes,
              )} its header describes.`,
        action: 'The file on the server is incomplete. Use a complete copy of the model.',
      };
    case 'malformed-gguf':
      return {
        title: `This model file is malformed: ${error.problem}.`,
        action:
          'This is not a download problem: the file itself is broken at its source, so downloading it again cannot help. Use another file or quantization of the model.',
      };
    case 'stored-model-damaged':
      return {
        title: `The stored copy of ${error.label} is damaged: ${error.problem}. It was removed; your other models and chats are untouched.`,
        action: error.local
          ? 'Pick the file on this device again to store a new copy.'
          : 'Download it again to store a new copy.',
      };
    case 'model-load-failed':
      return {
        title: `The engine could not load this model: ${error.detail}`,
        action: 'Try the CPU backend or a smaller quantization, or pick another model.',
      };
    case 'unknown-model':
      return {
        title: `There is no model called ${error.modelId} in the catalog.`,
        action: 'Pick a model from the catalog.',
      };
    case 'no-webgpu':
      return {
        title: 'MLC models need WebGPU, and this browser offers no WebGPU adapter.',
        action:
          'Pick a GGUF model (they run on the CPU too), or use a browser with WebGPU enabled.',
      };
    case 'needs-shader-f16':
      return {
        title: `${error.modelId} needs 16-bit float shaders (shader-f16), which this GPU does not offer.`,
        action: 'Pick the q4f32 variant of the model, or a GGUF model.',
      };
    case 'buffer-too-small':
      return {
        title: `${error.modelId} needs GPU buffers of ${formatBytes(
          error.requiredBytes,
        )}; this GPU allows ${formatBytes(error.availableBytes)}.`,
        action: 'Pick a smaller model or a GGUF model.',
      };
    case 'storage-full':
      return {
        title: 'The browser ran out of storage space for this model during the download.',
        action:
          error.storedBytes !== null && error.storedBytes > 0
            ? `${formatBytes(error.storedBytes)} are kept. Delete models you no longer use in the library, then Resume.`
            : 'Delete models you no longer use in the library, then try again.',
      };
    case 'model-in-use':
      return {
        title: `${error.label} is being downloaded in another tab.`,
        action: 'Wait until that download ends, or cancel it there, then delete the model.',
      };
    case 'context-overflow':
      return {
        title: `The conversation no longer fits in the model's context window (${error.contextSize} tokens).`,
        action: 'Start a new chat, or send a shorter message.',
      };
    case 'context-full':
      return {
        title: `The conversation (${error.promptTokens} tokens) and the room kept for the answer (${error.reserveTokens}) no longer fit in the context window (${error.contextSize} tokens).`,
        action:
          'Start a new chat, delete older messages, load the model with a larger context, or let the chat leave out its oldest turns (Settings).',
      };
    case 'gpu-device-lost':
      return {
        title: `The GPU stopped responding (its device was lost: ${error.detail}), so the model was unloaded. Your chats and the answer so far are kept.`,
        action:
          'Reload the model: on the GPU once the browser offers it again (its GPU process restarts after a crash), or on the CPU now. If it keeps happening, pick a smaller model.',
      };
    case 'engine-crashed':
      return engineCrashed(error);
    case 'out-of-memory':
      return outOfMemory(error);
    case 'no-model-loaded':
      return { title: 'No model is loaded.', action: 'Pick a model and press Load.' };
    case 'busy':
      return {
        title: {
          load: 'A model is still loading.',
          generate: 'An answer is still being generated.',
          measure: 'The model is being measured (Compare).',
        }[error.operation],
        action: 'Wait for it to finish, or stop it first.',
      };
    case 'cancelled':
      return {
        title: 'Cancelled.',
        action:
          'Anything partly downloaded is listed in the library, to resume or discard. Load a model when you are ready.',
      };
    case 'other-tabs-memory':
      return otherTabsMemory(error);
    case 'generation-failed':
      return {
        title: `The model failed while answering: ${error.detail}`,
        action: 'Send the message again, or start a new chat.',
      };
    case 'not-supported':
      return {
        title: `${error.engine === 'mlc' ? 'MLC models (web-llm)' : 'GGUF models (llama.cpp)'} cannot do this here: ${error.operation}.`,
        action: 'Use a model of the other kind for this.',
      };
    case 'internal':
      return {
        title: `Something unexpected went wrong: ${error.detail}`,
        action: 'Reload the page. Your stored models are kept.',
      };
    default:
      return unreachable(error);
  }
}

function engineCrashed(error: Extract<EngineError, { kind: 'engine-crashed' }>): ErrorMessage {
  const { neededBytes, limitBytes } = error;
  const tooBig = neededBytes !== null && limitBytes !== null && neededBytes > limitBytes;
  const fits =
    limitBytes === null
      ? ''
      : ` Models up to about ${formatBytes(limitBytes)} (weights and context) fit here.`;
  return {
    title: `The engine stopped (${error.detail}), so the model was unloaded. Your chats and stored models are kept.`,
    action: tooBig
      ? `This model needs about ${formatBytes(neededBytes)}, more than this device's ${formatBytes(limitBytes)}: the browser most likely ended it for memory. Pick a smaller model or quantization.${fits}`
      : `The browser may have ended it for memory. Reload the model; if it stops again, pick a smaller model or quantization.${fits}`,
  };
}

const MEMORY_PART = {
  weights: 'its weights',
  'kv-cache': 'its KV cache',
  'working-buffers': 'its working buffers',
} as const;

function outOfMemory(error: Extract<EngineError, { kind: 'out-of-memory' }>): ErrorMessage {
  const { contextSize, neededBytes, limitBytes, fitsContext } = error;
  const where =
    error.backend === 'cpu'
      ? `in WebAssembly memory (at most ${formatBytes(limitBytes ?? 0)} on the CPU)`
      : 'on the GPU';
  return {
    title: `This model does not fit in memory with a ${tokens(contextSize)} context: it needs about ${formatBytes(neededBytes)}, and llama.cpp could not allocate ${MEMORY_PART[error.part]} ${where}. Your chats and stored models are kept.`,
    action:
      fitsContext === null
        ? 'Pick a smaller model or quantization.'
        : `Load it with a ${tokens(fitsContext)} context (Settings keeps it for later loads), or pick a smaller model or quantization.`,
  };
}

const tokens = (count: number) => `${count.toLocaleString('en')}-token`;

function otherTabsMemory(error: Extract<EngineError, { kind: 'other-tabs-memory' }>): ErrorMessage {
  const { others, model, limitBytes } = error;
  const othersBytes = others.reduce((sum, other) => sum + other.bytes, 0);
  const names = others.map((other) => other.label).join(', ');
  const holder = others.length === 1 ? 'Another tab has' : 'Other tabs have';
  const loaded = `${holder} ${names} loaded (about ${formatBytes(othersBytes)})`;
  const device = `this device's ${formatBytes(limitBytes)} of memory`;
  return {
    // A model not stored yet has no known size before its download.
    title:
      model.bytes > 0
        ? `${loaded}. Loading ${model.label} (about ${formatBytes(model.bytes)}) too needs about ${formatBytes(othersBytes + model.bytes)}, more than ${device}.`
        : `${loaded}, already more than ${device}; loading ${model.label} too needs more still.`,
    action:
      'The browser may end a tab to free memory. Close the other tab or unload its model first, or load anyway. Nothing was loaded yet.',
  };
}

/**
 * Version 1 is the old format llama.cpp dropped; a version whose low 16 bits are zero is a
 * little-endian reading of a big-endian file's 2 or 3; anything else is newer than we know.
 */
function unsupportedVersion(version: number): ErrorMessage {
  if (version > 3 && (version & 0xffff) === 0) {
    return {
      title: `This GGUF file is big-endian (its version reads as ${version}), which llama.cpp here does not read.`,
      action: 'Use the usual little-endian conversion of the model.',
    };
  }
  if (version > 3) {
    return {
      title: `This GGUF file uses format version ${version}, newer than llama.cpp here reads.`,
      action: 'Use a GGUF version 2 or 3 file of the model.',
    };
  }
  return {
    title: `This GGUF file uses format version ${version}, which llama.cpp no longer reads.`,
    action: 'Download a recent conversion of the model (GGUF version 2 or 3).',
  };
}

/** The one next step a failure offers as a button, besides dismissing it. */
export type Recovery =
  | 'resume'
  | 'download-again'
  | 'reload-model'
  | 'reload-on-cpu'
  | 'smaller-context'
  | 'load-anyway'
  | 'none';

/**
 * What a failure lets the user do next. Resume only where bytes were kept (after a cut that
 * kept nothing there is nothing to resume); a lost device or a failed load offers another load.
 */
export function errorRecovery(error: EngineError): Recovery {
  switch (error.kind) {
    case 'download-incomplete':
      return error.storedBytes > 0 ? 'resume' : 'download-again';
    case 'storage-full':
      return error.storedBytes !== null && error.storedBytes > 0 ? 'resume' : 'download-again';
    case 'stored-model-damaged':
      return error.local ? 'none' : 'download-again';
    case 'checksum-mismatch':
    case 'size-mismatch':
    case 'truncated-file':
    case 'download-failed':
      return 'download-again';
    case 'gpu-device-lost':
      return 'reload-model';
    case 'engine-crashed':
      // Loading again what the memory cannot hold would only end the same way.
      return error.neededBytes !== null &&
        error.limitBytes !== null &&
        error.neededBytes > error.limitBytes
        ? 'none'
        : 'reload-model';
    case 'model-load-failed':
      return 'reload-on-cpu';
    case 'out-of-memory':
      return error.fitsContext === null ? 'none' : 'smaller-context';
    case 'other-tabs-memory':
      return 'load-anyway';
    default:
      return 'none';
  }
}

function unreachable(error: never): never {
  throw new Error(`Unhandled engine error: ${JSON.stringify(error)}`);
}
