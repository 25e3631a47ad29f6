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
// 77 when skipped (tools or Chromium missing, unless CI is set).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
for (const key of ['heatls', 'source', 'build']) {
  if (!args[key]) {
    console.error('usage: node search.test.mjs --heatls BIN --source DIR --build DIR [--tools DIR]');
    process.exit(2);
  }
}
const heatls = path.resolve(args.heatls);
const source = path.resolve(args.source);
const build = path.resolve(args.build);
const tools = path.resolve(args.tools || process.env.HEATLS_VSCODE_TOOLS || '/opt/heatls-vscode');
const ci = /^(1|true|yes|on)$/i.test(process.env.CI || '');

const nodeBin = path.join(tools, 'bin');
const codeServer = path.join(tools, 'code-server/node_modules/.bin/code-server');
const playwrightDir = path.join(tools, 'playwright');
const chromiumBin = '/usr/lib/chromium/chromium';
const extensionDir = path.join(source, 'editors/vscode');
const probeDir = path.join(source, 'tests/clients/vscode/probe');
const hoterr = path.join(source, 'testdata/programs/hoterr');
const profile = path.join(hoterr, 'cpu.pb.gz');

function unavailable(what) {
  if (ci) {
    console.error(`FAIL: ${what} (CI is set, so this is a failure; run tools/deps-vscode.sh)`);
    process.exit(1);
  }
  console.log(`SKIP: ${what} (run tools/deps-vscode.sh)`);
  process.exit(77);
}
for (const [file, what] of [
  [path.join(nodeBin, 'node'), 'Node.js 24'],
  [path.join(nodeBin, 'npm'), "Node.js 24's npm"],
  [codeServer, 'code-server'],
  [path.join(playwrightDir, 'node_modules/playwright-core/package.json'), 'playwright-core'],
  [chromiumBin, 'Chromium'],
]) {
  if (!fs.existsSync(file)) unavailable(`${what} is missing: no ${file}`);
}
if (!fs.existsSync(heatls)) {
  console.error(`FAIL: no heatls binary at ${heatls}`);
  process.exit(1);
}

// The test runs on Node 24 (playwright-core is loaded into this process).
const node24 = path.join(nodeBin, 'node');
if (fs.realpathSync(process.execPath) !== fs.realpathSync(node24)) {
  const r = spawnSync(node24, process.argv.slice(1), { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const toolEnv = { ...process.env, PATH: `${nodeBin}:${process.env.PATH}` };
const npm = path.join(nodeBin, 'npm');
let toolsStamp = '';
try {
  toolsStamp = fs.readFileSync(path.join(tools, '.stamp'), 'utf8');
} catch {
  // an unfinished install: the extension's packages are installed again
}

const started = Date.now();
const seconds = (since = started) => ((Date.now() - since) / 1000).toFixed(1);
function log(message) {
  console.log(`[${seconds()}s] ${message}`);
}

let passed = 0;
let failed = 0;
function check(ok, name, detail) {
  if (ok) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}${detail ? `\n  ${detail.replace(/\n/g, '\n  ')}` : ''}`);
  }
  return ok;
}

function same(got, want, name) {
  const g = JSON.stringify(got, null, 1);
  const w = JSON.stringify(want, null, 1);
  return check(g === w, name, `want ${w}\ngot  ${g}`);
}

/** Polls fn until it returns a truthy value or ms pass; returns the last value. */
async function until(fn, ms, every = 150) {
  const end = Date.now() + ms;
  let value;
  for (;;) {
    try {
      value = await fn();
    } catch {
      value = undefined;
    }
    if (value || Date.now() >= end) return value;
    await new Promise((r) => setTimeout(r, every));
  }
}

function run(command, argv, options) {
  const r = spawnSync(command, argv, { encoding: 'utf8', timeout: 300_000, ...options });
  if (r.status !== 0) {
    throw new Error(`${command} ${argv.join(' ')} failed (${r.error ?? `exit ${r.status}`}):\n` +
      `${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

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

async function statusText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')]
    .map((e) => e.innerText.replace(/\s+/g, ' ').trim()).filter(Boolean).join(' | '));
}

async function toastText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.notifications-toasts .notification-toast')]
    .map((e) => e.innerText.replace(/\s+/g, ' ').trim()).join(' | '));
}

/** Runs a palette command by its title. */
async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title })
    .first().waitFor({ timeout: 10_000 });
  await until(async () => (await page.locator('.quick-input-widget .monaco-list-row.focused')
    .first().textContent({ timeout: 1000 }))?.includes(title), 5_000);
  await page.keyboard.press('Enter');
}

/** Opens name with Ctrl+P; waits until its line shows text. */
async function openFile(page, name, line, text) {
  const shows = async () => page.evaluate(([n, t]) => {
    const editor = [...document.querySelectorAll('.editor-instance .monaco-editor')]
      .find((e) => e.querySelector('.view-lines') && e.offsetParent !== null);
    if (!editor) return false;
    const top = (el) => Math.round(parseFloat(el.style.top));
    let at;
    for (const div of editor.querySelectorAll('.margin-view-overlays > div')) {
      if (div.querySelector('.line-numbers')?.textContent.trim() === String(n)) at = top(div);
    }
    return [...editor.querySelectorAll('.view-lines > .view-line')]
      .some((div) => top(div) === at && div.textContent.replace(/[\u00a0\s]+/g, ' ').trim().startsWith(t));
  }, [line, text]);
  const opened = await until(async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 3000 });
    await page.keyboard.type(name);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(name) })
      .first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    return until(shows, 10_000);
  }, 40_000);
  return check(Boolean(opened), `${name} opens in an editor`);
}

