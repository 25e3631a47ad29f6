// "heatls: Search Hot Code..." and hot-path diagnostics in real VS Code:
// code-server driven by Debian's Chromium through playwright-core, against
// the heatls binary under test, as vscode.test.mjs runs it.
//
//   node search.test.mjs --heatls BIN --source DIR --build DIR [--tools DIR]
//
// Packages the extension and the probe of probe/ (a command that writes
// vscode.languages.getDiagnostics() and the active editor to a file, since
// the page cannot call the extension API, and two that set
// heatls.search.results), installs both into a fresh
// code-server profile whose settings load testdata/programs/hoterr/cpu.pb.gz
// (heatls.profile), and opens a copy of hoterr (with two of wordfreq's files
// in a subfolder) with main.go in an editor. Then:
// - each search, typed into "heatls: Search Hot Code..." with its prefixes,
//   lists in its quick pick exactly the matches that `heatls search --format
//   json` finds in the same folder with the same profile (run here: the
//   oracle), each with its heat and file:line; the input offers the last
//   pattern; picking a match selects it in its file; with
//   heatls.search.results = references (set through the probe) the
//   references peek lists the matches;
// - the diagnostics of main.go, by the probe: the built-in rules' matches
//   the CLI finds hot, with source "heatls", the rule as code and the line's
//   time in the message; after typing over the fmt.Errorf call its
//   diagnostic goes (the delay is printed); after "heatls: Clear Profile"
//   none is left.
// The extension is built in BUILD/search-extension, VS Code's state is in
// BUILD/search-run. Prints "ok - ..." / "not ok - ..." per check, then
// "N passed, M failed". Exit status: 0 when every check passed, 1 otherwise,
// 77 when skipped (tools or Chromium missing, unless CI is set). What the
// VS Code tests share is in harness.mjs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
  check, env, finish, log, makeWork, openFile, packageExtension, pickRows, runCommand, same, seconds, setup,
  startVSCode, statusText, toastText, until,
} from './harness.mjs';

setup('search.test.mjs');
const { heatls, source, build } = env;
const probeDir = path.join(source, 'tests/clients/vscode/probe');
const hoterr = path.join(source, 'testdata/programs/hoterr');
const profile = path.join(hoterr, 'cpu.pb.gz');

// ---------------------------------------------------------------------------
// The oracle: `heatls search --format json` on the workspace

