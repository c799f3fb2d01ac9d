// Bundles src/extension.js and vscode-languageclient into out/extension.js, so that the
// .vsix needs no node_modules (`vsce package --no-dependencies`).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/extension.js'],
  outfile: 'out/extension.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
});
