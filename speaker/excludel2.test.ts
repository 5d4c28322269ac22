import { ExcludeL2Error, parseExcludeL2 } from './excludel2';

describe('parseExcludeL2', () => {
  it("joins upstream's default list into one pattern that matches each entry", () => {
    const re = parseExcludeL2('announcedInterfacesToExclude: ["^docker.*", "^lo$", "^veth.*"]\n');
    expect(re?.source).toBe('(^docker.*)|(^lo$)|(^veth.*)');
    expect(['docker0', 'lo', 'veth12'].every((n) => re?.test(n))).toBe(true);
    expect(['eth0', 'lob'].some((n) => re?.test(n))).toBe(false);
  });
  it('excludes nothing for an empty file or an empty list', () => {
    expect(parseExcludeL2('')).toBeUndefined();
    expect(parseExcludeL2('announcedInterfacesToExclude: []')).toBeUndefined();
  });
  it('names the file and the entry when a pattern is bad', () => {
    expect(() => parseExcludeL2('announcedInterfacesToExclude: ["ok", "(x"]', '/etc/x.yaml')).toThrow(
      /\/etc\/x.yaml: announcedInterfacesToExclude\[1\]/,
    );
    expect(() => parseExcludeL2('announcedInterfacesToExclude: 3')).toThrow(ExcludeL2Error);
    expect(() => parseExcludeL2('a: [')).toThrow('not YAML');
  });
});
