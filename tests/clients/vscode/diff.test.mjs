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
// The page-reading helpers follow vscode.test.mjs's.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.heatls || !args.source || !args.build || !args.variants) {
  console.error('usage: diff.test.mjs --heatls BIN --source DIR --build DIR --variants BIN [--tools DIR]');
  process.exit(2);
}
const heatls = path.resolve(args.heatls);
const source = path.resolve(args.source);
const build = path.resolve(args.build);
const variants = path.resolve(args.variants);
const tools = path.resolve(args.tools || process.env.HEATLS_VSCODE_TOOLS || '/opt/heatls-vscode');
const ci = /^(1|true|yes|on)$/i.test(process.env.CI || '');
const nodeBin = path.join(tools, 'bin');
const codeServer = path.join(tools, 'code-server/node_modules/.bin/code-server');
const playwrightDir = path.join(tools, 'playwright');
const chromiumBin = '/usr/lib/chromium/chromium';
const extensionDir = path.join(source, 'editors/vscode');
const wordfreq = path.join(source, 'testdata/programs/wordfreq');

for (const [file, what] of [
  [path.join(nodeBin, 'node'), 'Node.js 24'], [path.join(nodeBin, 'npm'), "Node.js 24's npm"],
  [codeServer, 'code-server'],
  [path.join(playwrightDir, 'node_modules/playwright-core/package.json'), 'playwright-core'],
  [chromiumBin, 'Chromium'],
]) {
  if (!fs.existsSync(file)) {
    if (ci) {
      console.error(`FAIL: ${what} is missing: no ${file} (CI is set; run tools/deps-vscode.sh)`);
      process.exit(1);
    }
    console.log(`SKIP: ${what} is missing: no ${file} (run tools/deps-vscode.sh)`);
    process.exit(77);
  }
}
for (const bin of [heatls, variants]) {
  if (!fs.existsSync(bin)) {
    console.error(`FAIL: no ${bin}`);
    process.exit(1);
  }
}
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
const log = (message) => console.log(`[${seconds()}s] ${message}`);
let passed = 0;
let failed = 0;
function check(ok, name, detail) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${!ok && detail ? `\n  ${String(detail).replace(/\n/g, '\n  ')}` : ''}`);
  return ok;
}
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
    throw new Error(`${command} ${argv.join(' ')} failed (${r.error ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

// ---------------------------------------------------------------------------
// What the page should show, from `heatls dump` (values in microseconds)

/** Per line of count.go: the point it shows (a diff: the largest |G|, then |cum delta|). */
function expectedPoints(dumpArgs, base = 'count.go') {
  const lines = new Map();
  let inFile = false;
  for (const row of run(heatls, ['dump', ...dumpArgs]).split('\n')) {
    const f = row.split('\t');
    if (f[0] === 'F') inFile = JSON.parse(f[5]).endsWith(`/${base}`);
    if (f[0] !== 'P' || !inFile) continue;
    const n = f.slice(1).map(Number);
    const p = n.length === 9
      ? { line: n[0], cum: n[2], baseCum: n[4], cumDelta: n[6], local: n[7], global: n[8], diff: true }
      : { line: n[0], cum: n[2], local: n[3], global: n[4] };
    const old = lines.get(p.line);
    const better = !old || (p.diff
      ? Math.abs(p.global) > Math.abs(old.global) ||
        (Math.abs(p.global) === Math.abs(old.global) && Math.abs(p.cumDelta) > Math.abs(old.cumDelta))
      : p.cum > old.cum);
    if (better) lines.set(p.line, p);
  }
  return lines;
}

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
// Reading the page

/**
 * The visible editor: per line number, the signed level whose theme colour
 * its line decoration has (N: --vscode-heatls-levelNBackground, -N:
 * --vscode-heatls-improvementNBackground), and the line's text with its
 * hints.
 */
async function readEditor(page) {
  return page.evaluate(() => {
    const workbench = document.querySelector('.monaco-workbench');
    const rgba = (css) => {
      const m = /rgba?\(([^)]*)\)/.exec(css || '');
      if (!m) return null;
      const v = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return v.length >= 3 ? [v[0], v[1], v[2], v.length > 3 ? v[3] : 1] : null;
    };
    const colours = [];
    for (let level = 1; level <= 5; level++) {
      for (const [sign, name] of [[1, 'level'], [-1, 'improvement']]) {
        const c = rgba(getComputedStyle(workbench).getPropertyValue(`--vscode-heatls-${name}${level}Background`));
        if (c) colours.push([sign * level, c]);
      }
    }
    const levelOf = (el) => {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (!c || c[3] === 0) return 0;
      const hit = colours.find(([, l]) =>
        l[0] === c[0] && l[1] === c[1] && l[2] === c[2] && Math.abs(l[3] - c[3]) < 0.02);
      return hit ? hit[0] : 0;
    };
    const editor = [...document.querySelectorAll('.editor-instance .monaco-editor')]
      .find((e) => e.querySelector('.view-lines') && e.offsetParent !== null);
    if (!editor) return null;
    const top = (el) => Math.round(parseFloat(el.style.top));
    const numberAt = new Map();
    for (const div of editor.querySelectorAll('.margin-view-overlays > div')) {
      const n = div.querySelector('.line-numbers');
      if (n && /^\d+$/.test(n.textContent.trim())) numberAt.set(top(div), Number(n.textContent.trim()));
    }
    const levels = {};
    for (const div of editor.querySelectorAll('.view-overlays > div')) {
      const n = numberAt.get(top(div));
      if (n === undefined) continue;
      for (const el of div.children) {
        const l = levelOf(el);
        if (l !== 0) levels[n] = l;
      }
    }
    const texts = {};
    for (const div of editor.querySelectorAll('.view-lines > .view-line')) {
      const n = numberAt.get(top(div));
      if (n !== undefined) texts[n] = div.textContent.replace(/[\u00a0\s]+/g, ' ').trim();
    }
    return { levels, texts, lineCount: numberAt.size, colours };
  });
}

const HINT = /\b(?:G[+-]?\d L[+-]?\d|G[+-]?\d|L[+-]?\d) · \S+( \((?:new|gone|[+-]\d+\.\d%)\))?$/;
const sameMap = (obj, map) => Object.keys(obj).length === map.size &&
  Object.keys(obj).every((k) => map.get(Number(k)) === obj[k]);
const fmtMap = (m) => (m instanceof Map ? [...m] : Object.entries(m).map(([k, v]) => [Number(k), v]))
  .sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(' ') || '(none)';

async function expectEditor(page, want, label, ms = 30_000) {
  let seen;
  const hintsOk = (got) => Object.entries(got.texts).every(([n, text]) => {
    const hint = want.hints.get(Number(n));
    return hint ? text.endsWith(hint) : !HINT.test(text);
  });
  await until(async () => {
    seen = await readEditor(page);
    return seen && seen.lineCount > 0 && sameMap(seen.levels, want.paint) && hintsOk(seen);
  }, ms);
  if (!check(seen && seen.lineCount > 0, `${label}: the editor is visible`)) return false;
  const painted = check(sameMap(seen.levels, want.paint),
    `${label}: painted lines, levels and palettes (${want.paint.size} lines)`,
    `want ${fmtMap(want.paint)}\ngot  ${fmtMap(seen.levels)}\ncolours ${JSON.stringify(seen.colours)}`);
  const wrong = [];
  for (const [n, text] of Object.entries(seen.texts)) {
    const hint = want.hints.get(Number(n));
    if (hint ? !text.endsWith(hint) : HINT.test(text)) wrong.push(`line ${n}: want ${hint ? `"…${hint}"` : 'no hint'}, got "${text}"`);
  }
  for (const n of want.hints.keys()) if (!(n in seen.texts)) wrong.push(`line ${n}: not on screen`);
  const hinted = check(wrong.length === 0, `${label}: inlay hints (${want.hints.size})`, wrong.join('\n'));
  return painted && hinted;
}

async function statusText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')]
    .map((e) => e.innerText.replace(/\s+/g, ' ').trim()).filter(Boolean).join(' | '));
}

