// extension.ts: the heatls client for VS Code.
//
// Starts `heatls --stdio` (setting heatls.path) through vscode-languageclient
// for every file: document, and adds what plain LSP does not carry: line
// colours from the heatls/decorations notification, a status bar item naming
// the loaded profile, and the palette commands (capture.ts asks what to
// capture from a URL and shows the progress of fetching loads).
//
// vscode-languageclient registers each command of the server's
// executeCommandProvider (heatls.loadProfile, heatls.clearProfile,
// heatls.hotspots, heatls.status, heatls.reloadProfile, heatls.search, heatls.compare) as a VS Code command
// of the same id, so
// the palette commands here have ids of their own and send
// workspace/executeCommand themselves.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';

import { askCapture, CaptureArgs, followServerProgress, loadWithProgress } from './capture';
import { registerCompare } from './compare';
import { DecorationsParams, HeatDecorations } from './decorations';
import { Hotspot, pickHotspot } from './hotspots';
import { loadFromPyroscope, PyroscopeArgs } from './pyroscope';
import { registerSearch } from './search';
import { ProfileStatus, ProfileSummary } from './status';

const SECTION = 'heatls';
/** The settings the server reads (docs/protocol.md); path and gutter are ours. */
const SERVER_SETTINGS = ['profile', 'base', 'normalize', 'threshold', 'localScope', 'sampleType', 'hints',
  'pathMappings', 'watch', 'logLevel', 'seconds', 'timeout', 'caFile', 'clientCert',
  'clientKey', 'headers', 'goroot', 'gomodcache', 'rules', 'disabledRules'];
const HINT_MODES = ['both', 'global', 'local', 'off'];

let client: LanguageClient | undefined;
let starting: Promise<LanguageClient | undefined> | undefined;
let decorations: HeatDecorations;
let status: ProfileStatus;
let statusTimer: NodeJS.Timeout | undefined;
let globalState: vscode.Memento;

export function activate(context: vscode.ExtensionContext): void {
  const config = vscode.workspace.getConfiguration(SECTION);
  decorations = new HeatDecorations(context.extensionPath, config.get<boolean>('gutter', false));
  status = new ProfileStatus();
  globalState = context.globalState;
  context.subscriptions.push(decorations, status);

  context.subscriptions.push(
    vscode.commands.registerCommand('heatls.pickAndLoadProfile', loadProfile),
    vscode.commands.registerCommand('heatls.captureProfile', captureProfile),
    vscode.commands.registerCommand('heatls.loadFromPyroscope', pyroscopeProfile),
    vscode.commands.registerCommand('heatls.reload', reloadProfile),
    vscode.commands.registerCommand('heatls.clear', clearProfile),
    vscode.commands.registerCommand('heatls.showHotspots', showHotspots),
    vscode.commands.registerCommand('heatls.toggleLevel', toggleLevel),
    ...registerCompare({ running, show: (summary) => status.show(summary) }),
    vscode.window.onDidChangeVisibleTextEditors(() => decorations.applyAll()),
    vscode.workspace.onDidCloseTextDocument((doc) => decorations.forget(doc.uri)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('heatls.gutter')) {
        decorations.setGutter(vscode.workspace.getConfiguration(SECTION).get('gutter', false));
      }
      if (e.affectsConfiguration('heatls.path')) void restart();
    }),
    { dispose: () => void stop() },
  );
  registerSearch(context, running);

  // Not awaited: activation (and so every command) must not wait for a
  // server that is slow to answer initialize.
  void start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** The settings object for the server: initializationOptions. */
function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_SETTINGS) {
    const value = config.get(key);
    if (value !== undefined && value !== null) settings[key] = value;
  }
  return settings;
}

/** heatls.path with a leading ~/ expanded; a bare name is looked up on PATH. */
function serverCommand(): string {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>('path', '').trim();
  if (!configured) return 'heatls';
  if (configured.startsWith('~/')) return path.join(os.homedir(), configured.slice(2));
  return configured;
}

function start(): Promise<LanguageClient | undefined> {
  starting = (async () => {
    const serverOptions: ServerOptions = {
      command: serverCommand(),
      transport: TransportKind.stdio, // adds --stdio
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }],
      synchronize: { configurationSection: SECTION },
      initializationOptions: serverSettings,
    };
    const c = new LanguageClient('heatls', 'heatls', serverOptions, clientOptions);
    c.onNotification('heatls/decorations', (params: DecorationsParams) => {
      decorations.update(params);
      // A load from the settings, a reload after the file changed or a clear
      // all come with decorations: the status bar follows them.
      scheduleStatus();
    });
    c.onDidChangeState((e) => {
      if (e.newState === State.Stopped) {
        decorations.clear();
        status.show(null);
      }
    });
    try {
      await c.start();
    } catch (err) {
      void vscode.window.showErrorMessage(
        `heatls: could not start "${serverCommand()}" (setting heatls.path): ${message(err)}`);
      return undefined;
    }
    client = c;
    followServerProgress(c);
    refreshStatus();
    return c;
  })();
  return starting;
}

