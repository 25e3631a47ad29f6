// decorations.ts: paints the heatls/decorations notification into editors.
//
// The server sends, per document, every line with a level above 0 and the
// `mode` (the hints setting). A line is painted with its global level, its
// local level when the mode is "local", and not at all when it is "off".
// In a diff against a base, levels are signed: 1..5 (regressions) take the
// heat colours heatls.level1..5Background, -1..-5 (improvements) the cool
// colours heatls.improvement1..5Background, by the size of the level.
// The last notification per URI is kept, so editors that become visible later
// are painted too.
import * as path from 'path';
import * as vscode from 'vscode';

/** One line of a heatls/decorations notification (0-based line). */
export interface HeatLine {
  line: number;
  local: number;
  global: number;
  flat: number;
  cum: number;
  /** In a diff: the base's values and the changes (new minus base). */
  baseFlat?: number;
  baseCum?: number;
  flatDelta?: number;
  cumDelta?: number;
}

/** The params of the heatls/decorations notification. */
export interface DecorationsParams {
  uri: string;
  version?: number;
  mode?: 'both' | 'global' | 'local' | 'off';
  /** A diff: levels are signed. */
  diff?: boolean;
  lines: HeatLine[];
}

export const LEVELS = 5;

/**
 * The level a line is painted with under mode: 1..5 with the heat colours,
 * -1..-5 (a diff's improvements) with the improvement colours, 0: not
 * painted.
 */
export function paintLevel(line: HeatLine, mode: DecorationsParams['mode']): number {
  const level = mode === 'off' ? 0 : mode === 'local' ? line.local : line.global;
  return Math.max(-LEVELS, Math.min(LEVELS, Math.trunc(level || 0)));
}

/** The theme colour of a painted level (paintLevel, not 0). */
export function levelColour(level: number): string {
  return level > 0 ? `heatls.level${level}Background` : `heatls.improvement${-level}Background`;
}

export class HeatDecorations implements vscode.Disposable {
  private types: vscode.TextEditorDecorationType[] = [];
  private readonly byUri = new Map<string, DecorationsParams>();

  constructor(private readonly extensionPath: string, private gutter: boolean) {
    this.createTypes();
  }

  /** Recreates the decoration types when the gutter setting changes. */
  setGutter(gutter: boolean): void {
    if (gutter === this.gutter) return;
    this.gutter = gutter;
    this.disposeTypes();
    this.createTypes();
    this.applyAll();
  }

  /** Takes a heatls/decorations notification and repaints its document. */
  update(params: DecorationsParams): void {
    const key = normalize(params.uri);
    if (!key) return;
    if (params.lines.length === 0) this.byUri.delete(key);
    else this.byUri.set(key, params);
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === key) this.apply(editor);
    }
  }

  /** Forgets a closed document (the server sends it again when it reopens). */
  forget(uri: vscode.Uri): void {
    this.byUri.delete(uri.toString());
  }

  /** Forgets everything and unpaints every editor (the server went away). */
  clear(): void {
    this.byUri.clear();
    this.applyAll();
  }

  applyAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
  }

  private apply(editor: vscode.TextEditor): void {
    const params = this.byUri.get(editor.document.uri.toString());
    const ranges: vscode.Range[][] = this.types.map(() => []);
    if (params) {
      const last = editor.document.lineCount - 1;
      for (const line of params.lines) {
        const level = paintLevel(line, params.mode);
        if (level === 0 || line.line < 0 || line.line > last) continue;
        // types: levels 1..5, then improvements 1..5.
        const type = level > 0 ? level - 1 : LEVELS - level - 1;
        ranges[type].push(new vscode.Range(line.line, 0, line.line, 0));
      }
    }
    this.types.forEach((type, i) => editor.setDecorations(type, ranges[i]));
  }

  private createTypes(): void {
    for (const level of [1, 2, 3, 4, 5, -1, -2, -3, -4, -5]) {
      const colour = new vscode.ThemeColor(levelColour(level));
      const options: vscode.DecorationRenderOptions = {
        isWholeLine: true,
        backgroundColor: colour,
        overviewRulerColor: colour,
        overviewRulerLane: vscode.OverviewRulerLane.Right,
      };
      if (this.gutter) {
        const icon = level > 0 ? `level${level}.svg` : `improvement${-level}.svg`;
        options.gutterIconPath = path.join(this.extensionPath, 'media', icon);
        options.gutterIconSize = 'contain';
      }
      this.types.push(vscode.window.createTextEditorDecorationType(options));
    }
  }

  private disposeTypes(): void {
    for (const type of this.types) type.dispose();
    this.types = [];
  }

  dispose(): void {
    this.disposeTypes();
    this.byUri.clear();
  }
}

/** The URI as VS Code writes it, so that it compares with document URIs. */
function normalize(uri: string): string | undefined {
  try {
    return vscode.Uri.parse(uri, true).toString();
  } catch {
    return undefined;
  }
}
