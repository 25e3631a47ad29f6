// status.ts: the status bar item that names the loaded profile.
//
// Shows "<file> · <sample type> <total>" while a profile is loaded, or
// "live: 127.0.0.1:6060 cpu 30s · ..." for a capture, "pyroscope: checkout
// cpu now-1h · ..." for a Pyroscope query (from the
// answer of heatls.loadProfile or heatls.status) and hides otherwise. A click
// shows the hotspots.
import * as path from 'path';
import * as vscode from 'vscode';

/** The summary heatls.loadProfile and heatls.status answer with. */
export interface ProfileSummary {
  path: string;
  sampleType: string;
  unit?: string;
  total?: number;
  totalText?: string;
  files?: number;
  functions?: number;
  lines?: number;
  documents?: number;
  threshold?: number;
  localScope?: string;
}

/**
 * The source for the status bar: a file's base name, or a URL or Pyroscope
 * source as the server names it ("live: 127.0.0.1:6060 cpu 30s",
 * "pyroscope: checkout cpu now-1h"), whole.
 */
export function sourceName(source: string): string {
  return source.startsWith('live: ') || source.startsWith('pyroscope: ') ? source : path.basename(source);
}

export class ProfileStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem(
      'heatls.profile', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'heatls profile';
    this.item.command = 'heatls.showHotspots';
  }

  /** Shows summary, or hides the item when it is null. */
  show(summary: ProfileSummary | null | undefined): void {
    if (!summary || !summary.path) {
      this.item.hide();
      return;
    }
    const total = summary.totalText ?? (summary.total !== undefined ? String(summary.total) : '');
    this.item.text = `$(flame) ${sourceName(summary.path)} · ${summary.sampleType} ${total}`.trim();
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`heatls: ${summary.path}\n\n`);
    tooltip.appendText(`${summary.sampleType} (${summary.unit ?? '?'}), total ${total}\n\n`);
    if (summary.files !== undefined) {
      tooltip.appendText(`${summary.files} files, ${summary.functions} functions, ` +
        `${summary.lines} lines; ${summary.documents} open documents shown\n\n`);
    }
    if (summary.threshold !== undefined) {
      tooltip.appendText(`threshold ${summary.threshold}, local scope ${summary.localScope}\n\n`);
    }
    tooltip.appendText('Click for the hotspots.');
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
