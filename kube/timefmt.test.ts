import { formatMicroTime, formatTime, parseKubeTime } from './timefmt';

const t = Date.UTC(2024, 4, 1, 10, 0, 5, 123);

describe('Kubernetes time formats', () => {
  it('formats MicroTime with exactly six fractional digits', () => {
    expect(formatMicroTime(t)).toBe('2024-05-01T10:00:05.123000Z');
    expect(formatMicroTime(Date.UTC(2024, 0, 1))).toBe('2024-01-01T00:00:00.000000Z');
  });

  it('formats Time to the second, truncating', () => {
    expect(formatTime(t)).toBe('2024-05-01T10:00:05Z');
  });

  it('parses both back (MicroTime losslessly to the millisecond)', () => {
    expect(parseKubeTime(formatMicroTime(t))).toBe(t);
    expect(parseKubeTime('2024-05-01T10:00:05.123456Z')).toBe(t);
    expect(parseKubeTime(formatTime(t))).toBe(t - 123);
    expect(parseKubeTime('yesterday')).toBeUndefined();
  });
});
