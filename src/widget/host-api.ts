import {
  EMBED_VERSION,
  type Availability,
  type CompletionParams,
  type EmbedError,
  type HostCall,
} from '../embed/embed-protocol.ts';
import type {
  EngineError,
  GenerateRequest,
  LoadedModel,
  SamplingSettings,
} from '../shared/engine-protocol.ts';
import { createReasoningSplitter } from '../features/chat/reasoning.ts';
import { errorMessage } from '../lib/error-messages.ts';
import { loadedModel, type EngineState } from '../lib/engine-lifecycle.ts';
import type { EngineStore } from '../lib/engine-store.ts';
import { sameModel } from '../shared/model-keys.ts';
import type { CallOutcome, CallOutput, HostApiHandler } from './host-bridge.ts';
import { isStored, type WidgetController } from './widget-controller.ts';

/**
 * The host API as the widget serves it: what a site's script may ask of the model on the
 * visitor's device, and only with the visitor's grant. The site sees what it sends and the
 * answers to it; never the visitor's own chat in the widget.
 */

/** Settings a host leaves out, as the app's chat defaults them. */
const DEFAULT_SAMPLING: SamplingSettings = { temperature: 0.7, maxTokens: 512 };
/** How often a waiting `prepare` reports the download's progress. */
const PROGRESS_MS = 200;

const refusal = (kind: EmbedError['kind'], message: string): CallOutcome => ({
  ok: false,
  error: { kind, message },
});

const engineFailure = (error: EngineError): CallOutcome => ({
  ok: false,
  error: { kind: error.kind, message: errorMessage(error).title, engine: error },
});

/** The Prompt API's availability of the widget's model here and now. */
export function availability(engine: EngineStore, widget: WidgetController): Availability {
  const { state } = engine.get();
  const model = loadedModel(state);
  if (state.status === 'unsupported') return 'unavailable';
  if (model && sameModel(model.spec, widget.config.model)) return 'available';
  if (state.status === 'downloading' || state.status === 'loading') return 'downloading';
  return isStored(engine.get().stored, widget.config.model) || widget.get().storage === 'shared'
    ? 'available'
    : 'downloadable';
}

/**
 * Download (then load) progress of the model, from 0 to 1, or null where `state` does not tell:
 * a load is verified before its download as well as after it, so only initializing means done.
 */
export function loadProgress(state: EngineState): number | null {
  if (state.status === 'loading') return state.stage === 'initializing' ? 1 : null;
  if (state.status !== 'downloading') return null;
  if (!state.download.totalBytes) return 0;
  return Math.min(1, state.download.loadedBytes / state.download.totalBytes);
}

