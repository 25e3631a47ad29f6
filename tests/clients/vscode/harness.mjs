// What the VS Code client tests share (vscode.test.mjs, diff.test.mjs,
// search.test.mjs, pyroscope.test.mjs): their arguments and tools, the
// extension packaged and installed into a fresh code-server profile,
// code-server and Debian's Chromium started (playwright-core) and stopped,
// the page read and driven, and the checks.
//
// A test calls setup() first: it reads --heatls BIN --source DIR --build DIR
// [--tools DIR] and the test's own arguments, skips (exit 77) when the tools
// of tools/deps-vscode.sh or Chromium are missing (a failure when CI is
// set), and starts the script again on Node.js 24 when another node runs it
// (playwright-core is loaded into this process). Then startVSCode() gives a
// page of code-server on a workspace, and finish() prints "N passed, M
// failed" and exits 0 when every check passed, 1 otherwise. Every wait is
// bounded.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

const chromiumBin = '/usr/lib/chromium/chromium';

/** Paths and tools of the run, filled by setup(). */
export const env = {};

// ---------------------------------------------------------------------------
// Logging and checks

const started = Date.now();
export const seconds = (since = started) => ((Date.now() - since) / 1000).toFixed(1);
export function log(message) {
  console.log(`[${seconds()}s] ${message}`);
}

let passed = 0;
let failed = 0;

