// Reading a Prometheus text scrape body in tests.

/** The value of the unlabelled sample `name`; undefined when the body has none. */
export function sampleValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}
