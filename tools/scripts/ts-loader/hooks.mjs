// Module hooks for register.mjs. A relative `./x.js` that does not exist is looked for as
// `./x.ts` (the sources import each other by their compiled names, as NodeNext wants); a `.ts`
// or `.mts` file is turned into JavaScript by esbuild, types removed, with an inline source
// map so that stack traces and tap's test locations name the TypeScript lines.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const RELATIVE_JS = /^\.{1,2}\/.*\.(m?)js$/;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const m = RELATIVE_JS.exec(specifier);
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !m) throw e;
    return nextResolve(`${specifier.slice(0, -(m[1].length + 2))}${m[1]}ts`, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !/\.m?ts$/.test(url)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const { code } = await transform(await readFile(file, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: file,
  });
  return { format: 'module', source: code, shortCircuit: true };
}
