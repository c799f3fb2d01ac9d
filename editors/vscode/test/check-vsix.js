'use strict';
// Usage: node test/check-vsix.js FILE.vsix [--target TARGET]
// Checks that FILE is a zip archive holding the files the extension needs, by reading
// the zip central directory (no unzip tool or npm package needed). With --target, FILE must
// be the platform-specific package: it declares that platform and carries server/flowc
// (server/flowc.exe on Windows) with its execute bits.
const fs = require('fs');
const zlib = require('zlib');

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
const forbidden = [
  /^extension\/node_modules\//,
  /^extension\/src\//,
  /^extension\/test\//,
  /^extension\/scripts\//,
];

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
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(offset) !== 0x02014b50) throw new Error('corrupt central directory');
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    entries.push({
      name: buffer.toString('utf8', offset + 46, offset + 46 + nameLength),
      // Made on Unix (high byte 3): the upper half of the external attributes is st_mode.
      unixMode: buffer[offset + 5] === 3 ? buffer.readUInt32LE(offset + 38) >>> 16 : undefined,
      method: buffer.readUInt16LE(offset + 10),
      compressedSize: buffer.readUInt32LE(offset + 20),
      localHeader: buffer.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function entryText(buffer, entry) {
  const at = entry.localHeader;
  const start = at + 30 + buffer.readUInt16LE(at + 26) + buffer.readUInt16LE(at + 28);
  const data = buffer.subarray(start, start + entry.compressedSize);
  return (entry.method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
}

const [file, option, target] = process.argv.slice(2);
if (!file || (option && (option !== '--target' || !target))) {
  console.error('usage: node test/check-vsix.js FILE.vsix [--target TARGET]');
  process.exit(2);
}
const buffer = fs.readFileSync(file);
const entries = zipEntries(buffer);
const names = entries.map((entry) => entry.name);
const problems = [];
const missing = required.filter((name) => !names.includes(name));
if (missing.length) problems.push(`lacks: ${missing.join(', ')}`);
const binaries = names.filter((name) => name.startsWith('extension/server/'));
const extra = names.filter((name) => forbidden.some((re) => re.test(name)));
if (extra.length) problems.push(`should not hold: ${extra.join(', ')}`);
const manifest = entryText(buffer, entries.find((entry) => entry.name === 'extension.vsixmanifest') ?? entries[0]);
const declared = /TargetPlatform="([^"]+)"/.exec(manifest)?.[1];
if (target) {
  const binary = target.startsWith('win32-') ? 'extension/server/flowc.exe' : 'extension/server/flowc';
  const entry = entries.find((e) => e.name === binary);
  if (!entry) problems.push(`lacks the bundled ${binary}`);
  else if (!target.startsWith('win32-') && (entry.unixMode === undefined || (entry.unixMode & 0o111) !== 0o111)) {
    problems.push(`${binary} is not stored as executable (mode ${entry.unixMode?.toString(8)})`);
  }
  if (declared !== target) problems.push(`declares target platform ${declared ?? 'none'}, not ${target}`);
} else {
  if (binaries.length) problems.push(`the generic package should not hold ${binaries.join(', ')}`);
  if (declared) problems.push(`the generic package declares target platform ${declared}`);
}
if (problems.length) {
  for (const problem of problems) console.error(`${file} ${problem}`);
  console.error(`entries: ${names.join(', ')}`);
  process.exit(1);
}
console.log(
  `${file}${target ? ` (${target})` : ''}: ${names.length} entries, ${fs.statSync(file).size} bytes: ${names.join(', ')}`,
);