/** The rows of the quick pick titled title: {label, description}. */
async function pickRows(page, title) {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  return widget.evaluate((w) => [...w.querySelectorAll('.monaco-list-row')].map((row) => {
    const names = row.querySelectorAll('.label-name');
    const descriptions = row.querySelectorAll('.label-description');
    const clean = (el) => (el ? el.textContent.replace(/[\u00a0]/g, ' ').trim() : '');
    return { label: clean(names[0]), description: clean(descriptions[0]) };
  }));
}

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

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
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
  const work = path.join(build, 'search-run');
  fs.rmSync(work, { recursive: true, force: true });
  const dirs = {};
  for (const d of ['extensions', 'data', 'config', 'xdgdata', 'cache', 'chromium', 'workspace/hoterr-local/wordfreq']) {
    dirs[d] = path.join(work, d);
    fs.mkdirSync(dirs[d], { recursive: true });
  }
  const workspace = path.join(work, 'workspace/hoterr-local');
  for (const f of ['main.go', 'go.mod']) fs.copyFileSync(path.join(hoterr, f), path.join(workspace, f));
  // Not wordfreq's main.go: the CLI would map it onto the profile's main.go
  // by its base name, while the server maps that to hoterr's only.
  for (const f of ['count.go', 'tokenize.go']) {
    fs.copyFileSync(path.join(source, 'testdata/programs/wordfreq', f), path.join(workspace, 'wordfreq', f));
  }
  const mainGo = path.join(workspace, 'main.go');
  const probeOut = path.join(work, 'probe.json');

  // The extension and the probe, packaged.
  let t = Date.now();
  const stage = path.join(build, 'search-extension');
  fs.mkdirSync(stage, { recursive: true });
  for (const f of ['src', 'media', 'out']) fs.rmSync(path.join(stage, f), { recursive: true, force: true });
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', '.vscodeignore', 'README.md', 'src', 'media']) {
    fs.cpSync(path.join(extensionDir, f), path.join(stage, f), { recursive: true });
  }
  const lock = toolsStamp + fs.readFileSync(path.join(stage, 'package-lock.json'), 'utf8');
  const installed = path.join(stage, 'node_modules/.heatls-lock.json');
  if (!toolsStamp || !fs.existsSync(installed) || fs.readFileSync(installed, 'utf8') !== lock) {
    log('npm ci for the extension');
    run(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: stage, env: toolEnv });
    fs.writeFileSync(installed, lock);
  }
  const vsix = path.join(build, 'heatls-search.vsix');
  run(npm, ['run', 'package', '--', '--out', vsix], { cwd: stage, env: toolEnv });
  const probeStage = path.join(build, 'search-probe');
  fs.rmSync(probeStage, { recursive: true, force: true });
  fs.cpSync(probeDir, probeStage, { recursive: true });
  const probeVsix = path.join(build, 'heatls-probe.vsix');
  run(path.join(stage, 'node_modules/.bin/vsce'),
    ['package', '--allow-missing-repository', '--skip-license', '--out', probeVsix],
    { cwd: probeStage, env: toolEnv });
  log(`packaged the extension and the probe (${seconds(t)}s)`);

  const csEnv = {
    ...toolEnv,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.xdgdata,
    XDG_CACHE_HOME: dirs.cache,
    HEATLS_PROBE_OUT: probeOut,
  };
  const profileArgs = ['--extensions-dir', dirs.extensions, '--user-data-dir', dirs.data];
  t = Date.now();
  run(codeServer, [...profileArgs, '--install-extension', vsix, '--install-extension', probeVsix], { env: csEnv });
  log(`installed the extension and the probe (${seconds(t)}s)`);
  fs.mkdirSync(path.join(dirs.data, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.data, 'User/settings.json'), JSON.stringify({
    'heatls.path': heatls,
    'heatls.profile': profile,
    ...SETTINGS_RULES,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false,
    'extensions.ignoreRecommendations': true,
    'workbench.enableExperiments': false,
    'git.enabled': false,
    'editor.autoClosingBrackets': 'never',
    'editor.autoClosingQuotes': 'never',
  }, null, 2));

  const port = await freePort();
  const serverLog = fs.openSync(path.join(work, 'code-server.log'), 'w');
  const cs = spawn(codeServer, [
    ...profileArgs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
  ], { env: csEnv, stdio: ['ignore', serverLog, serverLog], detached: true });
  let browser;
  const cleanup = () => {
    try {
      process.kill(-cs.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  };
  process.on('exit', cleanup);
  try {
    const up = await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, 250);
    if (!up) throw new Error(`code-server did not answer on port ${port} within 60 s`);
    const { chromium } = createRequire(path.join(playwrightDir, 'package.json'))('playwright-core');
    browser = await chromium.launchPersistentContext(dirs.chromium, {
      executablePath: chromiumBin,
      headless: true,
      viewport: { width: 1280, height: 2000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
    browser.setDefaultTimeout(15_000);
    const page = browser.pages()[0] ?? await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
    log('the workbench is up');
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
    if (browser) await browser.close().catch(() => undefined);
    cleanup();
  }
}

try {
  await main();
} catch (err) {
  failed++;
  console.log(`not ok - the session ran to its end\n  ${String(err.stack || err).replace(/\n/g, '\n  ')}`);
  const logFile = path.join(build, 'search-run/code-server.log');
  if (fs.existsSync(logFile)) console.log(`code-server log: ${logFile}`);
}
console.log(`${passed} passed, ${failed} failed (${seconds()} s)`);
process.exit(failed === 0 ? 0 : 1);
