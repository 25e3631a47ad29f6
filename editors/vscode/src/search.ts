// search.ts: "heatls: Search Hot Code..." (heatls.searchHotCode).
//
// Asks for a pattern in a quick pick that lists the last patterns, runs the
// server's heatls.search (docs/search.md) with a cancellable progress
// notification, and shows the matches: in a quick pick that gives each
// match's heat ("G5 L5 0.86s" and its first line, "main.go:27" beside it)
// and opens the one picked, or in the references peek (setting
// heatls.search.results). The kind and the level go before the pattern as
// prefixes: "re:" a regex, "q:" a tree-sitter query, "all:" every match
// (no heat filter), "G3:" at least level 3, "file:" the current file only;
// e.g. "G3: re: \bappend\(".
import * as path from 'path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient } from 'vscode-languageclient/node';

const HISTORY_KEY = 'heatls.searchHistory';
const HISTORY_SIZE = 20;

/** The argument of heatls.search (docs/protocol.md). */
export interface SearchArgs {
  pattern: string;
  kind: 'pattern' | 'query' | 'regex';
  minLevel: number;
  scope: string; // "workspace" or a document's URI
  language?: string;
  hot?: string;
  local?: boolean;
  cold?: boolean;
  limit?: number;
}

/** One match of heatls.search's answer. */
export interface SearchMatch {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
  global: number;
  local: number;
  cum: number;
  cumText: string;
}

/** What the command takes from a keybinding or a script instead of asking. */
export interface SearchCommandArgs extends Partial<SearchArgs> {
  pattern: string;
  /** "quickPick", "references", or "none" (only return the matches). */
  show?: string;
}

interface MatchItem extends vscode.QuickPickItem {
  match?: SearchMatch;
}

/**
 * A typed query with its prefixes read: the pattern and the arguments they
 * set, or a message saying what is wrong.
 */
export function parseQuery(typed: string, minLevel: number):
  { args?: Omit<SearchArgs, 'scope'> & { thisFile: boolean }; error?: string } {
  let rest = typed.trim();
  let kind: SearchArgs['kind'] = 'pattern';
  let level = minLevel;
  let thisFile = false;
  for (;;) {
    const m = /^(re|regex|q|query|all|file|G[0-5]):\s*/.exec(rest);
    if (!m) break;
    const p = m[1];
    if (p === 're' || p === 'regex') kind = 'regex';
    else if (p === 'q' || p === 'query') kind = 'query';
    else if (p === 'all') level = 0;
    else if (p === 'file') thisFile = true;
    else level = Number(p.slice(1));
    rest = rest.slice(m[0].length);
  }
  if (!rest) return { error: 'heatls: type a pattern, e.g. fmt.Errorf($_)' };
  return { args: { pattern: rest, kind, minLevel: level, thisFile } };
}

/** "G5 L5 0.86s", or "" for a line the profile has no time on. */
export function heatLabel(m: SearchMatch): string {
  if (!m.cum && !m.global && !m.local) return '';
  return `G${m.global} L${m.local} ${m.cumText ?? m.cum}`;
}

function toRange(r: SearchMatch['range']): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

async function open(m: SearchMatch): Promise<void> {
  const range = toRange(m.range);
  await vscode.window.showTextDocument(vscode.Uri.parse(m.uri), {
    selection: new vscode.Selection(range.start, range.end),
    preview: true,
  });
}

/** The matches in a quick pick, the hottest first; opens the one picked. */
async function pickMatch(matches: SearchMatch[], title: string): Promise<void> {
  const items: MatchItem[] = [...matches]
    .sort((a, b) => b.global - a.global || b.cum - a.cum)
    .map((m) => {
      const file = vscode.Uri.parse(m.uri);
      const heat = heatLabel(m);
      return {
        label: heat ? `${heat}  ${m.text}` : m.text,
        description: `${path.basename(file.fsPath)}:${m.range.start.line + 1}`,
        detail: vscode.workspace.asRelativePath(file),
        match: m,
      };
    });
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`${title}: no match.`);
    return;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Matches, hottest first (global level, local level, cum time, code)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked?.match) await open(picked.match);
}

/** The matches in the references peek, at the first one. */
async function showReferences(matches: SearchMatch[], title: string): Promise<void> {
  if (matches.length === 0) {
    void vscode.window.showInformationMessage(`${title}: no match.`);
    return;
  }
  const locations = matches.map((m) => new vscode.Location(vscode.Uri.parse(m.uri), toRange(m.range)));
  await vscode.commands.executeCommand('editor.action.showReferences',
    locations[0].uri, locations[0].range.start, locations);
}

