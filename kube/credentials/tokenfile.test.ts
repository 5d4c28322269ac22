import { FileTokenSource } from './tokenfile';

/** A token file in memory: its content, or an error to throw, and how often it was read. */
function fakeFile(initial: string) {
  const state = { content: initial as string | Error, reads: 0 };
  const readFile = (): string => {
    state.reads++;
    if (state.content instanceof Error) throw state.content;
    return state.content;
  };
  return { state, readFile };
}

describe('FileTokenSource', () => {
  it('reads once at construction and then at most once per refresh period', () => {
    const { state, readFile } = fakeFile('t1\n');
    let now = 0;
    const source = new FileTokenSource('/token', { readFile, now: () => now, refreshMs: 60_000 });
    expect(source.token()).toBe('t1');
    state.content = 't2';
    now = 59_999;
    expect(source.token()).toBe('t1');
    expect(state.reads).toBe(1);
    now = 60_000;
    expect(source.token()).toBe('t2');
    expect(state.reads).toBe(2);
  });

  it('keeps the last good token when a re-read fails or finds the file empty, and retries next time', () => {
    const { state, readFile } = fakeFile('good');
    let now = 0;
    const source = new FileTokenSource('/token', { readFile, now: () => now, refreshMs: 10 });
    state.content = new Error('ENOENT');
    now = 10;
    expect(source.token()).toBe('good');
    state.content = '';
    now = 11;
    expect(source.token()).toBe('good');
    state.content = 'rotated';
    now = 12;
    expect(source.token()).toBe('rotated');
  });

  it('fails at construction for a missing or empty file', () => {
    expect(() => new FileTokenSource('/token', { readFile: fakeFile('  \n').readFile })).toThrow('is empty');
    const missing = fakeFile('');
    missing.state.content = new Error('ENOENT: no such file');
    expect(() => new FileTokenSource('/token', { readFile: missing.readFile })).toThrow('ENOENT');
  });
});
