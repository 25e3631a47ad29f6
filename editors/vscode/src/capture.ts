// capture.ts: "heatls: Capture Profile from URL..." and the progress of
// loads that fetch (a capture, a reload).
//
// The URL is asked with an input box that proposes the last one (kept in
// the extension's globalState). A URL that ends in /debug/pprof, the index
// of Go's net/http/pprof, offers a pick of profiles: CPU (then a duration),
// heap, allocs, mutex, block, goroutine. A CPU source also asks for its
// duration; then "once" or "repeat" (capture again back to back until the
// profile is cleared, another one is loaded, or the capture is cancelled).
//
// The load request carries a work-done token of ours, so its $/progress
// ("capturing CPU profile: 12 s of 30", then the bytes received) shows as a
// notification with a Cancel button, which sends
// window/workDoneProgress/cancel. The tokens the server creates (a repeated
// capture's later rounds, a load from the settings) are followed here too,
// rather than by vscode-languageclient, which shows every progress in the
// status bar, where VS Code gives no Cancel button: a cancellable one (a
// fetch) goes in a notification with a Cancel button, which also ends a
// repetition, the others in the status bar.
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  ResponseError,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
  WorkDoneProgressReport,
} from 'vscode-languageclient/node';

import { ProfileSummary } from './status';

const LAST_URL = 'heatls.lastCaptureUrl';
const LAST_SECONDS = 'heatls.lastCaptureSeconds';
/** JSON-RPC's RequestCancelled: the load was cancelled, the profile stays. */
const REQUEST_CANCELLED = -32800;

/** What a capture asks for: heatls.loadProfile's object argument. */
export interface CaptureArgs {
  path: string;
  seconds?: number;
  repeat?: boolean;
}

interface KindItem extends vscode.QuickPickItem {
  segment: string;
  cpu: boolean;
}

const KINDS: KindItem[] = [
  { label: 'CPU', description: 'profile', detail: 'Where the CPU time goes, sampled for a duration', segment: 'profile', cpu: true },
  { label: 'heap', description: 'heap', detail: 'Live memory, by where it was allocated', segment: 'heap', cpu: false },
  { label: 'allocs', description: 'allocs', detail: 'Every allocation since the program started', segment: 'allocs', cpu: false },
  { label: 'mutex', description: 'mutex', detail: 'Where contended mutexes were held', segment: 'mutex', cpu: false },
  { label: 'block', description: 'block', detail: 'Where goroutines blocked on synchronisation', segment: 'block', cpu: false },
  { label: 'goroutine', description: 'goroutine', detail: 'The stacks of all goroutines', segment: 'goroutine', cpu: false },
];

