// The checks ironlb's Dockerfiles must pass (testkit/dockerlint/README.md lists them with their reasons).
// Most follow hadolint's rules of the same intent (DL3000 absolute WORKDIR, DL3006/DL3007 tagged base images,
// not `latest`, DL3020 COPY rather than ADD for local files, DL3025 exec-form ENTRYPOINT/CMD, DL4000
// MAINTAINER, DL3002 last USER not root); the others are this project's: Node 24 for Node stages, a numeric
// non-root USER in every image that runs a process, build steps out of the final stage, COPY sources that
// exist in the build context and are not dropped by its .dockerignore, and LABELs equal to what the image is
// declared to carry (the bundle's metadata/annotations.yaml).
import { execForm, type Instruction, type ParsedDockerfile, words } from './parse';

export interface Finding {
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

/** What the checker needs to know about one Dockerfile beyond its text. */
export interface LintContext {
  /** Does this path (relative to the build context, `/`-separated) exist? Globs are expanded by the caller. */
  readonly sourceMatches: (pattern: string) => readonly string[];
  /** The build context's .dockerignore patterns. */
  readonly dockerignore: readonly string[];
  /** The LABELs the final image must carry, exactly; undefined checks none. */
  readonly expectedLabels?: Readonly<Record<string, string>>;
  /** Why this image runs as root (then its final stage must say `USER 0` explicitly); undefined: it may not. */
  readonly rootReason?: string;
}

const KNOWN = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
  'MAINTAINER',
]);

interface Stage {
  readonly index: number;
  readonly from: Instruction;
  /** The base image as written, build arguments substituted; undefined when one has no value. */
  readonly base: string | undefined;
  readonly name: string | undefined;
  readonly body: Instruction[];
  /** The stage this one builds on, when its base is an earlier stage's name. */
  readonly parent: Stage | undefined;
}

/** `node`, `node:24-slim`, `docker.io/library/node@sha256:..` -> name and tag/digest. */
export function splitImage(ref: string): {
  name: string;
  tag: string | undefined;
  digest: string | undefined;
} {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > slash;
  return {
    name: hasTag ? rest.slice(0, colon) : rest,
    tag: hasTag ? rest.slice(colon + 1) : undefined,
    digest,
  };
}

const isNodeImage = (name: string): boolean => /^(?:(?:docker\.io\/)?library\/)?node$/.test(name);

function substitute(text: string, args: ReadonlyMap<string, string>): string | undefined {
  let unresolved = false;
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, b) => {
    const v = args.get(String(a ?? b));
    if (v === undefined) unresolved = true;
    return v ?? '';
  });
  return unresolved ? undefined : out;
}

function stagesOf(instructions: readonly Instruction[], findings: Finding[]): Stage[] {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = words(ins.args);
      const base = substitute(image, globalArgs);
      if (base === undefined)
        findings.push({
          line: ins.line,
          rule: 'pinned-base',
          message: `base image ${image} names a build argument without a default: its tag cannot be checked`,
        });
      const stageName = as?.toUpperCase() === 'AS' ? name?.toLowerCase() : undefined;
      if (stageName !== undefined && stages.some((s) => s.name === stageName))
        findings.push({
          line: ins.line,
          rule: 'stage-names',
          message: `stage name ${stageName} is used twice`,
        });
      const parent = stages.find((s) => s.name === (base ?? image).toLowerCase());
      stages.push({
        index: stages.length,
        from: ins,
        base,
        name: stageName,
        body: [],
        parent,
      });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') {
        const [decl = ''] = words(ins.args);
        const eq = decl.indexOf('=');
        if (eq > 0) globalArgs.set(decl.slice(0, eq), decl.slice(eq + 1));
      } else
        findings.push({
          line: ins.line,
          rule: 'from-first',
          message: `${ins.keyword} before the first FROM (only ARG may come first)`,
        });
    } else stages[stages.length - 1]?.body.push(ins);
  }
  return stages;
}

/** The stage chain from its root base image: a stage `FROM build` runs on what `build` runs on. */
function rootOf(stage: Stage): Stage {
  return stage.parent === undefined ? stage : rootOf(stage.parent);
}

function checkBase(stage: Stage, findings: Finding[]): void {
  if (stage.parent !== undefined || stage.base === undefined || stage.base === 'scratch') return;
  const { name, tag, digest } = splitImage(stage.base);
  const line = stage.from.line;
  if (tag === undefined && digest === undefined)
    findings.push({ line, rule: 'pinned-base', message: `base image ${stage.base} has no tag or digest` });
  if (tag === 'latest')
    findings.push({ line, rule: 'pinned-base', message: `base image ${stage.base} is pinned to latest` });
  if (isNodeImage(name) && tag !== undefined && !/^24(?:[.-]|$)/.test(tag))
    findings.push({ line, rule: 'node-24', message: `Node stage on ${stage.base}: ironlb runs on Node 24` });
}

