'use strict';
// Packages a platform-specific .vsix that carries the flowc binary as server/flowc, as
// rust-analyzer does: users of that .vsix need not build flowc themselves.
//   FLOWC_BINARY=path/to/flowc node scripts/package-platform.js linux-x64 [--out FILE]
// (`npm run package:linux-x64`). A real release passes the release build of that platform.
// The binary is checked against the target, staged under server/ with mode 0755 (vsce keeps
// Unix modes in the archive, VS Code keeps them when installing), and removed afterwards, so
// that the generic `npm run package` never picks it up.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { mismatch } = require('./binary-format');

const root = path.join(__dirname, '..');

function usage(message) {
  console.error(`package-platform.js: ${message}`);
  console.error('usage: FLOWC_BINARY=path/to/flowc node scripts/package-platform.js TARGET [--out FILE.vsix]');
  process.exit(2);
}

function main(argv) {
  const target = argv[0];
  if (!target || target.startsWith('-')) usage('no target given (for example linux-x64)');
  let out;
  if (argv[1] === '--out' && argv[2]) out = path.resolve(argv[2]);
  else if (argv.length > 1) usage(`unexpected arguments: ${argv.slice(1).join(' ')}`);
  const binary = process.env.FLOWC_BINARY;
  if (!binary) usage('set FLOWC_BINARY to the flowc executable to bundle');
  if (!fs.statSync(binary, { throwIfNoEntry: false })?.isFile()) usage(`FLOWC_BINARY=${binary} is not a file`);

  const header = Buffer.alloc(4096);
  const fd = fs.openSync(binary, 'r');
  const length = fs.readSync(fd, header, 0, header.length, 0);
  fs.closeSync(fd);
  const wrong = mismatch(header.subarray(0, length), target);
  if (wrong) usage(`FLOWC_BINARY=${binary}: ${wrong}`);

  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  out ??= path.join(root, `flowc-${target}-${version}.vsix`);
  const serverDir = path.join(root, 'server');
  const staged = path.join(serverDir, target.startsWith('win32-') ? 'flowc.exe' : 'flowc');
  fs.rmSync(serverDir, { recursive: true, force: true });
  fs.mkdirSync(serverDir);
  try {
    fs.copyFileSync(binary, staged);
    fs.chmodSync(staged, 0o755);
    execFileSync(process.execPath, [path.join(root, 'build.mjs')], { cwd: root, stdio: 'inherit' });
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    execFileSync(
      process.execPath,
      [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--target', target, '--out', out],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );
  } finally {
    fs.rmSync(serverDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2));
