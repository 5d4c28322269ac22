// A module resolve hook (Node's synchronous `module.registerHooks`) that sends zod's require of its locales
// index to ./locales.ts, where each locale loads on first use. Saves about 1.7 MiB of RSS and the compile
// time of 63 unused message tables in every ironlb process (bench/speaker.bench.ts, issue figures in
// speaker/README.md). Imported first by each deployable's main.ts, before anything imports zod.
// Runtimes without the API (Node before 22.15) simply load zod's own index.
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';

/** zod's core and classic entry points require the index by this relative specifier. */
const ZOD_LOCALES_INDEX = '../locales/index.cjs';

/** Whether a require is zod 4's own import of its locales index (and not some other package's). */
export function isZodLocalesIndex(specifier: string, parentURL: string | undefined): boolean {
  return (
    specifier === ZOD_LOCALES_INDEX &&
    parentURL !== undefined &&
    /\/node_modules\/zod\/v4\/(core|classic)\/[^/]+$/.test(parentURL)
  );
}

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type RegisterHooks = (hooks: {
  resolve: (
    specifier: string,
    context: { parentURL?: string | undefined },
    next: (specifier: string, context: { parentURL?: string | undefined }) => ResolveResult,
  ) => ResolveResult;
}) => unknown;

const registerHooks = (nodeModule as { registerHooks?: RegisterHooks }).registerHooks;
if (typeof registerHooks === 'function') {
  const lazyLocales = pathToFileURL(require.resolve('./locales')).href;
  registerHooks({
    resolve: (specifier, context, next) =>
      isZodLocalesIndex(specifier, context.parentURL)
        ? { url: lazyLocales, format: 'commonjs', shortCircuit: true }
        : next(specifier, context),
  });
}
