'use strict';
// Re-applies the `[flow]` indentation defaults (package.json `configurationDefaults`: two
// spaces) to .flow editors whose text model was created before VS Code registered them.
//
// Why: VS Code (seen in code-server 4.100.3 = VS Code 1.100.3) creates the models of the
// editors it restores at startup before the extension's contributions are registered.
// Registering language-specific defaults fires a configuration change whose affected keys
// are only `[flow]`, not `editor.tabSize` (the default configuration model is updated in
// place, so comparing old with new finds no difference), so the model service never
// re-reads the options of models that already exist: a restored .flow file kept the global
// default, "Spaces: 4", until it was closed and opened again. A file opened later was fine.
// Activation comes after registration, so from here the defaults are known.

/**
 * The editor options that make VS Code settle a .flow editor's indentation as it would for a
 * file opened now: `'auto'` re-runs indentation detection against the current defaults (the
 * text decides when it is indented; the `[flow]` defaults when it is not); with detection
 * off, the configured values themselves.
 *
 * @param {{get: (key: string) => unknown}} editorConfiguration `workspace.getConfiguration('editor', document)`
 */
function indentationOptions(editorConfiguration) {
  if (editorConfiguration.get('detectIndentation') === false) {
    return {
      tabSize: editorConfiguration.get('tabSize'),
      insertSpaces: editorConfiguration.get('insertSpaces'),
    };
  }
  return { tabSize: 'auto', insertSpaces: 'auto' };
}

/**
 * Settles the indentation of every .flow editor once per opened document: now for the visible
 * ones, later for those shown later. Once per document, so that a choice the user makes in
 * the status bar afterwards is left alone.
 *
 * @param {typeof import('vscode')} vscode
 * @returns {import('vscode').Disposable[]}
 */
function settleFlowIndentation(vscode) {
  const settled = new Set();
  const settle = (editors) => {
    for (const editor of editors) {
      const document = editor.document;
      if (document.languageId !== 'flow') continue;
      const key = document.uri.toString();
      if (settled.has(key)) continue;
      settled.add(key);
      editor.options = indentationOptions(vscode.workspace.getConfiguration('editor', document));
    }
  };
  settle(vscode.window.visibleTextEditors);
  return [
    vscode.window.onDidChangeVisibleTextEditors(settle),
    vscode.workspace.onDidCloseTextDocument((document) => settled.delete(document.uri.toString())),
  ];
}

module.exports = { indentationOptions, settleFlowIndentation };
