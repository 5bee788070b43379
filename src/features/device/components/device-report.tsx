import type { DeviceReport as Report } from '../../../shared/engine-protocol.ts';
import { useEngineValue } from '../../../lib/engine-context.tsx';
import { formatBytes } from '../../../lib/format.ts';

/** What this browser offers for inference, shown before anything is downloaded. */
export function DeviceReport() {
  const device = useEngineValue((s) => s.device);
  // The reason alone, not the state: download progress changes the state many times a second.
  const unsupported = useEngineValue((s) =>
    s.state.status === 'unsupported' ? s.state.reason : null,
  );
  return (
    <section aria-labelledby="device-heading" className="panel device">
      <h2 id="device-heading">This device</h2>
      {device ? <DeviceFacts device={device} /> : <p>Checking what this browser can run…</p>}
      {unsupported !== null && (
        <p role="alert" className="alert">
          {unsupported} Models cannot run here; a recent Chrome, Edge or Chromium can.
        </p>
      )}
    </section>
  );
}

function DeviceFacts({ device }: { device: Report }) {
  const { gpu } = device;
  return (
    <>
      <dl className="facts">
        <dt>WebGPU</dt>
        <dd>{gpu.status === 'available' ? 'available' : 'not available'}</dd>
        {gpu.status === 'available' && (
          <>
            <dt>Adapter</dt>
            <dd>
              {[gpu.vendor, gpu.architecture, gpu.description].filter(Boolean).join(' · ') ||
                'unnamed'}
              {gpu.isFallbackAdapter && ' (software fallback)'}
            </dd>
            <dt>shader-f16</dt>
            <dd>{gpu.shaderF16 ? 'yes' : 'no'}</dd>
            <dt>Max buffer size</dt>
            <dd>{formatBytes(gpu.maxBufferSize)}</dd>
          </>
        )}
        <dt>CPU threads</dt>
        <dd>{device.logicalCores}</dd>
        {device.deviceMemoryGiB !== null && (
          <>
            <dt>Memory</dt>
            <dd>about {device.deviceMemoryGiB} GiB (as the browser reports it)</dd>
          </>
        )}
      </dl>
      {gpu.status !== 'available' && (
        <p className="note">
          {gpu.status === 'no-api'
            ? 'This browser has no WebGPU.'
            : 'WebGPU is present but offers no GPU adapter (it may be disabled or blocklisted, or the GPU is restarting: this page asks again for a few minutes).'}{' '}
          GGUF models still run here on the CPU (WebAssembly), more slowly; MLC models need WebGPU.
        </p>
      )}
      {gpu.status === 'available' && !gpu.shaderF16 && (
        <p className="note">
          Without shader-f16, MLC f16 models cannot run and GGUF models run on the CPU.
        </p>
      )}
    </>
  );
}
