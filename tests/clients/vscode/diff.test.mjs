// The VS Code client's merges and diffs (editors/vscode/src/compare.ts) in
// real VS Code: code-server driven by Debian's Chromium through
// playwright-core, against the heatls binary under test.
//
//   node diff.test.mjs --heatls BIN --source DIR --build DIR --variants BIN
//                      [--tools DIR]
//
// Makes five copies of testdata/programs/wordfreq/cpu.pb.gz with different
// sample values (--variants: tests/bench/profile_variants), installs the
// extension into a fresh code-server profile, opens a copy of count.go, and:
//   1. "heatls: Load Profiles..." with the two first copies (through a
//      keybinding's args: code-server's file dialog picks one file): the
//      lines painted with the heat colours and the hints of `heatls dump A B`;
//   2. "heatls: Compare with Base..." with the fifth, through the file
//      dialog and the "Normalized" pick (two profiles against one: only
//      normalized do both regressions and improvements show in count.go):
//      every painted line, the palette its colour comes from
//      (heatls.levelN for regressions, heatls.improvementN for
//      improvements) and every hint text are those of
//      `heatls dump A B -base C -normalize`, and the status bar says the diff with the
//      net change of `heatls info`; a screenshot goes to BUILD/vscode-diff.png;
//   3. "heatls: Clear Base": the merged profile's heat again.
// Prints "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
// Exit status: 0 when every check passed, 1 otherwise, 77 when skipped (the
// tools of tools/deps-vscode.sh or Chromium missing, unless CI is set).
// What the VS Code tests share is in harness.mjs.
import path from 'node:path';

import {
  answerFileDialog, answerPick, check, copyWordfreq, dumpPoints, env, expectEditor, finish, fmtMap, log,
  makeWork, openFile, packageExtension, run, runCommand, setup, startVSCode, statusText, until,
} from './harness.mjs';

const args = setup('diff.test.mjs', { required: ['variants'], binaries: ['variants'], usage: '--variants BIN' });
const { heatls, build } = env;
const variants = path.resolve(args.variants);

// ---------------------------------------------------------------------------
// What the page should show, from `heatls dump` (values in microseconds)

/** Per line of count.go: the point it shows (a diff: the largest |G|, then |cum delta|). */
const expectedPoints = (dumpArgs) => dumpPoints(dumpArgs, 'count.go');

// C's printf rounding (ties to even on exact ties).
function cfixed(x, f) {
  const scaled = x * 10 ** f;
  if (Math.abs(scaled - Math.trunc(scaled)) === 0.5) {
    const down = Math.trunc(scaled);
    return ((down % 2 === 0 ? down : down + Math.sign(scaled)) / 10 ** f).toFixed(f);
  }
  return x.toFixed(f);
}
const secs = (us) => `${cfixed(Math.abs(us) / 1e6, 2)}s`;
const lvl = (n) => (n > 0 ? `+${n}` : String(n));
function own(cum, base) {
  if (base === 0) return 'new';
  if (cum === 0) return 'gone';
  const p = (100 * (cum - base)) / base;
  return `${p >= 0 ? '+' : ''}${cfixed(p, 1)}%`;
}

/** Paint (line -> signed level) and hints (line -> text), hints mode both. */
function expectFor(points) {
  const paint = new Map();
  const hints = new Map();
  for (const p of points.values()) {
    if (p.local === 0 && p.global === 0) continue;
    if (p.global !== 0) paint.set(p.line, p.global);
    hints.set(p.line, p.diff
      ? `G${lvl(p.global)} L${lvl(p.local)} · ${p.cumDelta < 0 ? '-' : '+'}${secs(p.cumDelta)} (${own(p.cum, p.baseCum)})`
      : `G${p.global} L${p.local} · ${secs(p.cum)}`);
  }
  return { paint, hints };
}

// ---------------------------------------------------------------------------

async function main() {
  const dirs = makeWork(path.join(build, 'run-diff'), ['profiles', 'workspace/wordfreq-local']);
  const workspace = dirs['workspace/wordfreq-local'];
  copyWordfreq(workspace);
  // Five copies of the profile, each line weighed differently.
  run(variants, [path.join(env.wordfreq, 'cpu.pb.gz'), path.join(dirs.profiles, 'cpu'), '5']);
  const [a, b, c] = [1, 2, 5].map((k) => path.join(dirs.profiles, `cpu${k}.pb.gz`));
  const diffArgs = [a, b, '-base', c, '-normalize'];
  const merged = expectFor(expectedPoints([a, b]));
  const diff = expectFor(expectedPoints(diffArgs));
  check(merged.paint.size > 0, `heatls dump A B paints count.go (${merged.paint.size} lines)`);
  check([...diff.paint.values()].some((l) => l > 0) && [...diff.paint.values()].some((l) => l < 0),
    `heatls dump A B -base C -normalize has regressions and improvements in count.go (${fmtMap(diff.paint)})`);

  // The extension, packaged from a copy of editors/vscode.
  const vsix = packageExtension(path.join(build, 'extension-diff'), 'heatls-diff');
  const { page, close } = await startVSCode({
    dirs, workspace, vsix,
    settings: {
      'editor.inlayHints.enabled': 'on',
      'editor.codeLens': false,
      'files.simpleDialog.enable': true,
    },
    // "heatls: Load Profiles..." with its arguments, as a keybinding passes them.
    keybindings: [{ key: 'ctrl+alt+l', command: 'heatls.loadProfiles', args: [a, b] }],
  });
  try {
    await openFile(page, 'count.go', 24, 'c.counts[w]++');

    // 1. Two profiles, merged.
    await until(async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Alt+L');
      return until(async () => (await statusText(page)).includes('2 profiles'), 5_000);
    }, 30_000, 0);
    check((await statusText(page)).includes('2 profiles'), 'Load Profiles: the status bar says 2 profiles',
      await statusText(page));
    await expectEditor(page, merged, 'two profiles merged', 30_000);

    // 2. Compare with the third, through the file dialog.
    await runCommand(page, 'heatls: Compare with Base...');
    await answerFileDialog(page, 'heatls: compare with a base profile', c);
    await answerPick(page, 'heatls: compare with the base', 'Normalized');
    const shown = await expectEditor(page, diff, 'compared with the base', 30_000);
    const info = run(heatls, ['info', ...diffArgs]);
    const net = /^net change:\s+(\S+) \((\S+)% of the base\)/m.exec(info);
    const wantStatus = `heatls: 2 profiles vs cpu5.pb.gz, net ${net[1]} (${net[2]}%)`;
    const status = await until(async () => {
      const s = await statusText(page);
      return s.includes(wantStatus) ? s : undefined;
    }, 10_000);
    check(Boolean(status), `the status bar says "${wantStatus}"`, await statusText(page));
    const shot = path.join(build, 'vscode-diff.png');
    await page.screenshot({ path: shot });
    log(`screenshot: ${shot}`);
    if (!shown) throw new Error('the diff did not show: not going on');

    // 3. Clear Base: the merged profile again, not read again.
    await runCommand(page, 'heatls: Clear Base');
    await expectEditor(page, merged, 'base cleared', 30_000);
    check(Boolean(await until(async () => {
      const s = await statusText(page);
      return s.includes('2 profiles') && !s.includes(' vs ') ? s : undefined;
    }, 10_000)), 'the status bar drops the base', await statusText(page));
  } finally {
    await close();
  }
}

await finish(main, path.join(build, 'run-diff/code-server.log'));