/** Counts and prints one check: "ok - name" or "not ok - name" and detail. */
export function check(ok, name, detail) {
  if (ok) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}${detail ? `\n  ${String(detail).replace(/\n/g, '\n  ')}` : ''}`);
  }
  return ok;
}

/** A check that got equals want, compared as JSON. */
export function same(got, want, name) {
  const g = JSON.stringify(got, null, 1);
  const w = JSON.stringify(want, null, 1);
  return check(g === w, name, `want ${w}\ngot  ${g}`);
}

/** Polls fn until it returns a truthy value or ms pass; returns the last value. */
export async function until(fn, ms, every = 150) {
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

/** Runs a command to completion (bounded); throws with its output on failure. */
export function run(command, argv, options) {
  const r = spawnSync(command, argv, { encoding: 'utf8', timeout: 300_000, ...options });
  if (r.status !== 0) {
    throw new Error(`${command} ${argv.join(' ')} failed (${r.error ?? `exit ${r.status}`}):\n` +
      `${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/**
 * A stand-in service of ours (pprofsvc, pyroscopesvc) started with argv;
 * resolves to {port, child} once it prints "port N" (10 s at most). It
 * ends when its stdin closes.
 */
export function startPortService(binary, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const name = path.basename(binary);
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 10 s`)), 10_000);
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), child });
      }
    });
  });
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs main (async) and reports: an exception is one more failure, with
 * where code-server's log is (logFile); then the counts, and the exit.
 */
export async function finish(main, logFile) {
  try {
    await main();
  } catch (err) {
    failed++;
    console.log(`not ok - the session ran to its end\n  ${String(err.stack || err).replace(/\n/g, '\n  ')}`);
    if (logFile && fs.existsSync(logFile)) console.log(`code-server log: ${logFile}`);
  }
  console.log(`${passed} passed, ${failed} failed (${seconds()} s)`);
  process.exit(failed === 0 ? 0 : 1);
}

// ---------------------------------------------------------------------------
// Arguments and tools

/**
 * Reads the arguments (--heatls, --source, --build, optional --tools, and
 * each of required), checks the tools and the binaries given (heatls and
 * each of binaries: argument names), and goes on on Node.js 24. Returns the
 * arguments by name; fills env.
 */
export function setup(script, { required = [], binaries = [], usage = '' } = {}) {
  const args = {};
  for (let i = 2; i < process.argv.length; i += 2) {
    args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
  }
  for (const key of ['heatls', 'source', 'build', ...required]) {
    if (!args[key]) {
      console.error(`usage: node ${script} --heatls BIN --source DIR --build DIR [--tools DIR]${usage ? ` ${usage}` : ''}`);
      process.exit(2);
    }
  }
  env.heatls = path.resolve(args.heatls);
  env.source = path.resolve(args.source);
  env.build = path.resolve(args.build);
  const tools = path.resolve(args.tools || process.env.HEATLS_VSCODE_TOOLS || '/opt/heatls-vscode');
  const ci = /^(1|true|yes|on)$/i.test(process.env.CI || '');

  // Node.js 24 and its npm (tools/deps-vscode.sh writes bin/npm, which
  // builds native modules for that Node).
  const nodeBin = path.join(tools, 'bin');
  env.codeServer = path.join(tools, 'code-server/node_modules/.bin/code-server');
  env.playwrightDir = path.join(tools, 'playwright');
  env.extensionDir = path.join(env.source, 'editors/vscode');
  env.wordfreq = path.join(env.source, 'testdata/programs/wordfreq');
  for (const [file, what] of [
    [path.join(nodeBin, 'node'), 'Node.js 24'],
    [path.join(nodeBin, 'npm'), "Node.js 24's npm"],
    [env.codeServer, 'code-server'],
    [path.join(env.playwrightDir, 'node_modules/playwright-core/package.json'), 'playwright-core'],
    [chromiumBin, 'Chromium'],
  ]) {
    if (fs.existsSync(file)) continue;
    if (ci) {
      console.error(`FAIL: ${what} is missing: no ${file} (CI is set, so this is a failure; run tools/deps-vscode.sh)`);
      process.exit(1);
    }
    console.log(`SKIP: ${what} is missing: no ${file} (run tools/deps-vscode.sh)`);
    process.exit(77);
  }
  for (const key of ['heatls', ...binaries]) {
    if (!args[key] || !fs.existsSync(args[key])) {
      console.error(`FAIL: no ${key} binary at ${args[key]}`);
      process.exit(1);
    }
  }

  const node24 = path.join(nodeBin, 'node');
  if (fs.realpathSync(process.execPath) !== fs.realpathSync(node24)) {
    const r = spawnSync(node24, process.argv.slice(1), { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  // Node 24 first on PATH: code-server and vsce run on it. The extension's
  // packages are installed by bin/npm, never by the machine's npm.
  env.toolEnv = { ...process.env, PATH: `${nodeBin}:${process.env.PATH}` };
  env.npm = path.join(nodeBin, 'npm');
  env.toolsStamp = ''; // the versions tools/deps-vscode.sh installed
  try {
    env.toolsStamp = fs.readFileSync(path.join(tools, '.stamp'), 'utf8');
  } catch {
    // an unfinished install: the extension's packages are installed again
  }
  return args;
}

// ---------------------------------------------------------------------------
// The extension, code-server and Chromium

/**
 * Packages editors/vscode into BUILD/NAME.vsix from a copy of it in
 * BUILD/stage (each test has its own: ctest may run them at once), so that
 * the source tree gets no node_modules or out/. npm ci runs again only when
 * package-lock.json or the tools (their stamp: Node and npm) change. Then
 * each folder of extras (a small extension such as probe/) is packaged with
 * the extension's vsce into BUILD/NAME-<folder>.vsix. Returns the .vsix paths.
 */
export function packageExtension(stage, name, extras = []) {
  const t = Date.now();
  fs.mkdirSync(stage, { recursive: true });
  for (const f of ['src', 'media', 'out']) fs.rmSync(path.join(stage, f), { recursive: true, force: true });
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', '.vscodeignore', 'README.md', 'src', 'media']) {
    fs.cpSync(path.join(env.extensionDir, f), path.join(stage, f), { recursive: true });
  }
  const lock = env.toolsStamp + fs.readFileSync(path.join(stage, 'package-lock.json'), 'utf8');
  const installed = path.join(stage, 'node_modules/.heatls-lock.json');
  if (!env.toolsStamp || !fs.existsSync(installed) || fs.readFileSync(installed, 'utf8') !== lock) {
    log('npm ci for the extension');
    run(env.npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: stage, env: env.toolEnv });
    fs.writeFileSync(installed, lock);
  }
  const vsix = [path.join(env.build, `${name}.vsix`)];
  run(env.npm, ['run', 'package', '--', '--out', vsix[0]], { cwd: stage, env: env.toolEnv });
  for (const dir of extras) {
    const extraStage = `${stage}-${path.basename(dir)}`;
    fs.rmSync(extraStage, { recursive: true, force: true });
    fs.cpSync(dir, extraStage, { recursive: true });
    const out = path.join(env.build, `${name}-${path.basename(dir)}.vsix`);
    run(path.join(stage, 'node_modules/.bin/vsce'),
      ['package', '--allow-missing-repository', '--skip-license', '--out', out],
      { cwd: extraStage, env: env.toolEnv });
    vsix.push(out);
  }
  log(`packaged ${vsix.join(', ')} (${seconds(t)}s)`);
  return vsix;
}

/** The settings every test starts from (a quiet workbench, no trust prompt). */
const BASE_SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'git.enabled': false,
};

/**
 * A fresh folder work for VS Code's state (extensions, data/User, config,
 * xdgdata, cache, chromium) and each of folders (the workspace and what the
 * test puts beside it). Returns the paths by name.
 */
export function makeWork(work, folders = []) {
  fs.rmSync(work, { recursive: true, force: true });
  const dirs = { work };
  for (const d of ['extensions', 'data/User', 'config', 'xdgdata', 'cache', 'chromium', ...folders]) {
    dirs[d] = path.join(work, d);
    fs.mkdirSync(dirs[d], { recursive: true });
  }
  dirs.data = path.join(work, 'data');
  return dirs;
}

/**
 * In dirs (makeWork's): installs the .vsix files, writes the user settings
 * (heatls.path, BASE_SETTINGS, then settings) and keybindings (when given),
 * starts code-server on 127.0.0.1 (log in WORK/code-server.log; extra
 * environment in csEnv) and Chromium on the folder workspace. Resolves to
 * {page, close}; close() stops both (code-server also on exit).
 */
export async function startVSCode({ dirs, workspace, vsix, settings = {}, keybindings, csEnv = {} }) {
  const serverEnv = {
    ...env.toolEnv,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.xdgdata,
    XDG_CACHE_HOME: dirs.cache,
    ...csEnv,
  };
  const profileArgs = ['--extensions-dir', dirs.extensions, '--user-data-dir', dirs.data];
  const t = Date.now();
  run(env.codeServer, [...profileArgs, ...vsix.flatMap((v) => ['--install-extension', v])], { env: serverEnv });
  log(`installed ${vsix.map((v) => path.basename(v)).join(', ')} (${seconds(t)}s)`);
  fs.writeFileSync(path.join(dirs['data/User'], 'settings.json'),
    JSON.stringify({ 'heatls.path': env.heatls, ...BASE_SETTINGS, ...settings }, null, 2));
  if (keybindings) {
    fs.writeFileSync(path.join(dirs['data/User'], 'keybindings.json'), JSON.stringify(keybindings, null, 2));
  }

  const port = await freePort();
  const serverLog = fs.openSync(path.join(dirs.work, 'code-server.log'), 'w');
  const cs = spawn(env.codeServer, [
    ...profileArgs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
  ], { env: serverEnv, stdio: ['ignore', serverLog, serverLog], detached: true });
  let browser;
  const stopServer = () => {
    try {
      process.kill(-cs.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('exit', stopServer);
  const close = async () => {
    if (browser) await browser.close().catch(() => undefined);
    stopServer();
  };
  try {
    const up = await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, 250);
    if (!up) throw new Error(`code-server did not answer on port ${port} within 60 s`);
    log(`code-server is up on port ${port}`);
    const { chromium } = createRequire(path.join(env.playwrightDir, 'package.json'))('playwright-core');
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
    return { page, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Copies wordfreq's Go files and go.mod into dir. */
export function copyWordfreq(dir) {
  for (const f of fs.readdirSync(env.wordfreq).filter((f) => f.endsWith('.go') || f === 'go.mod')) {
    fs.copyFileSync(path.join(env.wordfreq, f), path.join(dir, f));
  }
}

// ---------------------------------------------------------------------------
// What the page should show, from `heatls dump` (values in microseconds)

/**
 * Per line of the file named base (the end of its path) in `heatls dump
 * dumpArgs`: the point it shows. A profile's: {line, flat, cum, local,
 * global}, the largest cum; a diff's: {line, cum, baseCum, cumDelta, local,
 * global, diff}, the largest |global|, then |cumDelta|.
 */
export function dumpPoints(dumpArgs, base) {
  const lines = new Map();
  let inFile = false;
  for (const row of run(env.heatls, ['dump', ...dumpArgs]).split('\n')) {
    const f = row.split('\t');
    if (f[0] === 'F') inFile = JSON.parse(f[5]).endsWith(`/${base}`);
    if (f[0] !== 'P' || !inFile) continue;
    const n = f.slice(1).map(Number);
    const p = n.length === 9
      ? { line: n[0], cum: n[2], baseCum: n[4], cumDelta: n[6], local: n[7], global: n[8], diff: true }
      : { line: n[0], flat: n[1], cum: n[2], local: n[3], global: n[4] };
    const old = lines.get(p.line);
    const better = !old || (p.diff
      ? Math.abs(p.global) > Math.abs(old.global) ||
        (Math.abs(p.global) === Math.abs(old.global) && Math.abs(p.cumDelta) > Math.abs(old.cumDelta))
      : p.cum > old.cum);
    if (better) lines.set(p.line, p);
  }
  return lines;
}

/** Expected paint (line -> level) and hints (line -> text) of a profile's points under a hints mode. */
export function heatFor(points, mode = 'both') {
  const paint = new Map();
  const hints = new Map();
  for (const p of points.values()) {
    if (p.local === 0 && p.global === 0) continue;
    const level = mode === 'off' ? 0 : mode === 'local' ? p.local : p.global;
    if (level > 0) paint.set(p.line, level);
    // dump's values are microseconds for a time sample type; hints show
    // seconds with two decimals, as the CLI's top and info do.
    const value = `${(p.cum / 1e6).toFixed(2)}s`;
    if (mode === 'both') hints.set(p.line, `G${p.global} L${p.local} · ${value}`);
    if (mode === 'global' && p.global > 0) hints.set(p.line, `G${p.global} · ${value}`);
    if (mode === 'local' && p.local > 0) hints.set(p.line, `L${p.local} · ${value}`);
  }
  return { paint, hints };
}

// ---------------------------------------------------------------------------
// Reading the page

/**
 * The visible editor as the page draws it: for each line number in the
 * margin, the signed level whose theme colour its line decoration has (N:
 * --vscode-heatls-levelNBackground, -N: --vscode-heatls-improvementNBackground;
 * the largest in size when there are several) and the text of the line,
 * inlay hints included (non-breaking spaces made plain).
 */
export async function readEditor(page) {
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
    // Line decorations are the children of .view-overlays' line divs; the
    // extension's are those whose background is one of the level colours.
    const levels = {};
    const classes = {};
    for (const div of editor.querySelectorAll('.view-overlays > div')) {
      const n = numberAt.get(top(div));
      if (n === undefined) continue;
      let level = 0;
      for (const el of div.children) {
        const l = levelOf(el);
        if (l !== 0) {
          classes[[...el.classList].filter((c) => /TextEditorDecorationType/.test(c)).join(' ')] = l;
          if (Math.abs(l) > Math.abs(level)) level = l;
        }
      }
      if (level !== 0) levels[n] = level;
    }
    const texts = {};
    for (const div of editor.querySelectorAll('.view-lines > .view-line')) {
      const n = numberAt.get(top(div));
      if (n !== undefined) texts[n] = div.textContent.replace(/[\u00a0\s]+/g, ' ').trim();
    }
    return { levels, texts, lineCount: numberAt.size, classes, colours };
  });
}

/** A hint at the end of a line: a profile's ("G3 L2 · 1.20s") or a diff's ("G+2 L-1 · +0.10s (+5.0%)"). */
const HINT = /\b(?:G[+-]?\d L[+-]?\d|G[+-]?\d|L[+-]?\d) · \S+( \((?:new|gone|[+-]\d+\.\d%)\))?$/;

export function sameMap(obj, map) {
  const keys = Object.keys(obj);
  return keys.length === map.size && keys.every((k) => map.get(Number(k)) === obj[k]);
}
export function fmtMap(m) {
  const entries = m instanceof Map ? [...m] : Object.entries(m).map(([k, v]) => [Number(k), v]);
  return entries.sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(' ') || '(none)';
}

/**
 * Waits (up to ms) until the editor shows want ({paint, hints}: line ->
 * level, line -> hint text), then checks it: the editor is visible, the
 * painted lines and their levels, the hints (every other line has none).
 */
export async function expectEditor(page, want, label, ms = 20_000) {
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
    `${label}: painted lines and levels (${want.paint.size} lines)`,
    `want ${fmtMap(want.paint)}\ngot  ${fmtMap(seen.levels)}\n` +
    `level colours ${JSON.stringify(seen.colours)}, decoration classes seen ${JSON.stringify(seen.classes)}`);
  const wrong = [];
  for (const [n, text] of Object.entries(seen.texts)) {
    const hint = want.hints.get(Number(n));
    if (hint ? !text.endsWith(hint) : HINT.test(text)) {
      wrong.push(`line ${n}: want ${hint ? `"…${hint}"` : 'no hint'}, got "${text}"`);
    }
  }
  for (const n of want.hints.keys()) {
    if (!(n in seen.texts)) wrong.push(`line ${n}: not on screen`);
  }
  const hinted = check(wrong.length === 0, `${label}: inlay hints (${want.hints.size})`, wrong.join('\n'));
  return painted && hinted;
}

export async function statusText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')]
    .map((e) => e.innerText.replace(/\s+/g, ' ').trim()).filter(Boolean).join(' | '));
}

/** The text of the notification toasts. */
export async function toastText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.notifications-toasts .notification-toast')]
    .map((e) => e.innerText.replace(/\s+/g, ' ').trim()).join(' | '));
}

/** The text of the notification center's entries (while it shows). */
export async function centerText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.notifications-center .notification-list-item')]
    .map((e) => e.innerText.replace(/\s+/g, ' ').trim()).join(' | '));
}

/** The rows of the quick pick titled title: {label, description}. */
export async function pickRows(page, title) {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  return widget.evaluate((w) => [...w.querySelectorAll('.monaco-list-row')].map((row) => {
    const names = row.querySelectorAll('.label-name');
    const descriptions = row.querySelectorAll('.label-description');
    const clean = (el) => (el ? el.textContent.replace(/[\u00a0]/g, ' ').trim() : '');
    return { label: clean(names[0]), description: clean(descriptions[0]) };
  }));
}

// ---------------------------------------------------------------------------
// Driving the page

/** Runs a palette command by its title (F1, type, wait for the row, Enter). */
export async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title })
    .first().waitFor({ timeout: 10_000 });
  // The first row is the best match; wait for the list to settle on it.
  await until(async () => (await page.locator('.quick-input-widget .monaco-list-row.focused')
    .first().textContent({ timeout: 1000 }))?.includes(title), 5_000);
  await page.keyboard.press('Enter');
}

/**
 * Opens name with Ctrl+P (the row that has rowText: the base name when name
 * is a path, which the row shows apart from its folder); waits until its
 * line shows text (a line only that file has: the editor before it may
 * start the same way), and checks that it did. On a busy machine Quick Open
 * can drop the keys; the whole sequence is retried.
 */
export async function openFile(page, name, line, text, rowText = path.basename(name)) {
  const shows = async () => (await readEditor(page))?.texts?.[line]?.startsWith(text);
  const opened = await until(async () => {
    await until(async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget .quick-input-box input')
        .waitFor({ state: 'visible', timeout: 3000 });
      return true;
    }, 20_000);
    await page.keyboard.type(name);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: rowText })
      .first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    return until(shows, 10_000);
  }, 40_000);
  return check(Boolean(opened), `${name} opens in an editor`);
}

/** Answers the quick input that shows title: fills value (when given), then Enter. */
export async function answerInput(page, title, value) {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  const box = widget.locator('.quick-input-box input');
  if (value !== undefined) {
    await box.fill(value);
    await until(async () => (await box.inputValue()) === value, 3_000);
  }
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
}

/** Picks the row of the quick pick titled title that has text (typed as a filter). */
export async function answerPick(page, title, text) {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  await widget.locator('.quick-input-box input').fill(text);
  await until(async () => (await widget.locator('.monaco-list-row.focused').first()
    .textContent({ timeout: 1000 }))?.includes(text), 5_000);
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
}

/**
 * Types file into VS Code's simple file dialog titled title and accepts it;
 * checks (as name) that the dialog took it.
 */
export async function answerFileDialog(page, title, file, name = `the file dialog "${title}" takes ${path.basename(file)}`) {
  const dialog = page.locator('.quick-input-widget', { hasText: title });
  await dialog.waitFor({ state: 'visible', timeout: 15_000 });
  const box = dialog.locator('.quick-input-box input');
  // Typed, not filled: the dialog follows keystrokes (it ignores an Enter
  // after a fill). It puts the current folder in the box when it is ready:
  // type over that, and again if the typing raced with it.
  for (let attempt = 0; attempt < 3; attempt++) {
    await until(async () => (await box.inputValue()).endsWith('/'), 5_000);
    await page.waitForTimeout(300);
    await box.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(file, { delay: 5 });
    if (await until(async () => (await box.inputValue()) === file, 2_000)) break;
    log(`the file dialog shows "${await box.inputValue()}"; typing again`);
    await box.fill('/');
  }
  // Enter accepts once the dialog has caught up with the typing; repeat it
  // until the dialog closes.
  const closed = await until(async () => {
    await page.waitForTimeout(300);
    if (!(await dialog.isVisible())) return true;
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden', timeout: 2000 });
    return true;
  }, 15_000, 0);
  return check(Boolean(closed), name,
    `dialog: ${await dialog.isVisible() ? await box.inputValue() : 'closed'}`);
}
