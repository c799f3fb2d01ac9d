'use strict';
// Loads the bundled out/extension.js with a stand-in `vscode` module and checks that a
// missing flowc binary gives an explanatory error message instead of a failed activation.
const test = require('node:test');
const assert = require('node:assert/strict');
const Module = require('module');
const path = require('path');

function fakeVscode(settings, editorSettings = {}) {
  const calls = { errors: [], commands: [], folding: 0, visibleListeners: [], closeListeners: [] };
  const disposable = { dispose() {} };
  const vscode = {
    calls,
    FoldingRange: class {
      constructor(start, end, kind) {
        Object.assign(this, { start, end, kind });
      }
    },
    FoldingRangeKind: { Comment: 1, Imports: 2, Region: 3 },
    languages: {
      registerFoldingRangeProvider(selector, provider) {
        calls.folding++;
        vscode.foldingProvider = provider;
        return disposable;
      },
    },
    commands: {
      registerCommand(id) {
        calls.commands.push(id);
        return disposable;
      },
      executeCommand() {
        return Promise.resolve();
      },
    },
    workspace: {
      workspaceFolders: undefined,
      getConfiguration(section, scope) {
        if (section === 'editor') {
          calls.editorConfigurationScopes = [...(calls.editorConfigurationScopes || []), scope];
          return { get: (key) => editorSettings[key] };
        }
        return { get: (key) => settings[key] };
      },
      onDidCloseTextDocument(listener) {
        calls.closeListeners.push(listener);
        return disposable;
      },
      onDidChangeConfiguration() {
        return disposable;
      },
      registerTextDocumentContentProvider(scheme, provider) {
        vscode.contentProviders = { ...vscode.contentProviders, [scheme]: provider };
        return disposable;
      },
    },
    window: {
      visibleTextEditors: [],
      onDidChangeVisibleTextEditors(listener) {
        calls.visibleListeners.push(listener);
        return disposable;
      },
      showErrorMessage(message, ...items) {
        calls.errors.push({ message, items });
        return Promise.resolve(undefined);
      },
      createOutputChannel() {
        throw new Error('no output channel is needed when flowc is missing');
      },
    },
  };
  return vscode;
}

function loadExtension(vscode) {
  const bundle = path.join(__dirname, '..', '..', 'out', 'extension.js');
  const originalLoad = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return vscode;
    return originalLoad.call(this, request, ...rest);
  };
  try {
    delete require.cache[bundle];
    return require(bundle);
  } finally {
    Module._load = originalLoad;
  }
}

test('activation without flowc shows how to install it', async () => {
  const vscode = fakeVscode({ 'server.path': path.join(__dirname, 'no-such-dir', 'flowc'), 'server.extraArgs': [] });
  const extension = loadExtension(vscode);
  const context = { subscriptions: [] };
  await extension.activate(context);
  assert.equal(vscode.calls.errors.length, 1);
  const { message, items } = vscode.calls.errors[0];
  assert.match(message, /cargo install --path \./);
  assert.match(message, /flowc\.server\.path/);
  assert.deepEqual(items, ['Open Settings', 'Retry']);
  assert.deepEqual(vscode.calls.commands, ['flowc.restartServer']);
  assert.equal(vscode.calls.folding, 1);
  assert.equal(context.subscriptions.length, 6);
  const ranges = vscode.foldingProvider.provideFoldingRanges({ getText: () => 'role r {\n  a -> self : tcp 1\n  b -> self : tcp 2\n}\n' });
  assert.deepEqual(ranges.map((r) => [r.start, r.end]), [[0, 2]]);
  await extension.deactivate();
});

// The same extension from src/, with a stand-in language client: checks how the server is
// started (the bundle inlines vscode-languageclient, so it cannot be replaced there).
function loadSource(vscode, languageClient, t) {
  const entry = path.join(__dirname, '..', '..', 'src', 'extension.js');
  const originalLoad = Module._load;
  // Kept until the test ends: the extension requires the client lazily.
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return vscode;
    if (request === 'vscode-languageclient/node') return languageClient;
    return originalLoad.call(this, request, ...rest);
  };
  t.after(() => {
    Module._load = originalLoad;
  });
  for (const key of Object.keys(require.cache)) {
    if (key.includes(`${path.sep}src${path.sep}`)) delete require.cache[key];
  }
  return require(entry);
}