export function createHostApi(engine: EngineStore, widget: WidgetController): HostApiHandler {
  const { config } = widget;
  /** A site's completions run one after another (the model runs one answer at a time). */
  let turn: Promise<unknown> = Promise.resolve();

  /** The visitor's grant for `origin`, asked for if need be; a refusal, or null when granted. */
  async function granted(origin: string, signal: AbortSignal): Promise<CallOutcome | null> {
    switch (await widget.askGrant(origin, signal)) {
      case 'granted':
        return null;
      case 'revoked':
        return refusal('revoked', `The visitor withdrew ${origin}'s use of the model.`);
      case 'denied':
        return refusal('not-granted', `The visitor did not let ${origin} use the model.`);
      case 'aborted':
        return refusal('cancelled', 'The request was cancelled while the visitor was asked.');
    }
  }

  /** The loaded model, once the visitor started it (progress goes to the host meanwhile). */
  async function ready(
    origin: string,
    output: CallOutput,
  ): Promise<{ ok: true; model: LoadedModel } | { ok: false; outcome: CallOutcome }> {
    if (engine.get().state.status === 'unsupported') {
      return { ok: false, outcome: refusal('unavailable', 'This browser cannot run the model.') };
    }
    let last = -1;
    // Reported once at 0, then only as it grows, as Chrome's `downloadprogress` events do.
    const report = () => {
      const loaded = Math.max(0, loadProgress(engine.get().state) ?? last);
      if (loaded > last) output.progress((last = loaded));
    };
    const timer = setInterval(report, PROGRESS_MS);
    try {
      const started = await widget.whenStarted(origin, output.signal);
      if (started === 'aborted') return { ok: false, outcome: refusal('cancelled', 'Cancelled.') };
      if (started === 'declined') {
        return {
          ok: false,
          outcome: refusal('declined', 'The visitor chose not to start the model now.'),
        };
      }
      if (!started.ok) return { ok: false, outcome: engineFailure(started.error) };
      if (last !== 1) output.progress(1);
      return { ok: true, model: started.value };
    } finally {
      clearInterval(timer);
    }
  }

  async function complete(
    origin: string,
    model: LoadedModel,
    params: CompletionParams,
    output: CallOutput,
  ): Promise<CallOutcome> {
    const session = engine.hold(origin);
    if (!session) {
      const status = engine.get().state.status;
      return engineFailure({
        kind: 'busy',
        operation: status === 'generating' ? 'generate' : 'load',
      });
    }
    try {
      const sampling: SamplingSettings = {
        temperature: params.temperature ?? DEFAULT_SAMPLING.temperature,
        maxTokens: params.maxTokens ?? DEFAULT_SAMPLING.maxTokens,
      };
      // A model without a chat template continues text: the turns become one text.
      const request: GenerateRequest = model.hasChatTemplate
        ? { mode: 'chat', messages: params.messages, sampling }
        : {
            mode: 'complete',
            prompt: params.messages.map((m) => m.content).join('\n\n'),
            sampling,
          };
      const splitter = model.hasChatTemplate
        ? createReasoningSplitter({ startsInReasoning: model.thinking.startsInReasoning })
        : null;
      let content = '';
      const send = (piece: { content: string; reasoning: string }) => {
        content += piece.content;
        if (piece.content || piece.reasoning) output.chunk(piece.content, piece.reasoning);
      };
      const outcome = await session.generate(
        request,
        (text) => send(splitter ? splitter.push(text) : { content: text, reasoning: '' }),
        output.signal,
      );
      if (splitter) send(splitter.finish());
      if (!outcome.ok) return engineFailure(outcome.error);
      const { finishReason, measurements } = outcome.value;
      if (finishReason === 'aborted') return refusal('cancelled', 'The answer was stopped.');
      return {
        ok: true,
        result: {
          method: 'complete',
          completion: {
            // The streamed pieces, joined: what the host saw arrive is what it gets.
            text: content,
            finishReason,
            promptTokens: measurements.promptTokens,
            completionTokens: measurements.outputTokens,
          },
        },
      };
    } finally {
      session.release();
    }
  }

  return {
    welcome: () => ({
      type: 'welcome',
      version: EMBED_VERSION,
      model: { name: config.name, sizeBytes: config.sizeBytes },
      storage: widget.get().storage,
    }),

    async call(origin: string, call: HostCall, output: CallOutput): Promise<CallOutcome> {
      // Whether the model is here is no secret of the visitor's chat: no grant needed.
      if (call.method === 'availability') {
        return {
          ok: true,
          result: { method: 'availability', availability: availability(engine, widget) },
        };
      }
      const refused = await granted(origin, output.signal);
      if (refused) return refused;
      const prepared = await ready(origin, output);
      if (!prepared.ok) return prepared.outcome;
      const { model } = prepared;
      if (call.method === 'prepare') {
        return {
          ok: true,
          result: { method: 'prepare', contextWindow: model.contextSize, modelName: model.name },
        };
      }
      const run = turn.then(() =>
        output.signal.aborted
          ? refusal('cancelled', 'The request was cancelled before it ran.')
          : complete(origin, model, call.params, output),
      );
      turn = run.catch(() => undefined);
      return run;
    },
  };
}
