'use strict';
// Usage: node test/check-vsix.js FILE.vsix
// Checks that FILE is a zip archive holding the files the extension needs, by reading
// the zip central directory (no unzip tool or npm package needed).
const fs = require('fs');

const required = [
  'extension/package.json',
  'extension/out/extension.js',
  'extension/syntaxes/flow.tmLanguage.json',
  'extension/language-configuration.json',
  'extension/snippets/flow.json',
  'extension/readme.md',
  'extension/LICENSE.txt',
  'extension.vsixmanifest',
];
const forbidden = [/^extension\/node_modules\//, /^extension\/src\//, /^extension\/test\//];

function zipEntries(buffer) {
  // End of central directory record: signature 0x06054b50, at least 22 bytes from the end.
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory record)');
  const count = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(offset) !== 0x02014b50) throw new Error('corrupt central directory');
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    names.push(buffer.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node test/check-vsix.js FILE.vsix');
  process.exit(2);
}
const names = zipEntries(fs.readFileSync(file));
const missing = required.filter((name) => !names.includes(name));
const extra = names.filter((name) => forbidden.some((re) => re.test(name)));
if (missing.length || extra.length) {
  if (missing.length) console.error(`${file} lacks: ${missing.join(', ')}`);
  if (extra.length) console.error(`${file} should not hold: ${extra.join(', ')}`);
  console.error(`entries: ${names.join(', ')}`);
  process.exit(1);
}
console.log(`${file}: ${names.length} entries, ${fs.statSync(file).size} bytes: ${names.join(', ')}`);