async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await until(async () => (await page.locator('.quick-input-widget .monaco-list-row.focused')
    .first().textContent({ timeout: 1000 }))?.includes(title), 5_000);
  await page.keyboard.press('Enter');
}

async function openFile(page, name, line, text) {
  const shows = async () => (await readEditor(page))?.texts?.[line]?.startsWith(text);
  const opened = await until(async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 3000 });
    await page.keyboard.type(name);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    return until(shows, 10_000);
  }, 40_000);
  check(Boolean(opened), `${name} opens in an editor`);
}

/** Types file into VS Code's simple file dialog titled title and accepts it. */
async function answerFileDialog(page, title, file) {
  const dialog = page.locator('.quick-input-widget', { hasText: title });
  await dialog.waitFor({ state: 'visible', timeout: 15_000 });
  const box = dialog.locator('.quick-input-box input');
  for (let attempt = 0; attempt < 3; attempt++) {
    await until(async () => (await box.inputValue()).endsWith('/'), 5_000);
    await page.waitForTimeout(300);
    await box.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(file, { delay: 5 });
    if (await until(async () => (await box.inputValue()) === file, 2_000)) break;
    await box.fill('/');
  }
  const closed = await until(async () => {
    await page.waitForTimeout(300);
    if (!(await dialog.isVisible())) return true;
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden', timeout: 2000 });
    return true;
  }, 15_000, 0);
  check(Boolean(closed), `the file dialog "${title}" takes ${path.basename(file)}`);
}

