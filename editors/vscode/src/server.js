'use strict';
// Finding the flowc executable (the setting, PATH, ~/.cargo/bin, then the copy inside a
// platform-specific .vsix), and the message shown when it cannot be found.
// No `vscode` import here, so that test/unit/ can run it under plain Node.
const fs = require('fs');
const os = require('os');
const nodePath = require('path');

const INSTALL_HINT =
  'Install flowc from a clone of its repository with `cargo install --path .` ' +
  '(it goes to ~/.cargo/bin), install the flowc .vsix built for your platform (it carries flowc), ' +
  'or set "flowc.server.path" to the full path of the flowc binary.';

/** The setting's default: a bare name, looked up on PATH. */
const DEFAULT_SERVER_PATH = 'flowc';

function defaultIsExecutable(file, platform) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where a platform-specific .vsix carries flowc, inside the installed extension. */
function bundledServerPath(extensionPath, platform = process.platform) {
  const path = platform === 'win32' ? nodePath.win32 : nodePath.posix;
  return path.join(extensionPath, 'server', platform === 'win32' ? 'flowc.exe' : 'flowc');
}

/**
 * Gives the bundled binary its execute bits back if an installer dropped them (a .vsix is a
 * zip archive, and not every unzip keeps Unix modes). Returns whether `file` is executable;
 * a missing file is not an error (the generic .vsix has none).
 */
function ensureExecutable(file, platform = process.platform) {
  if (platform === 'win32') return fs.existsSync(file);
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if ((stat.mode & 0o111) !== 0o111) fs.chmodSync(file, stat.mode | 0o111);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves the configured server path to an executable file, or returns undefined.
 * - a bare name (the default `flowc`) is looked up on PATH, then in ~/.cargo/bin
 *   (where `cargo install` puts it; VS Code started from a desktop launcher often
 *   lacks it on PATH); when the setting is the default and neither has it, the binary
 *   bundled in a platform-specific .vsix (`options.bundled`) is used, so that a flowc the
 *   user installed themselves always wins over the one that came with the extension;
 * - `~/…` is relative to the home directory;
 * - another relative path is relative to `cwd` (the first workspace folder).
 *
 * @param {string} configured the `flowc.server.path` setting
 * @param {{cwd?: string, env?: NodeJS.ProcessEnv, platform?: string, home?: string,
 *          bundled?: string, isExecutable?: (file: string) => boolean}} [options]
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
  // Only for the default: a user who named another executable wants that one or an error.
  if (name === DEFAULT_SERVER_PATH && options.bundled && isExecutable(options.bundled)) {
    return options.bundled;
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

module.exports = {
  resolveServerCommand,
  bundledServerPath,
  ensureExecutable,
  notFoundMessage,
  INSTALL_HINT,
  DEFAULT_SERVER_PATH,
};
