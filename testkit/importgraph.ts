// The module graph of an entry point, read from source with the TypeScript parser: which files and packages
// it loads at run time. Type-only imports (`import type`, `export type`) are left out, since the compiler
// erases them; static imports, re-exports, `require()` and `import()` are followed, the last two marked lazy.
// Used to pin down what a deployable must never load (client-node's 80 MiB model graph).
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  readonly specifier: string;
  /** `import()` or `require()` inside a function: loaded only when that code runs. */
  readonly lazy: boolean;
}

/** The run-time imports of one source file. */
export function importsOf(fileName: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (node.importClause?.isTypeOnly !== true)
        edges.push({ specifier: node.moduleSpecifier.text, lazy: false });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      if (!node.isTypeOnly) edges.push({ specifier: node.moduleSpecifier.text, lazy: false });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      !node.isTypeOnly &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      edges.push({ specifier: node.moduleReference.expression.text, lazy: false });
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if ((isImport || isRequire) && arg !== undefined && ts.isStringLiteralLike(arg))
        edges.push({ specifier: arg.text, lazy: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The file a relative specifier names, as the compiler resolves it for a .ts project. */
export function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), base];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

/** The package a bare specifier loads: `@scope/name/sub` -> `@scope/name`; `node:fs` stays as is. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

export interface ModuleGraph {
  /** Every source file reached, entry first. */
  readonly files: readonly string[];
  /**
   * Each package reached, with the import chain that first reaches it (entry, ..., importing file) and
   * whether any link of that chain is lazy.
   */
  readonly packages: ReadonlyMap<string, { readonly chain: readonly string[]; readonly lazy: boolean }>;
}

/** Walks the source graph from `entry` breadth first, so each chain reported is a shortest one. */
export function moduleGraph(entry: string): ModuleGraph {
  const start = path.resolve(entry);
  const via = new Map<string, { from: string | undefined; lazy: boolean }>([
    [start, { from: undefined, lazy: false }],
  ]);
  const packages = new Map<string, { chain: string[]; lazy: boolean }>();
  const chainTo = (file: string): string[] => {
    const chain: string[] = [];
    for (let f: string | undefined = file; f !== undefined; f = via.get(f)?.from) chain.unshift(f);
    return chain;
  };
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i];
    if (file === undefined) break;
    const lazySoFar = via.get(file)?.lazy ?? false;
    if (!/\.tsx?$/.test(file)) continue;
    for (const edge of importsOf(file, fs.readFileSync(file, 'utf8'))) {
      const lazy = lazySoFar || edge.lazy;
      if (edge.specifier.startsWith('.')) {
        const target = resolveRelative(file, edge.specifier);
        if (target === undefined) throw new Error(`${file}: cannot resolve ${edge.specifier}`);
        const seen = via.get(target);
        // A file first reached lazily and later eagerly counts as eager.
        if (seen === undefined || (seen.lazy && !lazy)) {
          via.set(target, { from: file, lazy });
          queue.push(target);
        }
      } else {
        const name = packageOf(edge.specifier);
        const seen = packages.get(name);
        if (seen === undefined || (seen.lazy && !lazy)) packages.set(name, { chain: chainTo(file), lazy });
      }
    }
  }
  return { files: [...via.keys()], packages };
}
