import { CONTROLLER_NODE_FLAGS } from '../../../controller/runtimeflags';
import { SPEAKER_NODE_FLAGS } from '../../../speaker/runtimeflags';
import { defaultImageTable, resolveCommand, UnknownImageError, type ImageTable } from './images';

const table: ImageTable = [
  { image: 'example.test/tool', entrypoint: ['/bin/tool'], cmd: ['--default'], cwd: '/srv' },
  { image: /(^|\/)ironlb-speaker([:@]|$)/, entrypoint: ['node', 'speaker/main.js'] },
];

describe('resolveCommand', () => {
  test.each([
    ['entrypoint and cmd', {}, ['/bin/tool', '--default']],
    ['args replace cmd', { args: ['-v'] }, ['/bin/tool', '-v']],
    ['command alone drops cmd', { command: ['/bin/other'] }, ['/bin/other']],
    ['command and args', { command: ['/bin/other'], args: ['x'] }, ['/bin/other', 'x']],
  ])('%s', (_name, container, argv) => {
    expect(resolveCommand(table, 'example.test/tool:1.0', container).argv).toEqual(argv);
  });

  test('matches by prefix or pattern, whatever the registry and tag', () => {
    expect(resolveCommand(table, 'quay.io/ironlb/ironlb-speaker:v0.1', {}).argv).toEqual([
      'node',
      'speaker/main.js',
    ]);
    expect(resolveCommand(table, 'ironlb-speaker@sha256:abc', {}).argv).toEqual(['node', 'speaker/main.js']);
    expect(() => resolveCommand(table, 'quay.io/ironlb/ironlb-speakers:v1', {})).toThrow(UnknownImageError);
  });

  test('workingDir overrides the table cwd', () => {
    expect(resolveCommand(table, 'example.test/tool', {}).cwd).toBe('/srv');
    expect(resolveCommand(table, 'example.test/tool', { workingDir: '/tmp' }).cwd).toBe('/tmp');
  });

  test.each([
    ['speaker', SPEAKER_NODE_FLAGS],
    ['controller', CONTROLLER_NODE_FLAGS],
  ])("the default table runs the %s with its image's Node flags", (name, flags) => {
    const argv = resolveCommand(defaultImageTable(), `quay.io/ironlb/ironlb-${name}:dev`, {}).argv;
    expect(argv.slice(1, 1 + flags.length)).toEqual(flags);
    expect(argv[0]).toBe(process.execPath);
  });
});
