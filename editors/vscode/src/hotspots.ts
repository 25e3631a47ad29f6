// hotspots.ts: the "heatls: Show Hotspots" quick pick.
//
// Lists the answer of heatls.hotspots, hottest first, as
// "G5 L4 2.50s main.(*Counter).Add" with "count.go:42" beside it, and opens
// the line picked: the local file (uri) when the server mapped one, else the
// profile's path when it exists here.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

/** One entry of the heatls.hotspots answer (0-based line). */
export interface Hotspot {
  path: string;
  uri?: string;
  line: number;
  local: number;
  global: number;
  flat: number;
  cum: number;
  flatText?: string;
  cumText?: string;
  function: string;
  /** In a diff: the change of cum and the line's own change. */
  cumDeltaText?: string;
  own?: string;
}

interface HotspotItem extends vscode.QuickPickItem {
  hotspot: Hotspot;
}

export function hotspotLabel(h: Hotspot): string {
  if (h.cumDeltaText !== undefined) {
    // A diff: signed levels and the change, as the inlay hints write them.
    const lvl = (n: number) => (n > 0 ? `+${n}` : String(n));
    return `G${lvl(h.global)} L${lvl(h.local)} ${h.cumDeltaText} (${h.own}) ${h.function}`;
  }
  return `G${h.global} L${h.local} ${h.cumText ?? h.cum} ${h.function}`;
}

export async function pickHotspot(hotspots: Hotspot[]): Promise<void> {
  if (hotspots.length === 0) {
    void vscode.window.showInformationMessage('heatls: the profile has no lines to show.');
    return;
  }
  const items: HotspotItem[] = hotspots.map((h) => ({
    label: hotspotLabel(h),
    description: `${path.basename(h.path)}:${h.line + 1}`,
    detail: h.uri ? vscode.Uri.parse(h.uri).fsPath : `${h.path} (no local file)`,
    hotspot: h,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'heatls: hotspots',
    placeHolder: 'The hottest lines of the profile (global level, local level, cum, function)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked) await open(picked.hotspot);
}

async function open(h: Hotspot): Promise<void> {
  let uri: vscode.Uri | undefined;
  if (h.uri) uri = vscode.Uri.parse(h.uri);
  else if (fs.existsSync(h.path)) uri = vscode.Uri.file(h.path);
  if (!uri) {
    void vscode.window.showWarningMessage(
      `heatls: ${h.path} is not a file here (add a heatls.pathMappings entry).`);
    return;
  }
  const position = new vscode.Position(Math.max(0, h.line), 0);
  await vscode.window.showTextDocument(uri, {
    selection: new vscode.Range(position, position),
    preview: true,
  });
}