/** Whether url (as the server reads it, go tool pprof's rules) is a CPU profile. */
export function isCpuSource(url: string): boolean {
  const rest = url.replace(/^[a-z+]+:\/\//i, '');
  const slash = rest.indexOf('/');
  const pathPart = slash < 0 ? '' : rest.slice(slash).replace(/[?#].*$/, '');
  return pathPart === '' || pathPart === '/' || /\/profile\/?$/.test(pathPart);
}

/** Asks for what to capture; undefined when the user leaves a step. */
export async function askCapture(state: vscode.Memento): Promise<CaptureArgs | undefined> {
  const last = state.get<string>(LAST_URL, '');
  const typed = await vscode.window.showInputBox({
    title: 'heatls: capture a profile from a URL',
    prompt: 'A running service: localhost:6060 (CPU), http://host:6060/debug/pprof (a pick), ' +
      '.../debug/pprof/heap, https://...',
    value: last,
    placeHolder: 'localhost:6060/debug/pprof',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'A URL, e.g. localhost:6060/debug/pprof'),
  });
  if (!typed) return undefined;
  let url = typed.trim();
  await state.update(LAST_URL, url);

  let cpu = isCpuSource(url);
  if (/\/debug\/pprof\/?$/.test(url)) {
    const kind = await vscode.window.showQuickPick(KINDS, {
      title: 'heatls: which profile',
      placeHolder: `What to capture from ${url}`,
      ignoreFocusOut: true,
    });
    if (!kind) return undefined;
    url = `${url.replace(/\/$/, '')}/${kind.segment}`;
    cpu = kind.cpu;
  }

  const args: CaptureArgs = { path: url };
  if (cpu) {
    const seconds = await vscode.window.showInputBox({
      title: 'heatls: capture for how many seconds',
      prompt: 'The CPU profile samples the service for this long',
      value: String(state.get<number>(LAST_SECONDS, 30)),
      ignoreFocusOut: true,
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 86400
        ? undefined : 'A whole number of seconds, 1 to 86400'),
    });
    if (!seconds) return undefined;
    args.seconds = Number(seconds.trim());
    await state.update(LAST_SECONDS, args.seconds);
  }

  const once = { label: 'Capture once', repeat: false };
  const again = {
    label: 'Capture again and again',
    detail: 'Back to back, each one replacing the last, until the profile is cleared or the capture cancelled',
    repeat: true,
  };
  const how = await vscode.window.showQuickPick([once, again], {
    title: 'heatls: once, or again and again',
    ignoreFocusOut: true,
  });
  if (!how) return undefined;
  if (how.repeat) args.repeat = true;
  return args;
}

let tokens = 0;

/** A report for VS Code's progress from a begin or report value (title dropped). */
function progressStep(value: WorkDoneProgressBegin | WorkDoneProgressReport, reported: { total: number }):
  { message?: string; increment?: number } {
  const message = value.kind === 'begin'
    ? [value.title.replace(/^heatls: /, ''), value.message].filter(Boolean).join(': ')
    : value.message;
  let increment: number | undefined;
  if (typeof value.percentage === 'number') {
    const to = Math.max(0, Math.min(100, value.percentage));
    increment = Math.max(0, to - reported.total);
    reported.total += increment;
  }
  return { message, increment };
}

/**
 * Follows the progress tokens the server creates (window/workDoneProgress/
 * create): a cancellable progress in a notification with a Cancel button,
 * another in the status bar. Call after the client has started: it takes
 * the request over from vscode-languageclient.
 */
export function followServerProgress(client: LanguageClient): vscode.Disposable {
  return client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    let finish: (() => void) | undefined;
    let report: ((value: WorkDoneProgressReport) => void) | undefined;
    let ended = false;
    const listening = client.onProgress(WorkDoneProgress.type, token, (value) => {
      if (value.kind === 'begin') {
        const cancellable = value.cancellable === true;
        void vscode.window.withProgress({
          location: cancellable ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
          title: 'heatls',
          cancellable,
        }, (progress, cancel) => {
          const reported = { total: 0 };
          cancel.onCancellationRequested(() => {
            void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
          });
          progress.report(progressStep(value, reported));
          report = (v) => progress.report(progressStep(v, reported));
          return ended ? Promise.resolve() : new Promise<void>((resolve) => { finish = resolve; });
        });
      } else if (value.kind === 'report') {
        report?.(value);
      } else {
        ended = true;
        listening.dispose();
        finish?.();
      }
    });
    return null;
  });
}

/**
 * Runs a load command of the server (heatls.loadProfile with a URL,
 * heatls.reloadProfile) with its progress in a cancellable notification.
 * Resolves to the summary, or undefined when the load failed (the server
 * has shown why) or was cancelled (said here).
 */
export async function loadWithProgress(client: LanguageClient, command: string,
  args: unknown[]): Promise<ProfileSummary | undefined> {
  const token = `heatls-vscode-${++tokens}`;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'heatls', cancellable: true },
    async (progress, cancel) => {
      const reported = { total: 0 };
      const listening = client.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind !== 'end') progress.report(progressStep(value, reported));
      });
      const cancelling = cancel.onCancellationRequested(() => {
        void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
      });
      try {
        return (await client.sendRequest(ExecuteCommandRequest.type,
          { command, arguments: args, workDoneToken: token })) as ProfileSummary;
      } catch (err) {
        if (err instanceof ResponseError && err.code === REQUEST_CANCELLED) {
          void vscode.window.showInformationMessage(
            'heatls: capture cancelled; the previous profile stays.');
        } else {
          // The server has shown why with window/showMessage already.
          client.outputChannel.appendLine(`${command}: ${err instanceof Error ? err.message : String(err)}`);
        }
        return undefined;
      } finally {
        listening.dispose();
        cancelling.dispose();
      }
    });
}
