// Stands in for zod's `v4/locales/index.cjs`, which zod's core and classic entry points require only to
// re-export every locale as `z.locales`: 63 message tables, about 500 KiB of JavaScript compiled and kept
// in every process that imports zod, though none is used: zod sets up English through a direct import of
// `locales/en.cjs` (zod/v4/classic/external.cjs). Same names, same values, but each table is required on
// first access, so `z.locales.fr()` still works and nothing is loaded until something asks for it.
// loadhook.ts points zod's require of the real index here; locales.test.ts keeps the names in step with
// the installed zod. It exports the locales and nothing else, as the index it replaces.
import { ZOD_LOCALE_NAMES, zodLocaleFile } from './names';

for (const name of ZOD_LOCALE_NAMES) {
  Object.defineProperty(exports, name, {
    enumerable: true,
    get: (): unknown => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(`zod/v4/locales/${zodLocaleFile(name)}`) as {
        __esModule?: boolean;
        default?: unknown;
      };
      // The index's own `__importDefault(...).default`: the locale files assign module.exports directly.
      return mod.__esModule === true ? mod.default : mod;
    },
  });
}
