/**
 * Jest transform: TypeScript (and the ES-module-only dependencies) to CommonJS
 * with the TypeScript compiler the project already has. A compiler with native
 * platform binaries (swc, esbuild) cannot be locked for `npm ci` here, because
 * the registry this project installs from does not carry every platform's build.
 */
const { createHash } = require('node:crypto');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  allowJs: true,
  inlineSourceMap: true,
  inlineSources: true,
  jsx: ts.JsxEmit.ReactJSX,
  jsxImportSource: 'preact',
};

module.exports = {
  process(source, filename) {
    const out = ts.transpileModule(source, { fileName: filename, compilerOptions });
    return { code: out.outputText };
  },
  getCacheKey(source, filename) {
    return createHash('sha1').update(ts.version).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
