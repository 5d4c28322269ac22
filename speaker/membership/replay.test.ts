import { ReplayGuard } from './replay';

describe('ReplayGuard', () => {
  it('accepts increasing sequence numbers and refuses a repeat', () => {
    const g = new ReplayGuard();
    expect(g.accept('a', 1, 1)).toBe(true);
    expect(g.accept('a', 1, 2)).toBe(true);
    expect(g.accept('a', 1, 2)).toBe(false);
  });
  it('accepts reordering inside the window once, refuses anything older than the window', () => {
    const g = new ReplayGuard();
    expect(g.accept('a', 1, 100)).toBe(true);
    expect(g.accept('a', 1, 98)).toBe(true);
    expect(g.accept('a', 1, 98)).toBe(false);
    expect(g.accept('a', 1, 36)).toBe(false);
  });
  it('a newer incarnation resets the window; an older one is always refused', () => {
    const g = new ReplayGuard();
    expect(g.accept('a', 5, 1000)).toBe(true);
    expect(g.accept('a', 6, 1)).toBe(true);
    expect(g.accept('a', 5, 1001)).toBe(false);
  });
  it('keeps senders apart', () => {
    const g = new ReplayGuard();
    expect(g.accept('a', 1, 1)).toBe(true);
    expect(g.accept('b', 1, 1)).toBe(true);
  });
});
