// Each rule fires on a Dockerfile that breaks it, and only that rule: the good Dockerfile below passes all of
// them, and every case changes one thing about it.
import { parseDockerfile } from './parse';
import { isIgnored, labelsOf, type LintContext, lintParsed, splitImage } from './rules';

/** A build context holding these paths (directories implied by their files). */
function context(paths: readonly string[], extra: Partial<LintContext> = {}): LintContext {
  const all = new Set(paths.flatMap((p) => p.split('/').map((_, i, segs) => segs.slice(0, i + 1).join('/'))));
  return {
    sourceMatches: (pattern) => {
      const clean = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
      if (clean === '.' || clean === '') return ['.'];
      const re = new RegExp(`^${clean.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      return [...all].filter((p) => re.test(p));
    },
    dockerignore: ['node_modules', 'dist', '*.log'],
    ...extra,
  };
}

const CONTEXT = context(['package.json', 'package-lock.json', 'src/main.ts', 'app.log']);

const GOOD = `# a comment
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \\
    && npx tsc
COPY src src

FROM node:24-bookworm-slim
WORKDIR /app
COPY --from=build /src/out ./
USER 65534:65534
ENTRYPOINT ["node", "main.js"]
`;

const rules = (text: string, ctx: LintContext = CONTEXT) =>
  lintParsed(parseDockerfile(text), ctx).map((f) => f.rule);
const messages = (text: string, ctx: LintContext = CONTEXT) =>
  lintParsed(parseDockerfile(text), ctx).map((f) => `${f.line} ${f.rule}: ${f.message}`);

describe('the Dockerfile rules', () => {
  test('the good Dockerfile passes every rule', () => {
    expect(messages(GOOD)).toEqual([]);
  });

  test.each([
    ['an untagged base image', GOOD.replace('FROM node:24-bookworm-slim\n', 'FROM node\n'), ['pinned-base']],
    [
      'a base image on latest',
      GOOD.replace('FROM node:24-bookworm-slim AS', 'FROM node:latest AS'),
      ['pinned-base', 'node-24'],
    ],
    [
      'a Node stage on Node 22',
      GOOD.replace('FROM node:24-bookworm-slim AS', 'FROM node:22-slim AS'),
      ['node-24'],
    ],
    [
      'a Node stage on a non-node image',
      GOOD.replace('FROM node:24-bookworm-slim AS', 'FROM debian:12 AS'),
      ['node-24'],
    ],
    [
      'a base from a build argument without default',
      `ARG BASE\n${GOOD.replace('FROM node:24-bookworm-slim AS', 'FROM $BASE AS')}`,
      ['pinned-base'],
    ],
    ['no USER in the final stage', GOOD.replace('USER 65534:65534\n', ''), ['final-user']],
    ['a USER by name', GOOD.replace('USER 65534:65534', 'USER node'), ['final-user']],
    ['USER root as 0', GOOD.replace('USER 65534:65534', 'USER 0:0'), ['final-user']],
    ['ADD of a URL', GOOD.replace('COPY src src', 'ADD https://example.com/x.tar.gz /x'), ['add-url']],
    ['ADD of a git repository', GOOD.replace('COPY src src', 'ADD git@example.com:x/y.git /y'), ['add-url']],
    ['ADD of a local folder', GOOD.replace('COPY src src', 'ADD src src'), ['copy-not-add']],
    ['a COPY source missing from the context', GOOD.replace('COPY src src', 'COPY lib lib'), ['copy-source']],
    [
      'a COPY source the .dockerignore drops',
      GOOD.replace('COPY src src', 'COPY app.log /x'),
      ['copy-source'],
    ],
    ['COPY --from an unknown stage', GOOD.replace('--from=build', '--from=builder'), ['stage-names']],
    [
      'two stages of one name',
      GOOD.replace('FROM node:24-bookworm-slim\n', 'FROM node:24-bookworm-slim AS build\n'),
      ['stage-names'],
    ],
    [
      'ENTRYPOINT in shell form',
      GOOD.replace('ENTRYPOINT ["node", "main.js"]', 'ENTRYPOINT node main.js'),
      ['exec-form'],
    ],
    ['a relative WORKDIR', GOOD.replace('WORKDIR /app', 'WORKDIR app'), ['workdir-absolute']],
    ['npm install instead of npm ci', GOOD.replace('npm ci --ignore-scripts', 'npm install'), ['npm-ci']],
    ['a build in the final stage', GOOD.replace('USER 65534', 'RUN npx tsc\nUSER 65534'), ['build-in-final']],
    ['MAINTAINER', GOOD.replace('WORKDIR /app', 'WORKDIR /app\nMAINTAINER me'), ['maintainer']],
    [
      'an unknown instruction',
      GOOD.replace('WORKDIR /app', 'WORKDIR /app\nCOPYY a b'),
      ['unknown-instruction'],
    ],
    ['an instruction before FROM', `WORKDIR /x\n${GOOD}`, ['from-first']],
    ['a dangling continuation', `${GOOD.trimEnd()} \\\n`, ['syntax']],
  ])('%s', (_, text, expected) => {
    expect(rules(text)).toEqual(expected);
  });

  test('a COPY --from a tagged image is allowed, an untagged one is not', () => {
    expect(rules(GOOD.replace('COPY src src', 'COPY --from=busybox:1.36 /bin/sh /sh'))).toEqual([]);
    expect(rules(GOOD.replace('COPY src src', 'COPY --from=busybox /bin/sh /sh'))).toEqual(['stage-names']);
  });

  test('a build argument with a default is resolved before the tag is checked', () => {
    expect(
      rules(`ARG NODE=24-slim\n${GOOD.replace('FROM node:24-bookworm-slim AS', 'FROM node:${NODE} AS')}`),
    ).toEqual([]);
    expect(
      rules(`ARG NODE=20-slim\n${GOOD.replace('FROM node:24-bookworm-slim AS', 'FROM node:${NODE} AS')}`),
    ).toEqual(['node-24']);
  });

  test('a digest pins a base image; node 24 with a patch version is Node 24', () => {
    expect(
      rules(GOOD.replace('FROM node:24-bookworm-slim\n', `FROM node@sha256:${'a'.repeat(64)}\n`)),
    ).toEqual([]);
    expect(
      rules(GOOD.replace('FROM node:24-bookworm-slim\n', 'FROM docker.io/library/node:24.11.1-alpine\n')),
    ).toEqual([]);
  });

  test('an image declared to run as root must say USER 0, and may not then run as another user', () => {
    const root: LintContext = { ...CONTEXT, rootReason: 'NET_RAW' };
    expect(rules(GOOD.replace('USER 65534:65534', 'USER 0:0'), root)).toEqual([]);
    expect(rules(GOOD, root)).toEqual(['final-user']);
    expect(rules(GOOD.replace('USER 65534:65534\n', ''), root)).toEqual(['final-user']);
  });

  test('a stage FROM an earlier stage inherits its base and its USER', () => {
    const text = `FROM node:24-slim AS base\nUSER 1000\nFROM base\nENTRYPOINT ["node", "x.js"]\n`;
    expect(rules(text, context([]))).toEqual([]);
  });

  test('a data-only scratch image needs no USER; one that runs a process does', () => {
    const data = context(['manifests/a.yaml']);
    expect(rules('FROM scratch\nCOPY manifests /manifests/\n', data)).toEqual([]);
    expect(rules('FROM scratch\nCOPY manifests /m/\nENTRYPOINT ["/m"]\n', data)).toEqual(['final-user']);
  });

  test('labels must equal the expected ones exactly: a missing, an extra and a different value each fire', () => {
    const ctx = context([], { expectedLabels: { a: '1', b: 'two words' } });
    expect(rules('FROM scratch\nLABEL a=1 b="two words"\n', ctx)).toEqual([]);
    expect(messages('FROM scratch\nLABEL a=1\nLABEL c=3 b=2\n', ctx)).toEqual([
      '1 labels: LABEL b is 2, expected two words',
      '1 labels: LABEL c=3 is not in the expected labels',
    ]);
    expect(messages('FROM scratch\nLABEL b="two words"\n', ctx)).toEqual(['1 labels: LABEL a=1 is missing']);
  });

  test('labelsOf reads several pairs, quotes and the legacy form', () => {
    const [ins] = parseDockerfile('LABEL "x.y"="a b" z=1 q=\'c d\'\n').instructions;
    expect(ins && labelsOf(ins)).toEqual({ 'x.y': 'a b', z: '1', q: 'c d' });
    const [legacy] = parseDockerfile('LABEL key some value\n').instructions;
    expect(legacy && labelsOf(legacy)).toEqual({ key: 'some value' });
  });

  test('isIgnored follows .dockerignore: segments, globs, ** and ! exceptions', () => {
    const patterns = ['node_modules', 'e2e/.cache', '**/*.log', 'docs/*', '!docs/keep.md'];
    expect(isIgnored('node_modules/x/index.js', patterns)).toBe(true);
    expect(isIgnored('e2e/.cache/bin', patterns)).toBe(true);
    expect(isIgnored('e2e/install', patterns)).toBe(false);
    expect(isIgnored('a/b/c.log', patterns)).toBe(true);
    expect(isIgnored('docs/other.md', patterns)).toBe(true);
    expect(isIgnored('docs/keep.md', patterns)).toBe(false);
    expect(isIgnored('src/node_modules_x', patterns)).toBe(false);
  });

  test('splitImage separates a registry port from a tag', () => {
    expect(splitImage('registry.example:5000/ironlb/speaker')).toEqual({
      name: 'registry.example:5000/ironlb/speaker',
      tag: undefined,
      digest: undefined,
    });
    expect(splitImage('registry.example:5000/ironlb/speaker:v1').tag).toBe('v1');
  });
});