async function stop(): Promise<void> {
  const c = client ?? (await starting);
  client = undefined;
  starting = undefined;
  if (c && c.isRunning()) await c.stop();
  decorations?.clear();
  status?.show(null);
}

async function restart(): Promise<void> {
  await stop();
  // Not awaited: activation (and so every command) must not wait for a
  // server that is slow to answer initialize.
  void start();
}

/** The running client, or undefined after telling the user why not. */
async function running(): Promise<LanguageClient | undefined> {
  let c = client;
  if (!c) {
    const pending = starting ?? start();
    c = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'heatls: starting the server' },
      () => pending);
  }
  if (!c || !c.isRunning()) {
    void vscode.window.showErrorMessage(
      `heatls: the server is not running (setting heatls.path: "${serverCommand()}").`);
    return undefined;
  }
  return c;
}

/** workspace/executeCommand on the server. */
async function execute<T>(c: LanguageClient, command: string, args: unknown[] = []): Promise<T> {
  return (await c.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
}

function scheduleStatus(): void {
  if (statusTimer) clearTimeout(statusTimer);
  statusTimer = setTimeout(refreshStatus, 200);
}

function refreshStatus(): void {
  const c = client;
  if (!c || !c.isRunning()) return;
  execute<ProfileSummary | null>(c, 'heatls.status').then(
    (summary) => status.show(summary),
    () => undefined);
}

/** heatls: Load Profile. arg: a path or a file URI; without one, a file dialog. */
async function loadProfile(arg?: string | vscode.Uri): Promise<ProfileSummary | undefined> {
  let file: string | undefined;
  if (arg instanceof vscode.Uri) file = arg.fsPath;
  else if (typeof arg === 'string' && arg) file = arg;
  else {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      openLabel: 'Load Profile',
      title: 'heatls: load a pprof profile',
      filters: { 'pprof profiles': ['pb.gz', 'pprof', 'prof', 'pb'], 'All files': ['*'] },
    });
    if (!picked || picked.length === 0) return undefined;
    file = picked[0].fsPath;
  }
  const c = await running();
  if (!c) return undefined;
  try {
    const summary = await execute<ProfileSummary>(c, 'heatls.loadProfile', [file]);
    status.show(summary);
    return summary;
  } catch (err) {
    // The server has shown why with window/showMessage already.
    c.outputChannel.appendLine(`heatls.loadProfile ${file}: ${message(err)}`);
    return undefined;
  }
}

/**
 * heatls: Capture Profile from URL... arg: heatls.loadProfile's object
 * ({path, seconds, repeat}), e.g. from a keybinding; without one, asked.
 */
async function captureProfile(arg?: CaptureArgs): Promise<ProfileSummary | undefined> {
  const args = arg && typeof arg.path === 'string' ? arg : await askCapture(globalState);
  if (!args) return undefined;
  const c = await running();
  if (!c) return undefined;
  const summary = await loadWithProgress(c, 'heatls.loadProfile', [args]);
  if (summary) status.show(summary);
  return summary;
}

/** heatls: Load from Pyroscope... (pyroscope.ts); arg loads without asking. */
async function pyroscopeProfile(arg?: PyroscopeArgs): Promise<ProfileSummary | undefined> {
  const c = await running();
  if (!c) return undefined;
  const summary = await loadFromPyroscope(c, globalState, arg);
  if (summary) status.show(summary);
  return summary;
}

/** heatls: Reload Profile: the loaded profile's source again (a URL: captured again). */
async function reloadProfile(): Promise<ProfileSummary | undefined> {
  const c = await running();
  if (!c) return undefined;
  const summary = await loadWithProgress(c, 'heatls.reloadProfile', []);
  if (summary) status.show(summary);
  return summary;
}

/** heatls: Clear Profile. */
async function clearProfile(): Promise<void> {
  const c = await running();
  if (!c) return;
  await execute<null>(c, 'heatls.clearProfile');
  status.show(null);
}

/** heatls: Show Hotspots. */
async function showHotspots(): Promise<void> {
  const c = await running();
  if (!c) return;
  let hotspots: Hotspot[];
  try {
    hotspots = await execute<Hotspot[]>(c, 'heatls.hotspots', [{ limit: 200 }]);
  } catch (err) {
    void vscode.window.showInformationMessage(`heatls: ${message(err)}`);
    return;
  }
  await pickHotspot(hotspots ?? []);
}

/** heatls: Toggle Level: heatls.hints both -> global -> local -> off -> both. */
async function toggleLevel(): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const current = config.get<string>('hints', 'both');
  const next = HINT_MODES[(HINT_MODES.indexOf(current) + 1) % HINT_MODES.length];
  // Write where the value comes from: the workspace when it sets one.
  const inspected = config.inspect<string>('hints');
  const target = inspected?.workspaceValue !== undefined
    ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('hints', next, target);
  const what = next === 'off' ? 'no heat shown' : next === 'local' ? 'local levels'
    : next === 'global' ? 'global levels' : 'global levels, hints with both';
  vscode.window.setStatusBarMessage(`heatls: ${what}`, 3000);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