/** The CLI's matches as the quick pick should list them, sorted. */
function cliRows(workspace, flags, pattern, where = workspace) {
  const r = spawnSync(heatls, ['search', '--format', 'json', ...flags, profile, pattern, where],
    { encoding: 'utf8', cwd: workspace, timeout: 60_000 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`heatls search failed: ${r.stderr}`);
  return JSON.parse(r.stdout).map((m) => {
    const file = path.isAbsolute(m.file) ? m.file : path.join(workspace, m.file);
    const first = m.text.split('\n')[0].trim();
    const h = m.heat;
    const heat = h && (h.cum || h.global || h.local) ? `G${h.global} L${h.local} ${h.cumText}  ` : '';
    return {
      label: `${heat}${first}`,
      description: `${path.basename(file)}:${m.line}`,
      heat: h,
    };
  });
}

function sortRows(rows) {
  return rows.map(({ label, description }) => ({ label, description }))
    .sort((a, b) => (a.description + a.label < b.description + b.label ? -1 : 1));
}

// ---------------------------------------------------------------------------
// The page

/**
 * "heatls: Search Hot Code...", typed: resolves to the title of the answer's
 * quick pick ("heatls: N matches of ..."), its widget left open.
 */
async function search(page, typed) {
  await runCommand(page, 'heatls: Search Hot Code...');
  const widget = page.locator('.quick-input-widget', { hasText: 'heatls: search hot code' });
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  const box = widget.locator('.quick-input-box input');
  await box.fill(typed);
  await until(async () => (await widget.locator('.monaco-list-row.focused').first()
    .textContent({ timeout: 1000 }))?.includes(typed), 5_000);
  await page.keyboard.press('Enter');
  const answer = page.locator('.quick-input-widget .quick-input-title', { hasText: /^heatls: \d+ match/ });
  await answer.waitFor({ state: 'visible', timeout: 30_000 });
  return (await answer.textContent()).trim();
}

// ---------------------------------------------------------------------------
// The probe

async function probe(page, out) {
  fs.rmSync(out, { force: true });
  await runCommand(page, 'heatls probe: Dump State');
  const text = await until(async () => fs.existsSync(out) && fs.readFileSync(out, 'utf8'), 10_000, 50);
  return text ? JSON.parse(text) : undefined;
}

function diagnosticsOf(state, file) {
  const entry = state?.diagnostics.find((d) => d.path === file);
  return (entry?.diagnostics ?? []).filter((d) => d.source === 'heatls').sort((a, b) => a.line - b.line);
}

// The rules that fire in hoterr/main.go, with the pattern the CLI checks
// each with (docs/diagnostics.md): two built-in ones, and a rule of the
// settings (heatls.rules) in place of the built-in go-sprint-one, which
// heatls.disabledRules turns off, so that both settings are seen to reach
// the server.
const RULES = [
  ['go-errors-new-return', 'return $*_, errors.New($s)'],
  ['go-errorf-constant', 'fmt.Errorf($s)'],
  ['hoterr-sprint', 'fmt.Sprint($x)'],
];
const SETTINGS_RULES = {
  'heatls.rules': [{
    id: 'hoterr-sprint', pattern: 'fmt.Sprint($x)', language: 'go',
    message: 'fmt.Sprint of one value on a hot path', minLevel: 3,
  }],
  'heatls.disabledRules': ['go-sprint-one'],
};

async function main() {
  const dirs = makeWork(path.join(build, 'search-run'), ['workspace/hoterr-local/wordfreq']);
  const workspace = path.join(dirs.work, 'workspace/hoterr-local');
  for (const f of ['main.go', 'go.mod']) fs.copyFileSync(path.join(hoterr, f), path.join(workspace, f));
  // Not wordfreq's main.go: the CLI would map it onto the profile's main.go
  // by its base name, while the server maps that to hoterr's only.
  for (const f of ['count.go', 'tokenize.go']) {
    fs.copyFileSync(path.join(env.wordfreq, f), path.join(workspace, 'wordfreq', f));
  }
  const mainGo = path.join(workspace, 'main.go');
  const probeOut = path.join(dirs.work, 'probe.json');

  // The extension and the probe, packaged.
  const t = Date.now();
  const vsix = packageExtension(path.join(build, 'search-extension'), 'heatls-search', [probeDir]);
  log(`packaged the extension and the probe (${seconds(t)}s)`);
  const { page, close } = await startVSCode({
    dirs, workspace, vsix,
    csEnv: { HEATLS_PROBE_OUT: probeOut },
    settings: {
      'heatls.profile': profile,
      ...SETTINGS_RULES,
      'editor.autoClosingBrackets': 'never',
      'editor.autoClosingQuotes': 'never',
    },
  });
  try {
    if (!await openFile(page, 'main.go', 27, 'return 0, fmt.Errorf(')) throw new Error('main.go did not open');
    const loaded = await until(async () => (await statusText(page)).includes('cpu.pb.gz'), 30_000);
    check(Boolean(loaded), 'the profile of heatls.profile is loaded', await statusText(page));

    // (b) The diagnostics, by the probe, against the CLI.
    const want = [];
    for (const [code, pattern] of RULES) {
      for (const row of cliRows(workspace, ['--min-level', '3'], pattern, mainGo)) {
        const line = Number(row.description.split(':')[1]) - 1;
        want.push({ line, code, source: 'heatls', time: `(${row.heat.cumText}, G${row.heat.global})` });
      }
    }
    want.sort((a, b) => a.line - b.line);
    check(want.length === 3, 'the CLI finds the three rules hot in main.go', JSON.stringify(want));
    let state = await until(async () => {
      const s = await probe(page, probeOut);
      return diagnosticsOf(s, mainGo).length === want.length ? s : undefined;
    }, 20_000, 300);
    const got = diagnosticsOf(state, mainGo).map((d, i) => ({
      line: d.line, code: d.code, source: d.source,
      time: want[i] && d.message.includes(want[i].time) ? want[i].time : d.message,
    }));
    same(got, want, 'languages.getDiagnostics: the line, the rule as code, source heatls, the line\'s time');

    // (a) Searches against the CLI.
    const cases = [
      ['fmt.$f($*_)', [], 'a hot code pattern'],
      ['all: append($*_)', ['--min-level', '0'], 'all: every match, with its heat'],
      ['G5: $*_ := $_', ['--min-level', '5'], 'G5: level 5'],
      ['re: return .*err', ['--regex'], 're: a regex'],
      ['q: ((call_expression function: (selector_expression field: (field_identifier) @f)) @c (#match? @f "^(Errorf|New|Sprint)$"))',
        ['--query'], 'q: a query with a predicate'],
    ];
    for (const [typed, flags, name] of cases) {
      const pattern = typed.replace(/^(all|G\d|re|q):\s*/, '');
      const rows = cliRows(workspace, flags, pattern);
      check(rows.length > 0, `${name}: the CLI finds something (${rows.length})`);
      const title = await search(page, typed);
      check(title === `heatls: ${rows.length} match${rows.length === 1 ? '' : 'es'} of ${pattern}`,
        `${name}: the quick pick's title counts the matches`, title);
      const shown = await until(async () => {
        const r = await pickRows(page, title);
        return r.length === rows.length ? r : undefined;
      }, 10_000) ?? await pickRows(page, title);
      same(sortRows(shown), sortRows(rows), `${name}: the quick pick lists what the CLI finds, with the heat`);
      await page.keyboard.press('Escape');
    }

    // The input offers the last pattern.
    await runCommand(page, 'heatls: Search Hot Code...');
    const input = page.locator('.quick-input-widget', { hasText: 'heatls: search hot code' });
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    const recent = await until(async () => {
      const r = await pickRows(page, 'heatls: search hot code');
      return r.length >= 2 ? r : undefined;
    }, 5_000);
    check(recent && recent[0].label === cases[cases.length - 1][0] && recent[1].label === cases[cases.length - 2][0],
      'the input lists the last patterns, the latest first', JSON.stringify(recent?.slice(0, 3)));
    await page.keyboard.press('Escape');

    // Picking a match selects it in its file.
    const errorf = cliRows(workspace, [], 'fmt.Errorf($_)', mainGo)[0];
    state = await until(async () => {
      const title = await search(page, 'fmt.Errorf($_)');
      const widget = page.locator('.quick-input-widget', { hasText: title });
      await until(async () => (await pickRows(page, title)).some((r) => r.description === 'main.go:27'), 5_000);
      await widget.locator('.quick-input-box input').fill('main.go:27');
      await until(async () => (await widget.locator('.monaco-list-row.focused').first()
        .textContent({ timeout: 1000 }))?.includes('main.go:27'), 5_000);
      await page.keyboard.press('Enter');
      await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
      return until(async () => {
        const s = await probe(page, probeOut);
        return s?.editor?.start.line === 26 ? s : undefined;
      }, 5_000, 300);
    }, 30_000, 0);
    check(state && state.editor.path === mainGo && state.editor.start.line === 26 && state.editor.end.line === 26
      && errorf && errorf.description === 'main.go:27',
    'picking main.go:27 selects the match in main.go', JSON.stringify(state?.editor));

    // heatls.search.results = references: the matches in the references peek.
    await page.keyboard.press('Escape');
    await runCommand(page, 'heatls probe: Search Results in References');
    const hot = cliRows(workspace, [], 'fmt.$f($*_)');
    const peeked = await until(async () => {
      await runCommand(page, 'heatls: Search Hot Code...');
      const box = page.locator('.quick-input-widget', { hasText: 'heatls: search hot code' });
      await box.waitFor({ state: 'visible', timeout: 15_000 });
      await box.locator('.quick-input-box input').fill('fmt.$f($*_)');
      await until(async () => (await box.locator('.monaco-list-row.focused').first()
        .textContent({ timeout: 1000 }))?.includes('fmt.$f($*_)'), 5_000);
      await page.keyboard.press('Enter');
      return until(async () => {
        const refs = await page.evaluate(() => [...document.querySelectorAll('.peekview-widget .monaco-list-row')]
          .map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
        return refs.length > 0 ? refs : undefined;
      }, 10_000);
    }, 30_000, 0);
    if (!peeked) {
      await page.screenshot({ path: path.join(build, 'vscode-search-peek.png') });
      log(`no peek: ${await page.evaluate(() => JSON.stringify({
        peek: document.querySelectorAll('.peekview-widget').length,
        zone: [...document.querySelectorAll('.zone-widget')].map((e) => e.className),
        head: [...document.querySelectorAll('.peekview-widget .head')].map((e) => e.textContent),
        rows: [...document.querySelectorAll('.peekview-widget [role=treeitem], .peekview-widget .monaco-list-row')]
          .map((e) => `${e.className}: ${e.textContent}`),
        title: [...document.querySelectorAll('.quick-input-title')].map((e) => e.textContent),
      }))}; toasts: ${await toastText(page)}`);
    }
    check(peeked && peeked.length === hot.length
      && hot.every((h) => peeked.some((r) => r.includes(h.label.replace(/^G\d L\d \S+ {2}/, '')))),
    'heatls.search.results = references: the references peek lists the matches',
    `peek: ${JSON.stringify(peeked)}\nCLI: ${JSON.stringify(hot.map((h) => h.label))}`);
    await page.keyboard.press('Escape');
    await runCommand(page, 'heatls probe: Search Results in a Quick Pick');

    // Typing over the fmt.Errorf call: its diagnostic goes, the others stay.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+G');
    await page.keyboard.type('27');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    const typedAt = Date.now();
    await page.keyboard.type('return 0, errEmpty');
    state = await until(async () => {
      const s = await probe(page, probeOut);
      return diagnosticsOf(s, mainGo).length === want.length - 1 ? s : undefined;
    }, 20_000, 100);
    check(Boolean(state), 'typing over the fmt.Errorf call removes its diagnostic',
      JSON.stringify(diagnosticsOf(await probe(page, probeOut), mainGo)));
    if (state) log(`the diagnostic went within ${Date.now() - typedAt} ms of typing (polled; debounce 300 ms)`);
    same(diagnosticsOf(state, mainGo).map((d) => d.code), ['go-errors-new-return', 'hoterr-sprint'],
      'the other two stay');

    // Cleared: none left.
    await runCommand(page, 'heatls: Clear Profile');
    state = await until(async () => {
      const s = await probe(page, probeOut);
      return diagnosticsOf(s, mainGo).length === 0 ? s : undefined;
    }, 20_000, 300);
    check(Boolean(state), 'no diagnostics after "heatls: Clear Profile"');
    const shot = path.join(build, 'vscode-search.png');
    await page.screenshot({ path: shot });
    log(`screenshot: ${shot}; toasts: ${await toastText(page)}`);
  } finally {
    await close();
  }
}

await finish(main, path.join(build, 'search-run/code-server.log'));
