import { execForm, parseDockerfile, words } from './parse';

describe('parseDockerfile', () => {
  test('joins continued lines, skipping comment and empty lines inside the continuation', () => {
    const { instructions, errors } = parseDockerfile(
      ['FROM node:24-slim', 'RUN a \\', '  # a comment inside', '', '  && b \\', '  && c', 'USER 1:1'].join(
        '\n',
      ),
    );
    expect(errors).toEqual([]);
    expect(instructions.map((i) => [i.keyword, i.args, i.line])).toEqual([
      ['FROM', 'node:24-slim', 1],
      ['RUN', 'a && b && c', 2],
      ['USER', '1:1', 7],
    ]);
  });

  test('the escape directive changes the continuation character', () => {
    const { instructions, escape } = parseDockerfile('# escape=`\nFROM x:1\nRUN a `\n  b\n');
    expect(escape).toBe('`');
    expect(instructions[1]?.args).toBe('a b');
  });

  test('a directive after the first comment is only a comment', () => {
    const { escape } = parseDockerfile('# hello\n# escape=`\nFROM x:1\n');
    expect(escape).toBe('\\');
  });

  test('keywords are case-insensitive and leading flags are split off', () => {
    const [ins] = parseDockerfile('copy --from=build --chown=1:1 /a /b\n').instructions;
    expect(ins).toEqual({ keyword: 'COPY', args: '/a /b', flags: { from: 'build', chown: '1:1' }, line: 1 });
  });

  test('a file ending in a continuation is an error', () => {
    expect(parseDockerfile('FROM x:1\nRUN a \\\n').errors).toEqual([
      { line: 2, message: 'the last instruction ends in a line continuation' },
    ]);
  });

  test('a heredoc is reported as unsupported rather than misread', () => {
    expect(parseDockerfile('FROM x:1\nRUN <<EOF\necho\nEOF\n').errors[0]?.message).toMatch(/heredoc/);
  });

  test('execForm reads the JSON form and nothing else', () => {
    expect(execForm('["node", "main.js"]')).toEqual(['node', 'main.js']);
    expect(execForm('node main.js')).toBeUndefined();
    expect(execForm('[node, main.js]')).toBeUndefined();
  });

  test('words keeps quoted groups together', () => {
    expect(words(`a "b c" 'd e' f`)).toEqual(['a', 'b c', 'd e', 'f']);
  });
});
