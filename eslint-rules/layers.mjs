// The import-boundary rule: which top-level folder may import which. It resolves every relative import to
// the file it names, so `../../controller/x` is caught however it is spelled, and it applies one table:
//
//   addr  <-  api  <-  kube, config, render  <-  controller, speaker, operator  <-  scripts, testkit, bench, e2e
//
// No import runs upward, none runs sideways between deployables, and shipped code (every folder left of
// scripts) never imports test-only code: testkit/, e2e/, bench/, or a *.test.ts file. Test files inside a
// shipped folder may also import testkit/ and the e2e harness, as the integration tests do.
import path from 'node:path';

const SHIPPED = {
  addr: [],
  api: ['addr'],
  kube: ['addr', 'api'],
  config: ['addr', 'api'],
  render: ['addr', 'api'],
  controller: ['addr', 'api', 'kube', 'config'],
  speaker: ['addr', 'api', 'kube', 'config'],
  operator: ['addr', 'api', 'kube', 'config', 'render'],
};
const TOOLS = {
  scripts: [...Object.keys(SHIPPED)],
  testkit: [...Object.keys(SHIPPED), 'testkit', 'e2e'],
  bench: [...Object.keys(SHIPPED), 'testkit', 'e2e', 'bench'],
  e2e: [...Object.keys(SHIPPED), 'testkit', 'e2e'],
};
const TEST_ONLY_FOR_TESTS = ['testkit', 'e2e'];

function topFolder(root, file) {
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : undefined;
}

function isTestFile(file) {
  return /\.test\.ts$/.test(file);
}

export function allowedTargets(folder, file) {
  if (folder in SHIPPED) {
    const own = [folder, ...SHIPPED[folder]];
    return isTestFile(file) ? [...own, ...TEST_ONLY_FOR_TESTS] : own;
  }
  if (folder in TOOLS) return TOOLS[folder];
  return undefined;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the import boundaries between ironlb folders (eslint-rules/layers.mjs)' },
    schema: [],
    messages: {
      forbidden:
        '{{from}}/ may not import {{to}}/ ({{spec}}): allowed from {{from}}/ are {{allowed}} (eslint-rules/layers.mjs)',
      testFile: 'shipped code may not import a test file ({{spec}})',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const from = topFolder(root, file);
    const allowed = from === undefined ? undefined : allowedTargets(from, file);
    function check(node, spec) {
      if (allowed === undefined || typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      const to = topFolder(root, target);
      if (to === undefined) return;
      if (!allowed.includes(to)) {
        context.report({
          node,
          messageId: 'forbidden',
          data: { from, to, spec, allowed: allowed.map((a) => `${a}/`).join(', ') },
        });
      } else if (from in SHIPPED && !isTestFile(file) && /\.test(\.ts)?$/.test(spec)) {
        context.report({ node, messageId: 'testFile', data: { spec } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression: (node) => {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments[0]?.type === 'Literal'
        ) {
          check(node.arguments[0], node.arguments[0].value);
        }
      },
    };
  },
};

export default { rules: { layers: rule } };
