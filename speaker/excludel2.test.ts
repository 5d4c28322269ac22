import { ExcludeL2Error, parseExcludeL2 } from './excludel2';

describe('parseExcludeL2', () => {
  it("joins upstream's default list into one pattern that matches each entry", async () => {
    const re = await parseExcludeL2('announcedInterfacesToExclude: ["^docker.*", "^lo$", "^veth.*"]\n');
    expect(re?.source).toBe('(^docker.*)|(^lo$)|(^veth.*)');
    expect(['docker0', 'lo', 'veth12'].every((n) => re?.test(n))).toBe(true);
    expect(['eth0', 'lob'].some((n) => re?.test(n))).toBe(false);
  });
  it('excludes nothing for an empty file or an empty list', async () => {
    await expect(parseExcludeL2('')).resolves.toBeUndefined();
    await expect(parseExcludeL2('announcedInterfacesToExclude: []')).resolves.toBeUndefined();
  });
  it('names the file and the entry when a pattern is bad', async () => {
    await expect(parseExcludeL2('announcedInterfacesToExclude: ["ok", "(x"]', '/etc/x.yaml')).rejects.toThrow(
      /\/etc\/x.yaml: announcedInterfacesToExclude\[1\]/,
    );
    await expect(parseExcludeL2('announcedInterfacesToExclude: 3')).rejects.toThrow(ExcludeL2Error);
    await expect(parseExcludeL2('a: [')).rejects.toThrow('not YAML');
  });
});
