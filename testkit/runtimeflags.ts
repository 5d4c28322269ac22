// The checks every deployable's Node flags share: its image's ENTRYPOINT carries exactly them, and this Node
// accepts each one without a warning (an unknown V8 flag only warns, it does not fail the start).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function describeRuntimeFlags(
  name: string,
  flags: readonly string[],
  dockerfile: string,
  entry: string,
): void {
  describe(name, () => {
    test('are the flags of the image ENTRYPOINT', () => {
      const line = readFileSync(dockerfile, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('ENTRYPOINT '));
      expect(line).toBeDefined();
      const entrypoint: unknown = JSON.parse((line ?? '').slice('ENTRYPOINT '.length));
      expect(entrypoint).toEqual(['node', ...flags, entry]);
    });

    test('this Node accepts every one of them silently', () => {
      const run = spawnSync(process.execPath, [...flags, '-e', 'process.stdout.write("up")'], {
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
}
