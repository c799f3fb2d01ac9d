'use strict';
// Which platform an executable was built for, from its header: ELF (Linux), Mach-O (macOS)
// or PE (Windows). Lets package-platform.js refuse to put, say, an arm64 or a macOS flowc
// into a linux-x64 .vsix, a mistake that would only show on the user's machine.

const ELF_MACHINES = { 0x3e: 'x64', 0xb7: 'arm64', 0x28: 'armhf' };
const MACHO_CPUS = { 0x01000007: 'x64', 0x0100000c: 'arm64' };
const PE_MACHINES = { 0x8664: 'x64', 0xaa64: 'arm64' };

/**
 * @param {Buffer} header the first 4 KiB (or more) of the file
 * @returns {{os: 'linux' | 'darwin' | 'win32', arch: string} | undefined}
 */
function binaryPlatform(header) {
  if (header.length >= 20 && header.readUInt32BE(0) === 0x7f454c46) {
    // e_machine sits at 18 in both ELF classes; read it in the file's byte order.
    const littleEndian = header[5] === 1;
    const machine = littleEndian ? header.readUInt16LE(18) : header.readUInt16BE(18);
    return { os: 'linux', arch: ELF_MACHINES[machine] ?? `elf-machine-${machine}` };
  }
  if (header.length >= 8 && header.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = header.readUInt32LE(4);
    return { os: 'darwin', arch: MACHO_CPUS[cpu] ?? `macho-cpu-${cpu}` };
  }
  if (header.length >= 8 && header.readUInt32BE(0) === 0xcafebabe) {
    return { os: 'darwin', arch: 'universal' };
  }
  if (header.length >= 0x40 && header.toString('latin1', 0, 2) === 'MZ') {
    const pe = header.readUInt32LE(0x3c);
    if (pe + 6 <= header.length && header.readUInt32BE(pe) === 0x50450000) {
      const machine = header.readUInt16LE(pe + 4);
      return { os: 'win32', arch: PE_MACHINES[machine] ?? `pe-machine-${machine}` };
    }
  }
  return undefined;
}

/** The vsce targets a flowc binary can be packaged for. */
const TARGETS = {
  'linux-x64': { os: 'linux', arch: 'x64' },
  'linux-arm64': { os: 'linux', arch: 'arm64' },
  'linux-armhf': { os: 'linux', arch: 'armhf' },
  'alpine-x64': { os: 'linux', arch: 'x64' },
  'alpine-arm64': { os: 'linux', arch: 'arm64' },
  'darwin-x64': { os: 'darwin', arch: 'x64' },
  'darwin-arm64': { os: 'darwin', arch: 'arm64' },
  'win32-x64': { os: 'win32', arch: 'x64' },
  'win32-arm64': { os: 'win32', arch: 'arm64' },
};

/** Undefined when `header` is an executable for `target`, else why not. */
function mismatch(header, target) {
  const want = TARGETS[target];
  if (!want) return `unknown target ${target} (one of ${Object.keys(TARGETS).join(', ')})`;
  const found = binaryPlatform(header);
  if (!found) return 'not an executable (no ELF, Mach-O or PE header)';
  const archOk = found.arch === want.arch || (found.os === 'darwin' && found.arch === 'universal');
  if (found.os !== want.os || !archOk) return `built for ${found.os}-${found.arch}, not ${target}`;
  return undefined;
}

module.exports = { binaryPlatform, mismatch, TARGETS };