/** Asks for a pattern; the last ones are offered. undefined when dismissed. */
async function askPattern(history: string[]): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  pick.title = 'heatls: search hot code';
  pick.placeholder = 'fmt.Errorf($_) · prefixes: re: (regex), q: (query), all: (every match), G3: (level), file: (this file)';
  const recent = history.map((h) => ({ label: h, description: 'recent' }));
  pick.items = recent;
  pick.onDidChangeValue((value) => {
    // The typed text first, so that Enter searches for it; the history below.
    pick.items = value ? [{ label: value, description: 'search' }, ...recent.filter((r) => r.label !== value)]
      : recent;
  });
  return new Promise((resolve) => {
    let done = false;
    pick.onDidAccept(() => {
      done = true;
      // A recent pattern is taken when it is the one picked and has the text
      // typed in it; else the text typed (Enter may land before the list
      // catches up with the typing).
      const chosen = pick.selectedItems[0]?.label;
      const typed = pick.value;
      resolve(chosen !== undefined && (!typed || chosen.includes(typed)) ? chosen : typed);
      pick.hide();
    });
    pick.onDidHide(() => {
      if (!done) resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/**
 * Runs heatls.search with a cancellable progress notification. Resolves to
 * the matches, or undefined when cancelled or failed (the error is shown).
 */
export async function runSearch(c: LanguageClient, args: SearchArgs): Promise<SearchMatch[] | undefined> {
  return vscode.window.withProgress({
    location: vscode.ProgressLocation.Notification,
    title: `heatls: searching for ${args.pattern}`,
    cancellable: true,
  }, async (_progress, token) => {
    try {
      return (await c.sendRequest(ExecuteCommandRequest.type,
        { command: 'heatls.search', arguments: [args] }, token)) as SearchMatch[];
    } catch (err) {
      if (!token.isCancellationRequested) {
        void vscode.window.showErrorMessage(`heatls: ${err instanceof Error ? err.message : String(err)}`);
      }
      return undefined;
    }
  });
}

/**
 * Registers heatls.searchHotCode. running() gives the started client (or
 * undefined after saying why not). The command returns the matches.
 */
export function registerSearch(context: vscode.ExtensionContext,
  running: () => Promise<LanguageClient | undefined>): void {
  context.subscriptions.push(vscode.commands.registerCommand('heatls.searchHotCode',
    async (given?: SearchCommandArgs): Promise<SearchMatch[] | undefined> => {
      const config = vscode.workspace.getConfiguration('heatls.search');
      const history = context.globalState.get<string[]>(HISTORY_KEY, []);
      let args: SearchArgs;
      let show = config.get<string>('results', 'quickPick');
      if (given && typeof given.pattern === 'string') {
        args = { kind: 'pattern', minLevel: config.get<number>('minLevel', 1), scope: 'workspace', ...given };
        delete (args as Partial<SearchCommandArgs>).show;
        show = given.show ?? show;
      } else {
        const typed = await askPattern(history);
        if (typed === undefined) return undefined;
        const parsed = parseQuery(typed, config.get<number>('minLevel', 1));
        if (!parsed.args) {
          void vscode.window.showErrorMessage(parsed.error ?? 'heatls: no pattern');
          return undefined;
        }
        await context.globalState.update(HISTORY_KEY,
          [typed.trim(), ...history.filter((h) => h !== typed.trim())].slice(0, HISTORY_SIZE));
        const { thisFile, ...rest } = parsed.args;
        const editor = vscode.window.activeTextEditor;
        if (thisFile && !editor) {
          void vscode.window.showErrorMessage('heatls: "file:" searches the active editor, and none is open.');
          return undefined;
        }
        args = { ...rest, scope: thisFile && editor ? editor.document.uri.toString() : 'workspace' };
      }
      const c = await running();
      if (!c) return undefined;
      const matches = await runSearch(c, args);
      if (!matches) return undefined;
      const title = `heatls: ${matches.length} match${matches.length === 1 ? '' : 'es'} of ${args.pattern}`;
      if (show === 'references') await showReferences(matches, title);
      else if (show !== 'none') await pickMatch(matches, title);
      return matches;
    }));
}
