import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SPEAKER_NODE_FLAGS } from './runtimeflags';

describe('SPEAKER_NODE_FLAGS', () => {
  test('are the flags of the image ENTRYPOINT', () => {
    const dockerfile = readFileSync(path.join(__dirname, 'Dockerfile'), 'utf8');
    const line = dockerfile.split('\n').find((l) => l.startsWith('ENTRYPOINT '));
    expect(line).toBeDefined();
    const entrypoint: unknown = JSON.parse((line ?? '').slice('ENTRYPOINT '.length));
    expect(entrypoint).toEqual(['node', ...SPEAKER_NODE_FLAGS, 'speaker/main.js']);
  });

  test('this Node accepts every one of them silently (an unknown V8 flag only warns)', () => {
    const run = spawnSync(process.execPath, [...SPEAKER_NODE_FLAGS, '-e', 'process.stdout.write("up")'], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('up');
    expect(run.status).toBe(0);
  });

  test('an unknown flag does warn, so the test above can fail', () => {
    const run = spawnSync(process.execPath, ['--no-such-v8-flag-ironlb', '-e', '0'], { encoding: 'utf8' });
    expect(`${run.stderr}${run.status}`).not.toBe('0');
  });
});
