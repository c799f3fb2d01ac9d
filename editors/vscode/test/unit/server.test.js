'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { resolveServerCommand, bundledServerPath, ensureExecutable, notFoundMessage } = require('../../src/server');

function fakeFs(files) {
  return (file) => files.includes(file);
}

test('a bare name is looked up on PATH', () => {
  const found = resolveServerCommand('flowc', {
    platform: 'linux',
    env: { PATH: '/usr/bin:/opt/flowc/bin' },
    home: '/home/u',
    isExecutable: fakeFs(['/opt/flowc/bin/flowc']),
  });
  assert.equal(found, '/opt/flowc/bin/flowc');
});

test('a bare name falls back to ~/.cargo/bin', () => {
  const found = resolveServerCommand('flowc', {
    platform: 'linux',
    env: { PATH: '/usr/bin' },
    home: '/home/u',
    isExecutable: fakeFs(['/home/u/.cargo/bin/flowc']),
  });
  assert.equal(found, '/home/u/.cargo/bin/flowc');
});

test('an empty setting means flowc', () => {
  const found = resolveServerCommand('  ', {
    platform: 'linux',
    env: { PATH: '/bin' },
    home: '/h',
    isExecutable: fakeFs(['/bin/flowc']),
  });
  assert.equal(found, '/bin/flowc');
});

test('a missing executable gives undefined', () => {
  const found = resolveServerCommand('flowc', {
    platform: 'linux',
    env: { PATH: '/usr/bin' },
    home: '/home/u',
    isExecutable: fakeFs([]),
  });
  assert.equal(found, undefined);
});

test('relative and ~ paths', () => {
  const opts = { platform: 'linux', env: {}, home: '/home/u', cwd: '/work/site' };
  assert.equal(
    resolveServerCommand('target/release/flowc', { ...opts, isExecutable: fakeFs(['/work/site/target/release/flowc']) }),
    '/work/site/target/release/flowc',
  );
  assert.equal(
    resolveServerCommand('~/bin/flowc', { ...opts, isExecutable: fakeFs(['/home/u/bin/flowc']) }),
    '/home/u/bin/flowc',
  );
  assert.equal(resolveServerCommand('/nope/flowc', { ...opts, isExecutable: fakeFs([]) }), undefined);
});

test('Windows: PATHEXT and ; separated PATH', () => {
  const found = resolveServerCommand('flowc', {
    platform: 'win32',
    env: { Path: 'C:\\Windows;C:\\tools', PATHEXT: '.COM;.EXE' },
    home: 'C:\\Users\\u',
    isExecutable: fakeFs(['C:\\tools\\flowc.EXE']),
  });
  assert.equal(found, 'C:\\tools\\flowc.EXE');
});

test('real file system: only executable files count', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-test-'));
  try {
    const exe = path.join(dir, 'flowc');
    fs.writeFileSync(exe, '#!/bin/sh\n');
    fs.chmodSync(exe, 0o644);
    const opts = { env: { PATH: dir }, home: path.join(dir, 'nohome') };
    if (process.platform !== 'win32') assert.equal(resolveServerCommand('flowc', opts), undefined);
    fs.chmodSync(exe, 0o755);
    assert.equal(resolveServerCommand('flowc', opts), exe);
    assert.equal(resolveServerCommand(dir, opts), undefined, 'a directory is not an executable');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the not-found message says how to install and how to configure', () => {
  for (const configured of ['flowc', '/opt/x/flowc']) {
    const message = notFoundMessage(configured);
    assert.match(message, /cargo install --path \./);
    assert.match(message, /flowc\.server\.path/);
  }
  assert.match(notFoundMessage('/opt/x/flowc'), /\/opt\/x\/flowc/);
});

test('the bundled binary is the last resort for the default setting', () => {
  const bundled = '/ext/flowc.flowc-0.1.0-linux-x64/server/flowc';
  const base = { platform: 'linux', env: { PATH: '/usr/bin' }, home: '/home/u', bundled };
  assert.equal(resolveServerCommand('flowc', { ...base, isExecutable: fakeFs([bundled]) }), bundled);
  assert.equal(resolveServerCommand('', { ...base, isExecutable: fakeFs([bundled]) }), bundled);
  // A flowc the user installed wins, on PATH or in ~/.cargo/bin.
  assert.equal(
    resolveServerCommand('flowc', { ...base, isExecutable: fakeFs([bundled, '/usr/bin/flowc']) }),
    '/usr/bin/flowc',
  );
  assert.equal(
    resolveServerCommand('flowc', { ...base, isExecutable: fakeFs([bundled, '/home/u/.cargo/bin/flowc']) }),
    '/home/u/.cargo/bin/flowc',
  );
  // A path the user set is theirs: missing means an error, not the bundled copy.
  assert.equal(resolveServerCommand('/opt/flowc/bin/flowc', { ...base, isExecutable: fakeFs([bundled]) }), undefined);
  assert.equal(resolveServerCommand('flowc-dev', { ...base, isExecutable: fakeFs([bundled]) }), undefined);
  // No bundled binary (the generic .vsix), or one that is not executable.
  assert.equal(resolveServerCommand('flowc', { ...base, bundled: undefined, isExecutable: fakeFs([bundled]) }), undefined);
  assert.equal(resolveServerCommand('flowc', { ...base, isExecutable: fakeFs([]) }), undefined);
});

test('the bundled binary lives in server/ of the extension', () => {
  assert.equal(bundledServerPath('/ext/flowc', 'linux'), '/ext/flowc/server/flowc');
  assert.equal(bundledServerPath('C:\\ext\\flowc', 'win32'), 'C:\\ext\\flowc\\server\\flowc.exe');
});

test('ensureExecutable restores lost execute bits and tolerates a missing file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-test-'));
  try {
    const exe = path.join(dir, 'flowc');
    assert.equal(ensureExecutable(exe), false, 'missing');
    fs.writeFileSync(exe, '#!/bin/sh\n');
    fs.chmodSync(exe, 0o600);
    assert.equal(ensureExecutable(exe), true);
    if (process.platform !== 'win32') {
      assert.equal(fs.statSync(exe).mode & 0o777, 0o711);
      assert.equal(resolveServerCommand('flowc', { env: { PATH: path.join(dir, 'none') }, home: dir, bundled: exe }), exe);
    }
    assert.equal(ensureExecutable(dir), false, 'a directory is not an executable');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