const NODE_COMMAND = /(?:^|[\s;&|(])(?:node|npm|npx)(?=\s|$)/;

/** Text a RUN, CMD or ENTRYPOINT executes, in either form. */
function commandText(ins: Instruction): string {
  return (execForm(ins.args) ?? [ins.args]).join(' ');
}

function checkNodeStage(stage: Stage, findings: Finding[]): void {
  const runsNode = stage.body.find(
    (i) => ['RUN', 'CMD', 'ENTRYPOINT'].includes(i.keyword) && NODE_COMMAND.test(commandText(i)),
  );
  if (runsNode === undefined) return;
  const root = rootOf(stage);
  if (root.base === undefined) return; // reported as pinned-base
  if (root.base === 'scratch' || !isNodeImage(splitImage(root.base).name))
    findings.push({
      line: runsNode.line,
      rule: 'node-24',
      message: `${runsNode.keyword} runs Node, but the stage is built on ${root.base}, not a node:24 image`,
    });
}

function checkInstruction(
  ins: Instruction,
  stages: readonly Stage[],
  here: Stage,
  findings: Finding[],
): void {
  const add = (rule: string, message: string) => findings.push({ line: ins.line, rule, message });
  if (!KNOWN.has(ins.keyword)) add('unknown-instruction', `unknown instruction ${ins.keyword}`);
  if (ins.keyword === 'MAINTAINER')
    add('maintainer', 'MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors');
  if (ins.keyword === 'WORKDIR' && !ins.args.startsWith('/') && !ins.args.startsWith('$'))
    add('workdir-absolute', `WORKDIR ${ins.args} is relative`);
  if ((ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') && execForm(ins.args) === undefined)
    add(
      'exec-form',
      `${ins.keyword} in shell form: the process would not receive SIGTERM; use ["...", "..."]`,
    );
  if (ins.keyword === 'RUN' && /\bnpm\s+(?:install|i)(?:\s|$)/.test(commandText(ins)))
    add('npm-ci', 'npm install resolves versions anew: use npm ci against package-lock.json');
  const from = ins.flags.from;
  if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && from !== undefined) {
    const earlier = stages.slice(0, here.index);
    const byName = earlier.some((s) => s.name === from.toLowerCase());
    const byIndex = /^\d+$/.test(from) && Number(from) < here.index;
    const { tag, digest } = splitImage(from);
    if (!byName && !byIndex && tag === undefined && digest === undefined)
      add('stage-names', `COPY --from=${from} names no earlier stage (and is no tagged image)`);
  }
}

const URL_SOURCE = /^(?:https?:\/\/|git@|[a-z]+:\/\/)|\.git(?:#.*)?$/;
const ARCHIVE = /\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz)$/;

/** `COPY [--chown] src... dest` or the JSON form: the sources. */
function sourcesOf(ins: Instruction): string[] {
  const list = execForm(ins.args) ?? words(ins.args);
  return list.slice(0, -1);
}

/** Does a .dockerignore pattern (Go filepath.Match per segment, `**` any depth, `!` re-includes) match? */
export function isIgnored(path: string, patterns: readonly string[]): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, '').replace(/^\.\//, '');
    const re = new RegExp(
      '^' +
        pattern
          .split('/')
          .map((seg) =>
            seg === '**'
              ? '(?:[^/]+/)*'
              : seg
                  .replace(/[.+^${}()|\\]/g, '\\$&')
                  .replace(/\*/g, '[^/]*')
                  .replace(/\?/g, '[^/]') + '/',
          )
          .join('')
          .replace(/\/$/, '') +
        '(?:/.*)?$',
    );
    if (re.test(path.replace(/^\.\//, '').replace(/\/+$/, ''))) ignored = !negate;
  }
  return ignored;
}

function checkSources(ins: Instruction, ctx: LintContext, findings: Finding[]): void {
  if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.flags.from !== undefined) return;
  const add = (rule: string, message: string) => findings.push({ line: ins.line, rule, message });
  for (const src of sourcesOf(ins)) {
    if (URL_SOURCE.test(src)) {
      add(
        'add-url',
        `${ins.keyword} of a remote source (${src}): fetch it in a RUN with a checksum, or vendor it`,
      );
      continue;
    }
    if (ins.keyword === 'ADD' && !ARCHIVE.test(src))
      add('copy-not-add', `ADD ${src}: use COPY for local files (ADD also unpacks and fetches)`);
    const matches = ctx.sourceMatches(src);
    if (matches.length === 0)
      add('copy-source', `${ins.keyword} source ${src} does not exist in the build context`);
    else if (matches.every((m) => isIgnored(m, ctx.dockerignore)))
      add('copy-source', `${ins.keyword} source ${src} is excluded by the build context's .dockerignore`);
  }
}

function checkUser(final: Stage, ctx: LintContext, findings: Finding[]): void {
  const runsProcess = [...chain(final)].some((s) =>
    s.body.some((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD'),
  );
  if (rootOf(final).base === 'scratch' && !runsProcess) return; // a data-only image: nothing runs as anyone
  const user = [...chain(final)]
    .flatMap((s) => s.body)
    .filter((i) => i.keyword === 'USER')
    .at(-1);
  const line = user?.line ?? final.from.line;
  const add = (message: string) => findings.push({ line, rule: 'final-user', message });
  if (user === undefined) {
    add("the final stage sets no USER: it would run as its base image's user (root for node images)");
    return;
  }
  const m = /^(\d+)(?::(\d+))?$/.exec(user.args.trim());
  if (m === null) {
    add(`USER ${user.args} is not numeric uid[:gid]: Kubernetes runAsNonRoot cannot verify a name`);
    return;
  }
  const root = m[1] === '0';
  if (root && ctx.rootReason === undefined) add('USER 0 (root) in the final stage');
  if (!root && ctx.rootReason !== undefined)
    add(`declared to run as root (${ctx.rootReason}) but USER is ${user.args}`);
}

function* chain(stage: Stage): Generator<Stage> {
  if (stage.parent !== undefined) yield* chain(stage.parent);
  yield stage;
}

function checkBuildInFinal(final: Stage, findings: Finding[]): void {
  for (const ins of final.body)
    if (ins.keyword === 'RUN' && /\b(?:npm\s+ci|tsc|npx\s+tsc)\b/.test(commandText(ins)))
      findings.push({
        line: ins.line,
        rule: 'build-in-final',
        message: 'the final stage installs or compiles: do it in a build stage and COPY --from the output',
      });
}

/** `LABEL a=b "c"="d e"` and the legacy `LABEL key value`. */
export function labelsOf(ins: Instruction): Record<string, string> {
  const unquote = (s: string) =>
    s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s.replace(/^'|'$/g, '');
  const pairs = [...ins.args.matchAll(/("(?:[^"\\]|\\.)*"|[^\s="]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)];
  if (pairs.length === 0) {
    const [key = '', ...rest] = ins.args.split(/\s+/);
    return { [key]: rest.join(' ') };
  }
  return Object.fromEntries(pairs.map((m) => [unquote(m[1] ?? ''), unquote(m[2] ?? '')]));
}

function checkLabels(final: Stage, ctx: LintContext, findings: Finding[]): void {
  if (ctx.expectedLabels === undefined) return;
  const labels: Record<string, string> = {};
  for (const s of chain(final))
    for (const i of s.body) if (i.keyword === 'LABEL') Object.assign(labels, labelsOf(i));
  const keys = new Set([...Object.keys(labels), ...Object.keys(ctx.expectedLabels)]);
  for (const key of [...keys].sort()) {
    const got = labels[key];
    const want = ctx.expectedLabels[key];
    if (got !== want)
      findings.push({
        line: final.from.line,
        rule: 'labels',
        message:
          want === undefined
            ? `LABEL ${key}=${got ?? ''} is not in the expected labels`
            : got === undefined
              ? `LABEL ${key}=${want} is missing`
              : `LABEL ${key} is ${got}, expected ${want}`,
      });
  }
}

export function lintParsed(parsed: ParsedDockerfile, ctx: LintContext): Finding[] {
  const findings: Finding[] = parsed.errors.map((e) => ({
    line: e.line,
    rule: 'syntax',
    message: e.message,
  }));
  const stages = stagesOf(parsed.instructions, findings);
  const final = stages.at(-1);
  if (final === undefined) {
    findings.push({ line: 1, rule: 'from-first', message: 'no FROM instruction' });
    return findings;
  }
  for (const stage of stages) {
    checkBase(stage, findings);
    checkNodeStage(stage, findings);
    for (const ins of stage.body) {
      checkInstruction(ins, stages, stage, findings);
      checkSources(ins, ctx, findings);
    }
  }
  checkUser(final, ctx, findings);
  checkBuildInFinal(final, findings);
  checkLabels(final, ctx, findings);
  return findings.sort((a, b) => a.line - b.line);
}