function fakeClientModule(startError) {
  const made = [];
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, stopped: false, disposed: false });
      made.push(this);
    }
    start() {
      return startError ? Promise.reject(startError) : Promise.resolve();
    }
    stop() {
      this.stopped = true;
      return Promise.resolve();
    }
    dispose() {
      this.disposed = true;
      return Promise.resolve();
    }
  }
  return { made, module: { LanguageClient, TransportKind: { stdio: 0 } } };
}

function withServerApis(vscode) {
  const lines = [];
  vscode.window.createOutputChannel = () => ({ appendLine: (l) => lines.push(l), show() {} });
  vscode.workspace.createFileSystemWatcher = (glob) => ({ glob, dispose() {} });
  vscode.workspace.workspaceFolders = [{ uri: { fsPath: '/work/site' } }];
  return lines;
}

test('the server is started as `flowc lsp ARGS` with the flow document selector', async (t) => {
  const vscode = fakeVscode({ 'server.path': process.execPath, 'server.extraArgs': ['--log', 'debug'] });
  withServerApis(vscode);
  const client = fakeClientModule();
  const extension = loadSource(vscode, client.module, t);
  await extension.activate({ subscriptions: [] });
  assert.equal(vscode.calls.errors.length, 0);
  assert.equal(client.made.length, 1);
  const [made] = client.made;
  assert.equal(made.id, 'flowc', 'the id makes the client read flowc.trace.server');
  assert.equal(made.serverOptions.command, process.execPath);
  assert.deepEqual(made.serverOptions.args, ['lsp', '--log', 'debug']);
  assert.deepEqual(made.serverOptions.options, { cwd: '/work/site' });
  assert.deepEqual(
    made.clientOptions.documentSelector.map((s) => s.language),
    ['flow', 'flow'],
  );
  assert.equal(made.clientOptions.synchronize.fileEvents.glob, '**/*.flow');
  await extension.deactivate();
  assert.ok(made.stopped);
});

test('a server that vanishes before it starts gives the install message', async (t) => {
  const vscode = fakeVscode({ 'server.path': process.execPath, 'server.extraArgs': [] });
  const lines = withServerApis(vscode);
  const enoent = Object.assign(new Error('spawn flowc ENOENT'), { code: 'ENOENT' });
  const client = fakeClientModule(enoent);
  const extension = loadSource(vscode, client.module, t);
  await extension.activate({ subscriptions: [] });
  assert.equal(vscode.calls.errors.length, 1);
  assert.match(vscode.calls.errors[0].message, /cargo install --path \./);
  assert.ok(client.made[0].disposed);
  assert.match(lines.join('\n'), /ENOENT/);
  await extension.deactivate();
});

test('diagnostic code links open `flowc explain CODE` as a document', async () => {
  const fake = path.join(__dirname, 'fake-flowc-explain.js');
  require('fs').writeFileSync(fake, '#!/usr/bin/env node\nprocess.stdout.write(`explained ${process.argv.slice(2).join(" ")}\\n`);\n', { mode: 0o755 });
  try {
    const settings = { 'server.path': path.join(__dirname, 'no-such-dir', 'flowc'), 'server.extraArgs': [] };
    const vscode = fakeVscode(settings);
    const extension = loadExtension(vscode);
    await extension.activate({ subscriptions: [] });
    const provider = vscode.contentProviders.flowc;
    assert.match(provider.provideTextDocumentContent({ path: 'explain/E0102' }), /cargo install --path \./);
    settings['server.path'] = fake;
    assert.equal(provider.provideTextDocumentContent({ path: 'explain/E0102' }), 'explained explain E0102\n');
    await extension.deactivate();
  } finally {
    require('fs').unlinkSync(fake);
  }
});

