// The probe of tests/clients/vscode/search.test.mjs: the page cannot call the
// extension API, so "heatls probe: Dump State" writes what it says to the
// file named by HEATLS_PROBE_OUT (in code-server's environment): every
// diagnostic of vscode.languages.getDiagnostics() and the active editor's
// document and selection. Written to a temporary name, then renamed, so that
// the test never reads half a file. Two more commands set the user setting
// heatls.search.results (a settings.json written behind code-server's back
// is not read again).
const fs = require('fs');
const vscode = require('vscode');

function position(p) {
  return { line: p.line, character: p.character };
}

function dump() {
  const out = process.env.HEATLS_PROBE_OUT;
  if (!out) return;
  const diagnostics = vscode.languages.getDiagnostics().map(([uri, list]) => ({
    path: uri.fsPath,
    diagnostics: list.map((d) => ({
      line: d.range.start.line,
      message: d.message,
      source: d.source,
      code: typeof d.code === 'object' && d.code !== null ? d.code.value : d.code,
      severity: d.severity,
    })),
  }));
  const editor = vscode.window.activeTextEditor;
  const state = {
    time: Date.now(),
    diagnostics,
    editor: editor && {
      path: editor.document.uri.fsPath,
      start: position(editor.selection.start),
      end: position(editor.selection.end),
      dirty: editor.document.isDirty,
    },
  };
  fs.writeFileSync(`${out}.tmp`, JSON.stringify(state));
  fs.renameSync(`${out}.tmp`, out);
}

exports.activate = (context) => {
  const results = (value) => () => vscode.workspace.getConfiguration('heatls.search')
    .update('results', value, vscode.ConfigurationTarget.Global);
  context.subscriptions.push(
    vscode.commands.registerCommand('heatlsProbe.dump', dump),
    vscode.commands.registerCommand('heatlsProbe.references', results('references')),
    vscode.commands.registerCommand('heatlsProbe.quickPick', results('quickPick')),
  );
};
exports.deactivate = () => undefined;
