// status.ts: the status bar item that names the loaded profile.
//
// Shows "<file> · <sample type> <total>" while a profile is loaded, or
// "live: 127.0.0.1:6060 cpu 30s · ..." for a capture (from the
// answer of heatls.loadProfile or heatls.status) and hides otherwise; in a
// diff, "heatls: 2 profiles vs base.pb.gz, net +7.40s (+9.98%)". A click
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
  /** The profiles merged (their names); several when more than one. */
  paths?: string[];
  /** A diff against a base (docs/protocol.md). */
  diff?: boolean;
  base?: string[];
  normalize?: boolean;
  baseTotalText?: string;
  netText?: string;
  netPercent?: number;
  regressions?: number;
  improvements?: number;
}

/** "cpu.pb.gz", or "3 profiles" for several. */
function profilesName(paths: string[] | undefined, first: string, one: string): string {
  const n = paths?.length ?? 1;
  return n > 1 ? `${n} ${one}s` : sourceName(paths?.[0] ?? first);
}

/** The status bar's text for a diff: "heatls: a.pb.gz vs base.pb.gz, net +1.80s (+6.20%)". */
export function diffText(s: ProfileSummary): string {
  const percent = s.netPercent ?? 0;
  const base = profilesName(s.base, '', 'base');
  return `heatls: ${profilesName(s.paths, s.path, 'profile')} vs ${base}, ` +
    `net ${s.netText ?? '?'} (${percent >= 0 ? '+' : ''}${percent.toFixed(2)}%)`;
}

/**
 * The source for the status bar: a file's base name, or a URL source as the
 * server names it ("live: 127.0.0.1:6060 cpu 30s"), whole.
 */
export function sourceName(source: string): string {
  return source.startsWith('live: ') ? source : path.basename(source);
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
    const several = (summary.paths?.length ?? 1) > 1;
    this.item.text = summary.diff ? `$(diff) ${diffText(summary)}`
      : `$(flame) ${several ? profilesName(summary.paths, summary.path, 'profile') : sourceName(summary.path)}` +
        ` · ${summary.sampleType} ${total}`.trimEnd();
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`heatls: ${(summary.paths ?? [summary.path]).join(', ')}\n\n`);
    if (summary.diff) {
      tooltip.appendText(`compared with ${(summary.base ?? []).join(', ')}` +
        `${summary.normalize ? ' (normalized)' : ''}: base total ${summary.baseTotalText}, ` +
        `${summary.regressions} lines up, ${summary.improvements} down\n\n`);
    }
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
