'use strict';
// Checks that package.json, the snippets and the grammar agree with each other.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..', '..');
const read = (file) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

test('package.json contributes the flow language, grammar, snippets and settings', () => {
  const pkg = read('package.json');
  assert.equal(pkg.publisher, 'flowc');
  assert.equal(pkg.license, 'Apache-2.0');
  assert.equal(pkg.engines.vscode, '^1.85.0');
  const [language] = pkg.contributes.languages;
  assert.equal(language.id, 'flow');
  assert.deepEqual(language.extensions, ['.flow']);
  const [grammar] = pkg.contributes.grammars;
  assert.equal(grammar.scopeName, 'source.flow');
  assert.equal(read(grammar.path).scopeName, 'source.flow');
  read(language.configuration);
  const props = pkg.contributes.configuration.properties;
  assert.equal(props['flowc.server.path'].default, 'flowc');
  assert.deepEqual(props['flowc.server.extraArgs'].default, []);
  assert.deepEqual(props['flowc.trace.server'].enum, ['off', 'messages', 'verbose']);
  // Two spaces for .flow (src/indentation.js re-applies them to editors restored at startup).
  assert.deepEqual(pkg.contributes.configurationDefaults['[flow]'], { 'editor.tabSize': 2, 'editor.insertSpaces': true });
  assert.match(pkg.scripts['package:linux-x64'], /package-platform\.js linux-x64/);
});

test('.vscodeignore lets the bundled binary into a platform package, and nothing else new', () => {
  const lines = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(lines.includes('!server/flowc') && lines.includes('!server/flowc.exe'));
  assert.ok(!lines.includes('!server/**'), 'only the binary, not whatever else lands in server/');
});

test('snippets cover every item kind', () => {
  const snippets = read('snippets/flow.json');
  const prefixes = Object.values(snippets).map((s) => s.prefix);
  for (const want of ['host', 'group', 'zone', 'firewall', 'service', 'role', 'allow', 'deny', 'expect', 'lint', '@allow']) {
    assert.ok(prefixes.includes(want), `missing snippet ${want}`);
  }
  for (const [name, snippet] of Object.entries(snippets)) {
    assert.ok(Array.isArray(snippet.body) && snippet.body.length > 0, name);
    assert.ok(snippet.description, name);
  }
});
