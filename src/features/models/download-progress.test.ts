import { describe, expect, it } from 'vitest';
import { downloadFigures } from './download-progress.ts';

describe('downloadFigures', () => {
  it('computes percent, speed over the recent window and time left', () => {
    const figures = downloadFigures({
      loadedBytes: 30_000_000,
      totalBytes: 100_000_000,
      samples: [
        { at: 0, bytes: 0 }, // outside the 3 s window: ignored
        { at: 5000, bytes: 10_000_000 },
        { at: 7000, bytes: 30_000_000 },
      ],
      inOtherTab: false,
    });
    expect(figures.percent).toBeCloseTo(30);
    expect(figures.bytesPerSecond).toBeCloseTo(10_000_000); // 20 MB in 2 s
    expect(figures.secondsLeft).toBeCloseTo(7); // 70 MB at 10 MB/s
  });

  it('knows nothing it cannot know', () => {
    expect(
      downloadFigures({
        loadedBytes: 5,
        totalBytes: null,
        samples: [{ at: 1, bytes: 5 }],
        inOtherTab: false,
      }),
    ).toEqual({
      percent: null,
      bytesPerSecond: null,
      secondsLeft: null,
    });
  });
});
