'use strict';
// scripts/binary-format.js: a flowc binary is only packaged for the platform it was built for.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const { binaryPlatform, mismatch } = require('../../scripts/binary-format');

function elf(machine) {
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header.writeUInt16LE(machine, 18);
  return header;
}

function macho(cpu) {
  const header = Buffer.alloc(32);
  header.writeUInt32LE(0xfeedfacf, 0);
  header.writeUInt32LE(cpu, 4);
  return header;
}

function pe(machine) {
  const header = Buffer.alloc(0x100);
  header.write('MZ', 0, 'latin1');
  header.writeUInt32LE(0x80, 0x3c);
  header.writeUInt32BE(0x50450000, 0x80);
  header.writeUInt16LE(machine, 0x84);
  return header;
}

test('headers name their platform', () => {
  assert.deepEqual(binaryPlatform(elf(0x3e)), { os: 'linux', arch: 'x64' });
  assert.deepEqual(binaryPlatform(elf(0xb7)), { os: 'linux', arch: 'arm64' });
  assert.deepEqual(binaryPlatform(macho(0x0100000c)), { os: 'darwin', arch: 'arm64' });
  assert.deepEqual(binaryPlatform(pe(0x8664)), { os: 'win32', arch: 'x64' });
  assert.equal(binaryPlatform(Buffer.from('#!/bin/sh\nexec flowc "$@"\n')), undefined);
  assert.equal(binaryPlatform(Buffer.alloc(0)), undefined);
});

test('a binary matches only its own target', () => {
  assert.equal(mismatch(elf(0x3e), 'linux-x64'), undefined);
  assert.equal(mismatch(elf(0x3e), 'alpine-x64'), undefined);
  assert.match(mismatch(elf(0xb7), 'linux-x64'), /built for linux-arm64, not linux-x64/);
  assert.match(mismatch(macho(0x01000007), 'linux-x64'), /built for darwin-x64/);
  assert.equal(mismatch(pe(0xaa64), 'win32-arm64'), undefined);
  assert.match(mismatch(Buffer.from('#!/bin/sh\n'), 'linux-x64'), /not an executable/);
  assert.match(mismatch(elf(0x3e), 'solaris-sparc'), /unknown target/);
});

test('the running node binary is recognised', (t) => {
  const expected = { linux: 'linux', darwin: 'darwin', win32: 'win32' }[process.platform];
  if (!expected || !['x64', 'arm64'].includes(process.arch)) {
    t.skip(`no header check for ${process.platform}-${process.arch}`);
    return;
  }
  const header = Buffer.alloc(4096);
  const fd = fs.openSync(process.execPath, 'r');
  const length = fs.readSync(fd, header, 0, header.length, 0);
  fs.closeSync(fd);
  const found = binaryPlatform(header.subarray(0, length));
  assert.equal(found.os, expected);
  if (found.arch !== 'universal') assert.equal(found.arch, process.arch);
});
