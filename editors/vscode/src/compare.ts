// compare.ts: several profiles merged, and a diff against a base.
//
// "heatls: Load Profiles..." picks any number of profiles (a multi-select
// file dialog) and loads them merged (heatls.loadProfile with `paths`);
// "heatls: Compare with Base..." picks the base profiles and whether to
// normalize, and sets them as the loaded profile's base (heatls.compare:
// the loaded profiles are not read again); "heatls: Clear Base" goes back to
// the plain profile. Each command also takes its arguments directly (from a
// keybinding's "args"): Load Profiles a list of paths, Compare with Base
// {base, normalize}. The line colours of a diff are in decorations.ts, the
// status bar's text in status.ts.
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';

import { loadWithProgress } from './capture';
import { ProfileSummary } from './status';

/** What the commands need from the extension. */
export interface CompareHost {
  running(): Promise<LanguageClient | undefined>;
  show(summary: ProfileSummary | null | undefined): void;
}

/** The arguments of "heatls: Compare with Base...". */
export interface CompareArgs {
  base: string | string[];
  normalize?: boolean;
}

const PROFILE_FILTERS = { 'pprof profiles': ['pb.gz', 'pprof', 'prof', 'pb'], 'All files': ['*'] };

export function registerCompare(host: CompareHost): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('heatls.loadProfiles', (arg?: unknown) => loadProfiles(host, arg)),
    vscode.commands.registerCommand('heatls.compareWithBase', (arg?: unknown) => compareWithBase(host, arg)),
    vscode.commands.registerCommand('heatls.clearBase', () => clearBase(host)),
  ];
}

/** Paths from a command's argument: a path, a URI, or a list of them. */
function pathsOf(arg: unknown): string[] | undefined {
  const list = Array.isArray(arg) ? arg : arg === undefined || arg === null ? [] : [arg];
  const paths = list.map((a) => (a instanceof vscode.Uri ? a.fsPath : typeof a === 'string' ? a : ''));
  return paths.length > 0 && paths.every((p) => p !== '') ? paths : undefined;
}

async function pickFiles(title: string, openLabel: string): Promise<string[] | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: true,
    openLabel,
    title,
    filters: PROFILE_FILTERS,
  });
  return picked && picked.length > 0 ? picked.map((u) => u.fsPath) : undefined;
}

/** heatls: Load Profiles... (arg: paths; without them, a file dialog). */
async function loadProfiles(host: CompareHost, arg?: unknown): Promise<ProfileSummary | undefined> {
  const paths = pathsOf(arg) ?? await pickFiles('heatls: load pprof profiles (merged)', 'Load Profiles');
  if (!paths) return undefined;
  const c = await host.running();
  if (!c) return undefined;
  const summary = await loadWithProgress(c, 'heatls.loadProfile', [{ paths }]);
  if (summary) host.show(summary);
  return summary;
}

/** heatls: Compare with Base... (arg: {base, normalize}; without it, asked). */
async function compareWithBase(host: CompareHost, arg?: unknown): Promise<ProfileSummary | undefined> {
  let args: CompareArgs | undefined;
  const given = arg as Partial<CompareArgs> | undefined;
  if (given && pathsOf(given.base)) {
    args = { base: pathsOf(given.base)!, normalize: given.normalize === true };
  } else {
    const base = await pickFiles('heatls: compare with a base profile', 'Compare');
    if (!base) return undefined;
    const how = await vscode.window.showQuickPick([
      { label: 'As they are', description: 'the change of each line in the unit', normalize: false },
      { label: 'Normalized', description: 'the base scaled to the profile\'s total: only the shape changes', normalize: true },
    ], { title: 'heatls: compare with the base', placeHolder: 'How to compare' });
    if (!how) return undefined;
    args = { base, normalize: how.normalize };
  }
  const c = await host.running();
  if (!c) return undefined;
  const summary = await loadWithProgress(c, 'heatls.compare', [args]);
  if (summary) host.show(summary);
  return summary;
}

/** heatls: Clear Base: back to the plain profile (not read again). */
async function clearBase(host: CompareHost): Promise<ProfileSummary | undefined> {
  const c = await host.running();
  if (!c) return undefined;
  const summary = await loadWithProgress(c, 'heatls.compare', []);
  if (summary) host.show(summary);
  return summary;
}
