import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LaunchOptions } from '@playwright/test';
import { sharedDir } from './shared-dir.ts';

/** Keeps Chromium from calling Google's services (this machine's network is closed). */
const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface LaunchJson {
  executablePath: string;
  args: string[];
  ignoreDefaultArgs: string[];
  env: Record<string, string>;
}

/**
 * Chromium with a software WebGPU adapter that has `shader-f16` (lavapipe), set up by the
 * workplace's `webgpu-cpu/setup.sh`. It runs every time (about a second when nothing changed):
 * it rebuilds its Vulkan layer whenever the layer's source changed, which a check for an
 * existing `launch.json` would miss (an old layer lost the adapter after 64 WebGPU instances).
 */
export function webgpuF16Launch(): LaunchOptions {
  const setup = join(sharedDir(), 'webgpu-cpu', 'setup.sh');
  const path = execFileSync('bash', [setup], { encoding: 'utf8' }).trim();
  const launch = JSON.parse(readFileSync(path, 'utf8')) as LaunchJson;
  return {
    executablePath: launch.executablePath,
    args: launch.args,
    ignoreDefaultArgs: launch.ignoreDefaultArgs,
    env: { ...process.env, ...launch.env },
  };
}

/** Debian's Chromium: SwiftShader WebGPU without `shader-f16`, or no WebGPU adapter at all. */
export function stockChromiumLaunch({ webgpu }: { webgpu: boolean }): LaunchOptions {
  return {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', ...QUIET, ...(webgpu ? ['--enable-unsafe-webgpu'] : [])],
  };
}
