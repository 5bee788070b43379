/**
 * Memory of the app's page, its workers and Chromium's GPU process, for the long-use figure (7).
 * JavaScript heaps are read after a forced garbage collection (DevTools protocol:
 * HeapProfiler.collectGarbage, then Runtime.getHeapUsage), so that what is left is what the app
 * still holds. Workers are reached through the browser's target list (Playwright opens DevTools
 * sessions for pages only). The GPU process is named by SystemInfo.getProcessInfo and measured by
 * its resident set (/proc/<pid>/status VmRSS): with a software WebGPU adapter (lavapipe, as here)
 * every GPU buffer lives in that process's memory, so its RSS is the GPU memory.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';

/** One JavaScript heap after a forced GC, bytes. */
export interface HeapSample {
  /** V8's heap in use. */
  used: number;
  /** The DOM and other Blink objects (Oilpan), the embedder's part. */
  embedder: number;
  /** ArrayBuffer backing stores (a WebAssembly memory among them). */
  backing: number;
}

export interface WorkerHeap extends HeapSample {
  url: string;
}

interface HeapUsage {
  usedSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}

const sample = (usage: HeapUsage): HeapSample => ({
  used: usage.usedSize,
  embedder: usage.embedderHeapUsedSize ?? 0,
  backing: usage.backingStorageSize ?? 0,
});

export interface MemoryProbe {
  /** The page's heap after a GC. */
  page: () => Promise<HeapSample>;
  /** Every dedicated worker of the page's browser context, each after a GC. */
  workers: () => Promise<WorkerHeap[]>;
  /** The GPU process's resident set, bytes; null when the browser reports no GPU process. */
  gpuProcess: () => Promise<{ pid: number; rss: number } | null>;
  close: () => Promise<void>;
}

interface TargetMessage {
  id?: number;
  result?: unknown;
  error?: { message: string };
}

/**
 * Sends one protocol command to a target through the browser session (`Target.sendMessageToTarget`:
 * the session Playwright gives has no way to address a worker's own session).
 */
function targetSender(session: CDPSession) {
  let nextId = 0;
  const pending = new Map<number, (message: TargetMessage) => void>();
  const listener = (event: { message: string }) => {
    const message = JSON.parse(event.message) as TargetMessage;
    if (message.id !== undefined) pending.get(message.id)?.(message);
  };
  session.on('Target.receivedMessageFromTarget', listener);
  const send = async (sessionId: string, method: string): Promise<unknown> => {
    const id = ++nextId;
    const reply = new Promise<TargetMessage>((resolve) => pending.set(id, resolve));
    await session.send('Target.sendMessageToTarget', {
      sessionId,
      message: JSON.stringify({ id, method, params: {} }),
    });
    const message = await reply;
    pending.delete(id);
    if (message.error) throw new Error(`${method}: ${message.error.message}`);
    return message.result;
  };
  return { send, stop: () => session.off('Target.receivedMessageFromTarget', listener) };
}

/** Reads `/proc/<pid>/status` VmRSS, bytes. */
function residentBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

export async function memoryProbe(
  browser: Browser,
  context: BrowserContext,
  page: Page,
): Promise<MemoryProbe> {
  const pageSession = await context.newCDPSession(page);
  const browserSession = await browser.newBrowserCDPSession();
  const { targetInfo } = await pageSession.send('Target.getTargetInfo');
  const contextId = targetInfo.browserContextId;
  const toTarget = targetSender(browserSession);
  return {
    async page() {
      await pageSession.send('HeapProfiler.collectGarbage');
      return sample(await pageSession.send('Runtime.getHeapUsage'));
    },
    async workers() {
      const { targetInfos } = await browserSession.send('Target.getTargets');
      const workers = targetInfos.filter(
        (t) => t.type === 'worker' && t.browserContextId === contextId,
      );
      const heaps: WorkerHeap[] = [];
      for (const worker of workers) {
        const { sessionId } = await browserSession.send('Target.attachToTarget', {
          targetId: worker.targetId,
          flatten: false,
        });
        try {
          await toTarget.send(sessionId, 'HeapProfiler.collectGarbage');
          const usage = (await toTarget.send(sessionId, 'Runtime.getHeapUsage')) as HeapUsage;
          heaps.push({ url: worker.url, ...sample(usage) });
        } finally {
          await browserSession.send('Target.detachFromTarget', { sessionId }).catch(() => {});
        }
      }
      return heaps;
    },
    async gpuProcess() {
      const { processInfo } = await browserSession.send('SystemInfo.getProcessInfo');
      const gpu = processInfo.find((p) => p.type === 'GPU');
      if (!gpu) return null;
      // The browser names it; its command line confirms it is the GPU process on this machine.
      const commandLine = readFileSync(`/proc/${gpu.id}/cmdline`, 'utf8');
      if (!commandLine.includes('--type=gpu-process')) {
        throw new Error(`process ${gpu.id} is not Chromium's GPU process`);
      }
      return { pid: gpu.id, rss: residentBytes(gpu.id) };
    },
    async close() {
      toTarget.stop();
      await pageSession.detach().catch(() => {});
      await browserSession.detach().catch(() => {});
    },
  };
}

/** Bytes as MB (10^6), as the bench's table shows sizes. */
export const mb = (bytes: number) => bytes / 1e6;
