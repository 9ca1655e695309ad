import { describe, expect, it } from 'vitest';
import { TerminalProgress, formatDuration, formatProgressBar, formatProgressLine, type ProgressState } from '@iern/core';

const state = (done: number): ProgressState => ({ epoch: 2, epochs: 10, done, total: 24, elapsed: done * 0.25, images: done * 16, losses: { loss: 0.69314, aux: 1.5 } });

describe('progress', () => {
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65.4)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('--:--');
  });

  it('bar shows the epoch, fill, ETA, images/s and running losses within the terminal width', () => {
    const line = formatProgressBar(state(12), 100);
    expect(line).toBe('epoch 2/10 [###############...............] 12/24 0:03<0:03 64.0 img/s loss 0.6931 aux 1.5000');
    expect(line.length).toBeLessThanOrEqual(100);
    expect(formatProgressBar(state(12), 40).length).toBeLessThanOrEqual(40);
    expect(formatProgressBar(state(24))).toContain(`[${'#'.repeat(30)}]`);
  });

  it('plain line for pipes', () => {
    expect(formatProgressLine(state(6))).toBe('epoch 2/10 step 6/24 0:02<0:05 64.0 img/s loss 0.6931 aux 1.5000');
  });

  it('terminal bar redraws in place, prints log lines above itself and ends with a newline', () => {
    let out = '';
    const t = new TerminalProgress({ write: (s: string) => (out += s), columns: 120 }, 0);
    t.update(state(1));
    t.printAbove('[00:00:01] INFO  hello\n');
    t.update(state(24));
    t.finish();
    const frames = out.split('\r\x1b[2K');
    expect(frames[0]).toBe('');
    expect(frames[1]).toMatch(/^epoch 2\/10 \[#.*\] 1\/24/);
    expect(frames[2]).toBe('[00:00:01] INFO  hello\n');
    expect(frames[3]).toMatch(/1\/24/);
    expect(frames.at(-1)).toMatch(/24\/24 .*\n$/);
  });
});
