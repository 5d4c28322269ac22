// The interfaces never announced from, as upstream reads them (speaker/main.go
// parseAnnouncedInterfacesToExclude): the `metallb-excludel2` ConfigMap mounted as a YAML file whose
// `announcedInterfacesToExclude` lists regular expressions, joined into one `(a)|(b)` pattern. A missing file
// excludes nothing; a file that does not parse is an error the caller reports (and runs without it).
// The YAML parser is loaded only when there is a file to read: it costs the speaker about 1 MiB of RSS.
import { z } from 'zod';

const ExcludeL2File = z.looseObject({
  announcedInterfacesToExclude: z.array(z.string()).nullish(),
});

export class ExcludeL2Error extends Error {
  override readonly name = 'ExcludeL2Error';
}

/** The pattern from the file's text; undefined when it lists nothing. */
export async function parseExcludeL2(text: string, path = 'excludel2.yaml'): Promise<RegExp | undefined> {
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ExcludeL2Error(`${path}: not YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (doc === null || doc === undefined) return undefined;
  const file = ExcludeL2File.safeParse(doc);
  if (!file.success)
    throw new ExcludeL2Error(`${path}: announcedInterfacesToExclude must be a list of regular expressions`);
  const list = file.data.announcedInterfacesToExclude ?? [];
  if (list.length === 0) return undefined;
  list.forEach((re, i) => {
    try {
      new RegExp(re);
    } catch (err) {
      throw new ExcludeL2Error(
        `${path}: announcedInterfacesToExclude[${i}] ${JSON.stringify(re)}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  });
  return new RegExp(`(${list.join(')|(')})`);
}
