'use strict';
// The flowc extension: folding, and a language client for `flowc lsp` over stdio.
// Highlighting, snippets, comments and brackets are declarative (package.json).
const vscode = require('vscode');
const {
  resolveServerCommand,
  bundledServerPath,
  ensureExecutable,
  notFoundMessage,
  DEFAULT_SERVER_PATH,
} = require('./server');
const { computeFoldingRanges } = require('./folding');
const { settleFlowIndentation } = require('./indentation');
const { execFileSync } = require('child_process');

/** @type {import('vscode-languageclient/node').LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let outputChannel;
/** @type {vscode.FileSystemWatcher | undefined} kept across restarts: the client does not dispose it */
let watcher;
/** Serialises start/stop so that quick setting changes cannot start two servers. */
let pending = Promise.resolve();
/** @type {string | undefined} flowc inside a platform-specific .vsix, if this is one */
let bundled;

function activate(context) {
  bundled = context.extensionPath ? bundledServerPath(context.extensionPath) : undefined;
  // The installer may not keep the execute bit; without one there is nothing bundled.
  if (bundled && !ensureExecutable(bundled)) bundled = undefined;
  context.subscriptions.push(
    ...settleFlowIndentation(vscode),
    vscode.languages.registerFoldingRangeProvider(
      { language: 'flow' },
      {
        provideFoldingRanges(document) {
          return computeFoldingRanges(document.getText()).map(
            (r) =>
              new vscode.FoldingRange(
                r.start,
                r.end,
                r.kind === 'comment'
                  ? vscode.FoldingRangeKind.Comment
                  : r.kind === 'region'
                    ? vscode.FoldingRangeKind.Region
                    : undefined,
              ),
          );
        },
      },
    ),
    // Diagnostic codes link to `flowc:explain/CODE`: show `flowc explain CODE` as a document.
    vscode.workspace.registerTextDocumentContentProvider('flowc', {
      provideTextDocumentContent(uri) {
        return explain(uri.path.replace(/^explain\//, ''));
      },
    }),
    vscode.commands.registerCommand('flowc.restartServer', () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('flowc.server')) restart();
    }),
  );
  return restart();
}

/** The long explanation of a diagnostic code, from the configured flowc binary. */
function explain(code) {
  const configuration = vscode.workspace.getConfiguration('flowc');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const configured = configuration.get('server.path') || DEFAULT_SERVER_PATH;
  const command = resolveServerCommand(configured, { cwd: folder, bundled });
  if (!command) return `flowc explain ${code}: ${notFoundMessage(configured)}`;
  try {
    return execFileSync(command, ['explain', code], { encoding: 'utf8', timeout: 5000 });
  } catch (error) {
    return `flowc explain ${code} failed: ${error?.message ?? error}`;
  }
}

function deactivate() {
  pending = pending.then(stopServer).then(() => {
    watcher?.dispose();
    watcher = undefined;
  });
  return pending;
}

function restart() {
  pending = pending.then(stopServer).then(startServer);
  return pending;
}

async function stopServer() {
  const running = client;
  client = undefined;
  if (!running) return;
  try {
    await running.stop();
  } catch {
    // A server that never started or already died has nothing to stop.
  }
}

async function startServer() {
  const config = vscode.workspace.getConfiguration('flowc');
  const configured = config.get('server.path') || DEFAULT_SERVER_PATH;
  const extraArgs = config.get('server.extraArgs') || [];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

  const command = resolveServerCommand(configured, { cwd: folder, bundled });
  if (!command) {
    showNotFound(configured);
    return;
  }

  // Loaded only once there is a server to talk to.
  const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
  outputChannel ??= vscode.window.createOutputChannel('flowc');
  // Every .flow file of the folder belongs to the site: tell the server about files
  // changed outside the editor.
  watcher ??= vscode.workspace.createFileSystemWatcher('**/*.flow');
  // Says which binary runs: the setting, PATH, ~/.cargo/bin or the one bundled in the .vsix.
  outputChannel.appendLine(
    `flowc: starting \`${command} lsp\`${command === bundled ? ' (bundled with the extension)' : ''}`,
  );
  const serverOptions = {
    command,
    args: ['lsp', ...extraArgs.map(String)],
    transport: TransportKind.stdio,
    options: folder ? { cwd: folder } : undefined,
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'flow' },
      { scheme: 'untitled', language: 'flow' },
    ],
    synchronize: { fileEvents: watcher },
    outputChannel,
  };
  // The id `flowc` makes the client honour the `flowc.trace.server` setting.
  const candidate = new LanguageClient('flowc', 'flowc', serverOptions, clientOptions);
  try {
    await candidate.start();
    client = candidate;
  } catch (error) {
    outputChannel.appendLine(`flowc: could not start \`${command} lsp\`: ${error?.message ?? error}`);
    if (error?.code === 'ENOENT') {
      showNotFound(configured);
    } else {
      const choice = await vscode.window.showErrorMessage(
        `flowc: the language server \`${command} lsp\` failed to start: ${error?.message ?? error}`,
        'Show Output',
        'Open Settings',
      );
      if (choice === 'Show Output') outputChannel.show(true);
      if (choice === 'Open Settings') openSettings();
    }
    try {
      await candidate.dispose();
    } catch {
      // nothing to clean up
    }
  }
}

function showNotFound(configured) {
  // Not awaited: activation must not wait for the user to dismiss the message.
  vscode.window.showErrorMessage(notFoundMessage(configured), 'Open Settings', 'Retry').then(
    (choice) => {
      if (choice === 'Open Settings') openSettings();
      if (choice === 'Retry') restart();
    },
    () => {},
  );
}

function openSettings() {
  vscode.commands.executeCommand('workbench.action.openSettings', 'flowc.server.path');
}

module.exports = { activate, deactivate };
