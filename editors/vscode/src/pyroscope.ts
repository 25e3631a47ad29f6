// pyroscope.ts: "heatls: Load from Pyroscope...", a merged profile from a
// Grafana Pyroscope server.
//
// The server's URL is asked with an input box that proposes the last one
// (kept in globalState; http://user:password@host:4040?tenant=team-a for
// basic auth and a tenant). heatls.pyroscopeServices then says what the
// server has, for two quick picks: the service, then the profile type
// (by its short name when it has one). Then the range: the last 15
// minutes, hour, 6 hours, 24 hours, or custom (from and until as the
// server reads them: now-2h, unix seconds, RFC 3339). The load is
// heatls.loadProfile with a pyroscope+http(s):// source
// (docs/protocol.md, "Profiles from Pyroscope"), with its progress in a
// cancellable notification as a capture's. The status bar then shows
// "pyroscope: checkout cpu now-1h".
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient } from 'vscode-languageclient/node';

import { loadWithProgress } from './capture';
import { ProfileSummary } from './status';

const LAST_SERVER = 'heatls.lastPyroscopeServer';

/** What to load; every member given: nothing is asked (keybindings, tests). */
export interface PyroscopeArgs {
  server: string;
  service: string;
  type: string;
  from: string;
  until?: string;
}

/** heatls.pyroscopeServices' answer. */
interface ServerHas {
  services: string[];
  types: { id: string; name: string | null }[];
}

/** The pyroscope+ source for args: the server (http(s):// or pyroscope+http(s)://, maybe with ?tenant=). */
export function pyroscopeSource(args: PyroscopeArgs): string {
  const [base, query = ''] = args.server.split('?', 2);
  const params = query ? [query] : [];
  for (const [key, value] of [['service', args.service], ['type', args.type], ['from', args.from],
    ['until', args.until]] as const) {
    if (value) params.push(`${key}=${encodeURIComponent(value)}`);
  }
  const scheme = base.startsWith('pyroscope+') ? '' : 'pyroscope+';
  return `${scheme}${base.replace(/\/+$/, '')}/?${params.join('&')}`;
}

interface RangeItem extends vscode.QuickPickItem {
  from?: string;
}

const RANGES: RangeItem[] = [
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last hour', from: 'now-1h' },
  { label: 'Last 6 hours', from: 'now-6h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Custom...', detail: 'from and until: now-2h, unix seconds or RFC 3339' },
];

/** Asks for what to load; undefined when the user leaves a step or the server cannot say. */
async function askPyroscope(client: LanguageClient, state: vscode.Memento): Promise<PyroscopeArgs | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'heatls: load from Pyroscope',
    prompt: 'The Pyroscope server: http://host:4040, http://user:password@host:4040?tenant=team-a',
    value: state.get<string>(LAST_SERVER, 'http://localhost:4040'),
    ignoreFocusOut: true,
    validateInput: (v) => (/^(pyroscope\+)?https?:\/\/./.test(v.trim()) ? undefined
      : 'An http:// or https:// URL, e.g. http://localhost:4040'),
  });
  if (!typed) return undefined;
  const server = typed.trim();
  await state.update(LAST_SERVER, server);

  let has: ServerHas;
  try {
    has = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'heatls: asking Pyroscope what it has' },
      () => client.sendRequest(ExecuteCommandRequest.type,
        { command: 'heatls.pyroscopeServices', arguments: [server] }) as Promise<ServerHas>);
  } catch (err) {
    void vscode.window.showErrorMessage(`heatls: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  if (!has.services.length) {
    void vscode.window.showWarningMessage('heatls: the server has no services in the last 24 hours.');
    return undefined;
  }
  const service = await vscode.window.showQuickPick(has.services, {
    title: 'heatls: which service', ignoreFocusOut: true,
  });
  if (!service) return undefined;
  const type = await vscode.window.showQuickPick(
    has.types.map((t) => ({ label: t.name ?? t.id, description: t.name ? t.id : undefined, id: t.id })),
    { title: 'heatls: which profile type', ignoreFocusOut: true });
  if (!type) return undefined;
  const range = await vscode.window.showQuickPick(RANGES, { title: 'heatls: which range', ignoreFocusOut: true });
  if (!range) return undefined;
  const args: PyroscopeArgs = { server, service, type: type.label, from: range.from ?? '' };
  if (!range.from) {
    const from = await vscode.window.showInputBox({
      title: 'heatls: from', value: 'now-2h', ignoreFocusOut: true,
      prompt: 'now-2h, unix seconds or milliseconds, or RFC 3339 (2024-12-06T04:00:00Z)',
    });
    if (!from) return undefined;
    const until = await vscode.window.showInputBox({
      title: 'heatls: until', value: 'now', ignoreFocusOut: true,
      prompt: 'now, now-1h, unix seconds or milliseconds, or RFC 3339',
    });
    if (until === undefined) return undefined;
    args.from = from.trim();
    if (until.trim() && until.trim() !== 'now') args.until = until.trim();
  }
  return args;
}

/**
 * heatls: Load from Pyroscope... arg (every member of PyroscopeArgs) loads
 * without asking. Resolves to the summary, or undefined.
 */
export async function loadFromPyroscope(client: LanguageClient, state: vscode.Memento,
  arg?: PyroscopeArgs): Promise<ProfileSummary | undefined> {
  const args = arg && arg.server && arg.service && arg.type && arg.from ? arg : await askPyroscope(client, state);
  if (!args) return undefined;
  return loadWithProgress(client, 'heatls.loadProfile', [{ path: pyroscopeSource(args) }]);
}