async function answerPick(page, title, text) {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  await widget.locator('.quick-input-box input').fill(text);
  await until(async () => (await widget.locator('.monaco-list-row.focused').first()
    .textContent({ timeout: 1000 }))?.includes(text), 5_000);
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
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

// ---------------------------------------------------------------------------

async function main() {
  const work = path.join(build, 'run-diff');
  fs.rmSync(work, { recursive: true, force: true });
  const dirs = {};
  for (const d of ['extensions', 'data/User', 'config', 'xdgdata', 'cache', 'chromium', 'profiles', 'workspace/wordfreq-local']) {
    dirs[d] = path.join(work, d);
    fs.mkdirSync(dirs[d], { recursive: true });
  }
  const workspace = dirs['workspace/wordfreq-local'];
  for (const f of fs.readdirSync(wordfreq).filter((f) => f.endsWith('.go') || f === 'go.mod')) {
    fs.copyFileSync(path.join(wordfreq, f), path.join(workspace, f));
  }
  // Five copies of the profile, each line weighed differently.
  run(variants, [path.join(wordfreq, 'cpu.pb.gz'), path.join(dirs.profiles, 'cpu'), '5']);
  const [a, b, c] = [1, 2, 5].map((k) => path.join(dirs.profiles, `cpu${k}.pb.gz`));
  const diffArgs = [a, b, '-base', c, '-normalize'];
  const merged = expectFor(expectedPoints([a, b]));
  const diff = expectFor(expectedPoints(diffArgs));
  check(merged.paint.size > 0, `heatls dump A B paints count.go (${merged.paint.size} lines)`);
  check([...diff.paint.values()].some((l) => l > 0) && [...diff.paint.values()].some((l) => l < 0),
    `heatls dump A B -base C -normalize has regressions and improvements in count.go (${fmtMap(diff.paint)})`);

  // The extension, packaged from a copy of editors/vscode (as vscode.test.mjs does).
  let t = Date.now();
  const stage = path.join(build, 'extension-diff');
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
  const vsix = path.join(build, 'heatls-diff.vsix');
  run(npm, ['run', 'package', '--', '--out', vsix], { cwd: stage, env: toolEnv });
  log(`packaged ${vsix} (${seconds(t)}s)`);

  const csEnv = { ...toolEnv, XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.xdgdata, XDG_CACHE_HOME: dirs.cache };
  const profileArgs = ['--extensions-dir', dirs.extensions, '--user-data-dir', path.join(work, 'data')];
  run(codeServer, [...profileArgs, '--install-extension', vsix], { env: csEnv });
  fs.writeFileSync(path.join(dirs['data/User'], 'settings.json'), JSON.stringify({
    'heatls.path': heatls,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'editor.inlayHints.enabled': 'on',
    'editor.codeLens': false,
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'files.simpleDialog.enable': true,
    'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false,
    'extensions.ignoreRecommendations': true,
    'workbench.enableExperiments': false,
    'git.enabled': false,
  }, null, 2));
  // "heatls: Load Profiles..." with its arguments, as a keybinding passes them.
  fs.writeFileSync(path.join(dirs['data/User'], 'keybindings.json'), JSON.stringify([
    { key: 'ctrl+alt+l', command: 'heatls.loadProfiles', args: [a, b] },
  ], null, 2));

  const port = await freePort();
  const serverLog = fs.openSync(path.join(work, 'code-server.log'), 'w');
  const cs = spawn(codeServer, [...profileArgs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'],
  { env: csEnv, stdio: ['ignore', serverLog, serverLog], detached: true });
  let browser;
  const cleanup = () => {
    try {
      process.kill(-cs.pid, 'SIGTERM');
    } catch {
      // already gone
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
    await openFile(page, 'count.go', 24, 'c.counts[w]++');

    // 1. Two profiles, merged.
    await until(async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Alt+L');
      return until(async () => (await statusText(page)).includes('2 profiles'), 5_000);
    }, 30_000, 0);
    check((await statusText(page)).includes('2 profiles'), 'Load Profiles: the status bar says 2 profiles',
      await statusText(page));
    await expectEditor(page, merged, 'two profiles merged');

    // 2. Compare with the third, through the file dialog.
    await runCommand(page, 'heatls: Compare with Base...');
    await answerFileDialog(page, 'heatls: compare with a base profile', c);
    await answerPick(page, 'heatls: compare with the base', 'Normalized');
    const shown = await expectEditor(page, diff, 'compared with the base');
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
    await expectEditor(page, merged, 'base cleared');
    check(Boolean(await until(async () => {
      const s = await statusText(page);
      return s.includes('2 profiles') && !s.includes(' vs ') ? s : undefined;
    }, 10_000)), 'the status bar drops the base', await statusText(page));
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
  console.log(`code-server log: ${path.join(build, 'run-diff/code-server.log')}`);
}
console.log(`${passed} passed, ${failed} failed (${seconds()} s)`);
process.exit(failed === 0 ? 0 : 1);