function fakeEditor(languageId, uri) {
  return { document: { languageId, uri: { toString: () => uri } }, options: { tabSize: 4, insertSpaces: true } };
}

test('.flow editors open before activation get their indentation settled again, once', async () => {
  const vscode = fakeVscode({ 'server.path': path.join(__dirname, 'no-such-dir', 'flowc') }, { detectIndentation: true, tabSize: 2, insertSpaces: true });
  const restored = fakeEditor('flow', 'file:///site/rules.flow');
  const other = fakeEditor('json', 'file:///site/x.json');
  vscode.window.visibleTextEditors = [restored, other];
  const extension = loadExtension(vscode);
  await extension.activate({ subscriptions: [] });
  // 'auto' makes VS Code detect again, against the [flow] defaults it now knows.
  assert.deepEqual(restored.options, { tabSize: 'auto', insertSpaces: 'auto' });
  assert.deepEqual(other.options, { tabSize: 4, insertSpaces: true }, 'other languages are left alone');
  assert.equal(vscode.calls.editorConfigurationScopes[0], restored.document, 'read with the document as scope, so [flow] applies');

  // Shown later: settled when it becomes visible; a second showing keeps the user's choice.
  const later = fakeEditor('flow', 'file:///site/hosts.flow');
  const [onVisible] = vscode.calls.visibleListeners;
  onVisible([later]);
  assert.deepEqual(later.options, { tabSize: 'auto', insertSpaces: 'auto' });
  later.options = { tabSize: 8, insertSpaces: false };
  onVisible([later]);
  assert.deepEqual(later.options, { tabSize: 8, insertSpaces: false });
  // Closed and opened again: a new model, settled again.
  vscode.calls.closeListeners[0](later.document);
  onVisible([later]);
  assert.deepEqual(later.options, { tabSize: 'auto', insertSpaces: 'auto' });
  await extension.deactivate();
});

test('with indentation detection off, .flow editors get the configured size', async () => {
  const vscode = fakeVscode({ 'server.path': path.join(__dirname, 'no-such-dir', 'flowc') }, { detectIndentation: false, tabSize: 2, insertSpaces: true });
  const restored = fakeEditor('flow', 'file:///site/rules.flow');
  vscode.window.visibleTextEditors = [restored];
  const extension = loadExtension(vscode);
  await extension.activate({ subscriptions: [] });
  assert.deepEqual(restored.options, { tabSize: 2, insertSpaces: true });
  await extension.deactivate();
});

test('a platform .vsix: flowc bundled under server/ is used when none is installed', async (t) => {
  const fs = require('fs');
  const os = require('os');
  const extensionPath = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-ext-'));
  t.after(() => fs.rmSync(extensionPath, { recursive: true, force: true }));
  fs.mkdirSync(path.join(extensionPath, 'server'));
  const binary = path.join(extensionPath, 'server', 'flowc');
  fs.writeFileSync(binary, '#!/bin/sh\n');
  // As an installer that drops Unix modes would leave it: activation restores the bits.
  fs.chmodSync(binary, 0o644);
  const savedPath = process.env.PATH;
  const savedHome = process.env.HOME;
  process.env.PATH = path.join(extensionPath, 'empty');
  process.env.HOME = path.join(extensionPath, 'home');
  t.after(() => {
    process.env.PATH = savedPath;
    process.env.HOME = savedHome;
  });
  const vscode = fakeVscode({ 'server.path': 'flowc', 'server.extraArgs': [] });
  const lines = withServerApis(vscode);
  const client = fakeClientModule();
  const extension = loadSource(vscode, client.module, t);
  await extension.activate({ subscriptions: [], extensionPath });
  if (process.platform !== 'win32') assert.equal(fs.statSync(binary).mode & 0o111, 0o111);
  assert.equal(vscode.calls.errors.length, 0);
  assert.equal(client.made[0].serverOptions.command, binary);
  assert.match(lines.join('\n'), /bundled with the extension/);
  await extension.deactivate();
});
