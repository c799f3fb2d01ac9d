'use strict';
// Finding the flowc executable, and the message shown when it cannot be found.
// No `vscode` import here, so that test/unit/ can run it under plain Node.
const fs = require('fs');
const os = require('os');
const nodePath = require('path');

const INSTALL_HINT =
  'Install flowc from a clone of its repository with `cargo install --path .` ' +
  '(it goes to ~/.cargo/bin), or set "flowc.server.path" to the full path of the flowc binary.';

function defaultIsExecutable(file, platform) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves the configured server path to an executable file, or returns undefined.
 * - a bare name (the default `flowc`) is looked up on PATH, then in ~/.cargo/bin
 *   (where `cargo install` puts it; VS Code started from a desktop launcher often
 *   lacks it on PATH);
 * - `~/…` is relative to the home directory;
 * - another relative path is relative to `cwd` (the first workspace folder).
 *
 * @param {string} configured the `flowc.server.path` setting
 * @param {{cwd?: string, env?: NodeJS.ProcessEnv, platform?: string, home?: string,
 *          isExecutable?: (file: string) => boolean}} [options]
 * @returns {string | undefined}
 */
function resolveServerCommand(configured, options = {}) {
  const platform = options.platform || process.platform;
  const env = options.env || process.env;
  const home = options.home || os.homedir();
  const path = platform === 'win32' ? nodePath.win32 : nodePath.posix;
  const isExecutable = options.isExecutable || ((file) => defaultIsExecutable(file, platform));
  const exts =
    platform === 'win32'
      ? ['', ...(env.PATHEXT || env.Pathext || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
      : [''];
  const firstExecutable = (base) => {
    for (const ext of exts) {
      if (isExecutable(base + ext)) return base + ext;
    }
    return undefined;
  };

  let name = String(configured || '').trim() || 'flowc';
  if (name === '~' || name.startsWith('~/') || name.startsWith('~\\')) {
    name = path.join(home, name.slice(1));
  }
  const hasSeparator = name.includes('/') || (platform === 'win32' && name.includes('\\'));
  if (hasSeparator || path.isAbsolute(name)) {
    return firstExecutable(path.resolve(options.cwd || process.cwd(), name));
  }
  const pathVar = env.PATH || env.Path || '';
  const dirs = pathVar.split(path.delimiter).filter(Boolean);
  dirs.push(path.join(home, '.cargo', 'bin'));
  for (const dir of dirs) {
    const found = firstExecutable(path.join(dir, name));
    if (found) return found;
  }
  return undefined;
}

/** The error shown when the executable is missing. */
function notFoundMessage(configured) {
  const name = String(configured || '').trim() || 'flowc';
  const where =
    name.includes('/') || name.includes('\\')
      ? `"flowc.server.path" is "${name}", which is not an executable file.`
      : `Cannot find the "${name}" executable on PATH or in ~/.cargo/bin.`;
  return `flowc: the language server is not running. ${where} ${INSTALL_HINT} ` +
    'Highlighting and snippets work without it.';
}

module.exports = { resolveServerCommand, notFoundMessage, INSTALL_HINT };
