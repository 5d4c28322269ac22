// The file-system edge of the Dockerfile checker: reads the Dockerfile and its build context's .dockerignore,
// expands COPY source globs against the context, and hands plain data to rules.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDockerfile } from './parse';
import { type Finding, lintParsed } from './rules';

export interface DockerfileSpec {
  /** Absolute path of the Dockerfile. */
  readonly file: string;
  /** Absolute path of the build context (`docker build <context>`). */
  readonly context: string;
  readonly expectedLabels?: Readonly<Record<string, string>>;
  readonly rootReason?: string;
}

const segmentPattern = (seg: string): RegExp =>
  new RegExp(
    `^${seg
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '.')}$`,
  );

/** Context-relative paths a COPY source names: itself if it exists, or what its `*`/`?` segments match. */
export function expandSource(context: string, source: string): string[] {
  const clean = source.replace(/^\.\//, '').replace(/\/+$/, '');
  if (clean === '' || clean === '.') return ['.'];
  let found: string[] = [''];
  for (const seg of clean.split('/')) {
    const next: string[] = [];
    for (const base of found) {
      const dir = join(context, base);
      if (!/[*?]/.test(seg)) {
        if (existsSync(join(dir, seg))) next.push(base === '' ? seg : `${base}/${seg}`);
        continue;
      }
      if (!existsSync(dir)) continue;
      const re = segmentPattern(seg);
      for (const entry of readdirSync(dir))
        if (re.test(entry)) next.push(base === '' ? entry : `${base}/${entry}`);
    }
    found = next;
  }
  return found;
}

export function lintDockerfile(spec: DockerfileSpec): Finding[] {
  const ignoreFile = join(spec.context, '.dockerignore');
  const dockerignore = existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8').split(/\r?\n/) : [];
  return lintParsed(parseDockerfile(readFileSync(spec.file, 'utf8')), {
    sourceMatches: (pattern) => expandSource(spec.context, pattern),
    dockerignore,
    ...(spec.expectedLabels === undefined ? {} : { expectedLabels: spec.expectedLabels }),
    ...(spec.rootReason === undefined ? {} : { rootReason: spec.rootReason }),
  });
}

/** `controller/Dockerfile:12 final-user: ...`, one finding a line. */
export function formatFindings(spec: DockerfileSpec, root: string, findings: readonly Finding[]): string[] {
  return findings.map((f) => `${relative(root, spec.file)}:${f.line} ${f.rule}: ${f.message}`);
}
