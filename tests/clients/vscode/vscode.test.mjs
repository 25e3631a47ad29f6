// The VS Code client (editors/vscode) in real VS Code: code-server driven by
// Debian's Chromium through playwright-core, against the heatls binary under
// test.
//
//   node vscode.test.mjs --heatls BIN --source DIR --build DIR [--tools DIR]
//                        [--pprofsvc BIN]
//
// Packages the extension into a .vsix, installs it into a fresh code-server
// profile, opens a copy of testdata/programs/wordfreq (under a path unlike
// the profile's /home/ci/work/wordfreq), opens count.go, loads cpu.pb.gz with
// "heatls: Load Profile" through VS Code's simple file dialog, and checks
// what the page shows against `heatls dump`: the painted lines and their
// levels, the inlay hints and the status bar; then the same after each
// "heatls: Toggle Level", on tokenize.go opened after the load, then
// "heatls: Show Hotspots" and "heatls: Clear Profile". Saves a screenshot to
// BUILD/vscode-heatls.png. Then a capture from a running service: pprofsvc
// (--pprofsvc, the Go service of testdata/programs/pprofsvc) serves
// net/http/pprof on 127.0.0.1 behind a small proxy of the test's that keeps
// each body it passes on; "heatls: Capture Profile from URL..." takes 2 s of
// CPU from its /debug/pprof (the URL box, the pick of profiles, the
// duration, "once"), with the progress in a notification that counts the
// seconds and has a Cancel button; the painted lines and hints of the
// service's main.go must be what `heatls dump` says of the body the proxy
// kept, and the status bar names the source. Then "heatls: Reload Profile"
// (the same again, the URL box proposing the last URL on the way), a
// capture cancelled from its notification, and one again and again (1 s
// rounds) until the Cancel of a later round's notification. The extension is built in BUILD/extension and
// VS Code's state is in BUILD/run (code-server.log, data/logs).
//
// Prints "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
// Exit status: 0 when every check passed, 1 otherwise, 77 when skipped.
//
// The tools come from tools/deps-vscode.sh (--tools, default
// /opt/heatls-vscode). When they or Chromium are missing the test is skipped
// (exit 77), unless CI is set, when that is a failure. Every wait is bounded.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

// ---------------------------------------------------------------------------
// Arguments and tools

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
for (const key of ['heatls', 'source', 'build']) {
  if (!args[key]) {
    console.error('usage: node vscode.test.mjs --heatls BIN --source DIR --build DIR [--tools DIR]');
    process.exit(2);
  }
}
const heatls = path.resolve(args.heatls);
const source = path.resolve(args.source);
const build = path.resolve(args.build);
const tools = path.resolve(args.tools || process.env.HEATLS_VSCODE_TOOLS || '/opt/heatls-vscode');
const ci = /^(1|true|yes|on)$/i.test(process.env.CI || '');
const pprofsvc = args.pprofsvc ? path.resolve(args.pprofsvc) : undefined;

// Node.js 24 and its npm (tools/deps-vscode.sh writes bin/npm, which builds
// native modules for that Node).
const nodeBin = path.join(tools, 'bin');
const codeServer = path.join(tools, 'code-server/node_modules/.bin/code-server');
const playwrightDir = path.join(tools, 'playwright');
const chromiumBin = '/usr/lib/chromium/chromium';
const extensionDir = path.join(source, 'editors/vscode');
const wordfreq = path.join(source, 'testdata/programs/wordfreq');
const profile = path.join(wordfreq, 'cpu.pb.gz');

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

// The test itself runs on that Node 24, whichever node started it:
// playwright-core is loaded into this process.
const node24 = path.join(nodeBin, 'node');
if (fs.realpathSync(process.execPath) !== fs.realpathSync(node24)) {
  const r = spawnSync(node24, process.argv.slice(1), { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

// Node 24 first on PATH: code-server and vsce run on it. The extension's
// packages are installed by bin/npm, never by the machine's npm.
const toolEnv = { ...process.env, PATH: `${nodeBin}:${process.env.PATH}` };
const npm = path.join(nodeBin, 'npm');
let toolsStamp = ''; // the versions tools/deps-vscode.sh installed
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

// ---------------------------------------------------------------------------
// Checks

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

/** Polls fn until it returns a truthy value or ms pass; returns the last value. */
async function until(fn, ms, every = 150) {
  const end = Date.now() + ms;
  let value;
  for (;;) {
    try {
      value = await fn();
    } catch (err) {
      value = undefined;
    }
    if (value || Date.now() >= end) return value;
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Runs a command to completion (bounded); throws with its output on failure. */
function run(command, argv, options) {
  const r = spawnSync(command, argv, { encoding: 'utf8', timeout: 300_000, ...options });
  if (r.status !== 0) {
    throw new Error(`${command} ${argv.join(' ')} failed (${r.error ?? `exit ${r.status}`}):\n` +
      `${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

// ---------------------------------------------------------------------------
// What the page should show, from `heatls dump`

/** Per profile line of the file named base: the hottest point (largest cum). */
function expectedLines(base, from = profile) {
  const dump = run(heatls, ['dump', from]);
  const lines = new Map();
  let inFile = false;
  for (const row of dump.split('\n')) {
    const f = row.split('\t');
    if (f[0] === 'F') inFile = JSON.parse(f[5]).endsWith(`/${base}`);
    else if (f[0] === 'P' && inFile) {
      const [line, flat, cum, local, global] = f.slice(1).map(Number);
      const old = lines.get(line);
      if (!old || cum > old.cum) lines.set(line, { line, flat, cum, local, global });
    }
  }
  return lines;
}

/** Expected paint and hint per (1-based) line under a hints mode. */
function expectFor(points, mode) {
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
 * margin, the heat level of its line decoration (the level whose theme colour
 * --vscode-heatls-levelNBackground the decoration's background is) and the
 * text of the line, inlay hints included.
 */
async function readEditor(page) {
  return page.evaluate(() => {
    // The colour of each level as the theme resolves it, "r,g,b,a".
    const workbench = document.querySelector('.monaco-workbench');
    const rgba = (css) => {
      const m = /rgba?\(([^)]*)\)/.exec(css || '');
      if (!m) return null;
      const v = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return v.length >= 3 ? [v[0], v[1], v[2], v.length > 3 ? v[3] : 1] : null;
    };
    const levelColours = [];
    for (let level = 1; level <= 5; level++) {
      const c = rgba(getComputedStyle(workbench).getPropertyValue(`--vscode-heatls-level${level}Background`));
      if (c) levelColours.push([level, c]);
    }
    const levelOf = (el) => {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (!c || c[3] === 0) return 0;
      const hit = levelColours.find(([, l]) =>
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
        if (l > 0) {
          classes[[...el.classList].filter((c) => /TextEditorDecorationType/.test(c)).join(' ')] = l;
          level = Math.max(level, l);
        }
      }
      if (level > 0) levels[n] = level;
    }
    const texts = {};
    for (const div of editor.querySelectorAll('.view-lines > .view-line')) {
      const n = numberAt.get(top(div));
      if (n !== undefined) texts[n] = div.textContent.replace(/[\u00a0\s]+/g, ' ').trim();
    }
    return {
      levels,
      texts,
      lineCount: numberAt.size,
      classes,
      colours: levelColours,
    };
  });
}

const HINT = /\b(?:G\d L\d|G\d|L\d) · \S+$/;

/** Waits until the editor shows want (paint and hints), then checks it. */
async function expectEditor(page, want, label, ms = 20_000) {
  let seen;
  const matches = (got) => {
    if (!got || got.lineCount === 0) return false;
    const paintOk = sameMap(got.levels, want.paint);
    const hintsOk = Object.entries(got.texts).every(([n, text]) => {
      const hint = want.hints.get(Number(n));
      return hint ? text.endsWith(hint) : !HINT.test(text);
    });
    return paintOk && hintsOk;
  };
  await until(async () => matches((seen = await readEditor(page))), ms);
  if (!check(seen && seen.lineCount > 0, `${label}: the editor is visible`)) return false;
  const painted = check(sameMap(seen.levels, want.paint), `${label}: painted lines and levels`,
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

function sameMap(obj, map) {
  const keys = Object.keys(obj);
  return keys.length === map.size && keys.every((k) => map.get(Number(k)) === obj[k]);
}
function fmtMap(m) {
  const entries = m instanceof Map ? [...m] : Object.entries(m).map(([k, v]) => [Number(k), v]);
  return entries.sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(' ') || '(none)';
}

async function statusText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.part.statusbar .statusbar-item')]
    .map((e) => e.innerText.replace(/\s+/g, ' ').trim()).filter(Boolean).join(' | '));
}

/** Runs a palette command by its title (F1, type, wait for the row, Enter). */
async function runCommand(page, title) {
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

/** Opens name with Ctrl+P (the row that has rowText: the base name when
 * name is a path, which the row shows apart from its folder); waits until
 * its line shows text (a line only that file has: the editor before it may
 * start the same way). On a busy machine Quick Open can drop the keys; the
 * whole sequence is retried. */
async function openFile(page, name, line, text, rowText = path.basename(name)) {
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
  check(Boolean(opened), `${name} opens in an editor`);
}

/** The toggle writes user settings; the server repaints after it. */
async function toggleLevel(page) {
  await runCommand(page, 'heatls: Toggle Level');
}

// ---------------------------------------------------------------------------
// The session

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
// A capture from a running service

/** pprofsvc on 127.0.0.1; resolves to {port, child}. It ends when its stdin closes. */
function startService() {
  return new Promise((resolve, reject) => {
    const child = spawn(pprofsvc, ['-life', '200s'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error('pprofsvc did not start within 10 s')), 10_000);
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

/**
 * A proxy on 127.0.0.1 in front of port that keeps each answer's body in
 * dir/captured-N.pb.gz (bodies lists them) and passes it on whole. A client
 * that goes away takes the upstream request with it.
 */
function startRecorder(port, dir) {
  const bodies = [];
  const server = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const chunks = [];
        answer.on('data', (c) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const file = path.join(dir, `captured-${bodies.length + 1}.pb.gz`);
          fs.writeFileSync(file, body);
          bodies.push({ url: req.url, status: answer.statusCode, file });
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(answer.statusCode, headers);
          res.end(body);
        });
      });
    up.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableEnded) up.destroy();
    });
    req.pipe(up);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, bodies, server }));
  });
}

/** The text of the notification toasts. */
async function toastText(page) {
  return page.evaluate(() => [...document.querySelectorAll('.notifications-toasts .notification-toast')]
    .map((e) => e.innerText.replace(/\s+/g, ' ').trim()).join(' | '));
}

/** Answers the quick input that shows title: fills value (when given), then Enter. */
async function answerInput(page, title, value) {
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

/** Picks the row of the quick pick titled title that has text. */
async function answerPick(page, title, text) {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  await widget.locator('.quick-input-box input').fill(text);
  await until(async () => (await widget.locator('.monaco-list-row.focused').first()
    .textContent({ timeout: 1000 }))?.includes(text), 5_000);
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
}

/**
 * Watches the toasts while a capture runs until done() (or ms pass): the
 * progress messages seen, whether a Cancel button showed, whether the toast
 * went away at the end, and the status bar then.
 */
async function watchCapture(page, done, ms = 40_000) {
  const seen = new Set();
  let cancelButton = false;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const text = await toastText(page).catch(() => '');
    if (text) seen.add(text);
    if (await page.locator('.notifications-toasts .notification-toast a.monaco-button', { hasText: 'Cancel' })
      .count().catch(() => 0)) cancelButton = true;
    if (await done()) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const closed = await until(async () => !(await toastText(page)).includes('fetching profile'), 10_000);
  return { seen: [...seen], cancelButton, status: await statusText(page), closed };
}

async function capture(page, work) {
  if (!pprofsvc) {
    check(false, 'the capture runs (no --pprofsvc given)');
    return;
  }
  const svc = await startService();
  const recorder = await startRecorder(svc.port, work);
  try {
    const index = `http://127.0.0.1:${recorder.port}/debug/pprof`;
    const source = `live: 127.0.0.1:${recorder.port} cpu 2s`;
    log(`pprofsvc on port ${svc.port}, the recording proxy on ${recorder.port}`);
    await openFile(page, 'pprofsvc/main.go', 1, '// pprofsvc:');

    // The painted lines and hints against heatls dump of the body the proxy kept.
    const checkCaptured = async (what, body) => {
      check(body && body.status === 200 && /^\/debug\/pprof\/profile\?(.*&)?seconds=2\b/.test(body.url),
        `${what}: the service answered the 2 s CPU capture`, JSON.stringify(body));
      if (!body) return;
      const points = expectedLines('pprofsvc/main.go', body.file);
      check(points.size > 0, `${what}: heatls dump of the captured body has lines of main.go (${points.size})`);
      await expectEditor(page, expectFor(points, 'both'), what);
    };
    const checkProgress = (what, watched) => {
      check(watched.seen.some((t) => /capturing CPU profile: \d+ s of 2\b/.test(t)),
        `${what}: the notification counts the capture's seconds`, watched.seen.join('\n'));
      check(watched.cancelButton, `${what}: the notification has a Cancel button`, watched.seen.join('\n'));
      check(watched.closed, `${what}: the notification goes away at the end`, watched.seen.join('\n'));
      check(watched.status.includes(`${source} · cpu `),
        `${what}: the status bar names the source "${source}"`, `status bar: ${watched.status}`);
    };

    // 11a. heatls: Capture Profile from URL... on the /debug/pprof index.
    await runCommand(page, 'heatls: Capture Profile from URL...');
    await answerInput(page, 'heatls: capture a profile from a URL', index);
    await answerPick(page, 'heatls: which profile', 'CPU');
    await answerInput(page, 'heatls: capture for how many seconds', '2');
    await answerPick(page, 'heatls: once, or again and again', 'Capture once');
    let watched = await watchCapture(page, async () => (await statusText(page)).includes(source));
    checkProgress('captured', watched);
    await checkCaptured('captured', recorder.bodies[0]);

    // 11b. The URL box proposes the last URL (Escape leaves it).
    await runCommand(page, 'heatls: Capture Profile from URL...');
    const box = page.locator('.quick-input-widget', { hasText: 'heatls: capture a profile from a URL' })
      .locator('.quick-input-box input');
    await box.waitFor({ state: 'visible', timeout: 15_000 });
    const proposed = await until(async () => ((await box.inputValue()) === index ? index : undefined), 5_000);
    check(proposed === index, 'the URL box proposes the last URL', `shows "${await box.inputValue()}"`);
    await page.keyboard.press('Escape');

    // 11c. heatls: Reload Profile captures the same source again.
    await runCommand(page, 'heatls: Reload Profile');
    watched = await watchCapture(page, async () => recorder.bodies.length >= 2
      && !(await toastText(page)).includes('fetching profile'));
    checkProgress('reloaded', watched);
    check(recorder.bodies.length === 2, 'the reload captured again', `${recorder.bodies.length} bodies`);
    await checkCaptured('reloaded', recorder.bodies[1]);

    // 11d. A 10 s capture cancelled from its notification: the last stays.
    const painted = (await readEditor(page))?.levels;
    await runCommand(page, 'heatls: Capture Profile from URL...');
    await answerInput(page, 'heatls: capture a profile from a URL', `http://127.0.0.1:${recorder.port}`);
    await answerInput(page, 'heatls: capture for how many seconds', '10');
    await answerPick(page, 'heatls: once, or again and again', 'Capture once');
    const button = page.locator('.notifications-toasts .notification-toast a.monaco-button', { hasText: 'Cancel' });
    const counting = await until(async () => /capturing CPU profile: \d+ s of 10\b/.test(await toastText(page)), 15_000);
    check(counting, 'a 10 s capture counts its seconds', await toastText(page));
    await button.first().click({ timeout: 5_000 });
    const told = await until(async () => /capture cancelled; the previous profile stays/.test(await toastText(page)), 10_000);
    check(told, 'the Cancel button cancels the capture, and says so', await toastText(page));
    check(recorder.bodies.length === 2, 'the cancelled capture got no body', `${recorder.bodies.length} bodies`);
    const after = await readEditor(page);
    check(after && sameMap(after.levels, new Map(Object.entries(painted || {}).map(([k, v]) => [Number(k), v]))),
      'after the cancel the last capture stays painted');
    check((await statusText(page)).includes(source), 'after the cancel the status bar still names the source',
      await statusText(page));

    // 11e. Again and again: 1 s rounds back to back, each with a
    // notification of its own, until the Cancel of one of them. Go stops
    // the cancelled capture's profiling when it notices the closed
    // connection: until then a new CPU capture gets "cpu profiling already
    // in use", which would end the repetition.
    await page.waitForTimeout(1500);
    const before = recorder.bodies.length;
    await runCommand(page, 'heatls: Capture Profile from URL...');
    await answerInput(page, 'heatls: capture a profile from a URL', `http://127.0.0.1:${recorder.port}`);
    await answerInput(page, 'heatls: capture for how many seconds', '1');
    await answerPick(page, 'heatls: once, or again and again', 'Capture again and again');
    const rounds = await until(async () => recorder.bodies.length >= before + 3, 30_000);
    check(rounds, 'again and again: three rounds captured back to back',
      `${recorder.bodies.length - before} rounds`);
    const later = await until(async () => /capturing CPU profile: \d+ s of 1\b/.test(await toastText(page)), 10_000);
    check(later, 'again and again: a later round shows its progress in a notification', await toastText(page));
    await button.first().click({ timeout: 5_000 });
    await page.waitForTimeout(500);
    const stopped = recorder.bodies.length;
    await page.waitForTimeout(3000);
    check(recorder.bodies.length === stopped, 'the Cancel of a later round ends the repetition',
      `${stopped} bodies, then ${recorder.bodies.length}`);
    check((await statusText(page)).includes(`live: 127.0.0.1:${recorder.port} cpu 1s`),
      'the status bar names the repeated source', await statusText(page));
  } finally {
    svc.child.kill();
    recorder.server.close();
  }
}

async function main() {
  const points = expectedLines('count.go');
  const tokenizePoints = expectedLines('tokenize.go');
  check(points.size > 0 && tokenizePoints.size > 0,
    `heatls dump lists count.go's and tokenize.go's lines (${points.size}, ${tokenizePoints.size})`);

  const work = path.join(build, 'run');
  fs.rmSync(work, { recursive: true, force: true });
  const dirs = {};
  for (const d of ['extensions', 'data', 'config', 'xdgdata', 'cache', 'chromium', 'workspace/wordfreq-local']) {
    dirs[d] = path.join(work, d);
    fs.mkdirSync(dirs[d], { recursive: true });
  }
  const workspace = dirs['workspace/wordfreq-local'];
  for (const f of fs.readdirSync(wordfreq).filter((f) => f.endsWith('.go') || f === 'go.mod')) {
    fs.copyFileSync(path.join(wordfreq, f), path.join(workspace, f));
  }
  // The service's main.go, for the capture.
  fs.mkdirSync(path.join(workspace, 'pprofsvc'));
  fs.copyFileSync(path.join(source, 'testdata/programs/pprofsvc/main.go'),
    path.join(workspace, 'pprofsvc/main.go'));

  // 1. The .vsix, built from a copy of editors/vscode in the build folder so
  // that the source tree gets no node_modules or out/. npm ci runs again only
  // when package-lock.json or the tools (their stamp: Node and npm) change.
  let t = Date.now();
  const stage = path.join(build, 'extension');
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
  const vsix = path.join(build, 'heatls.vsix');
  run(npm, ['run', 'package', '--', '--out', vsix], { cwd: stage, env: toolEnv });
  log(`packaged ${vsix} (${seconds(t)}s)`);

  // 2. A fresh code-server profile with the extension and our settings.
  const csEnv = {
    ...toolEnv,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.xdgdata,
    XDG_CACHE_HOME: dirs.cache,
  };
  const profileArgs = ['--extensions-dir', dirs.extensions, '--user-data-dir', dirs.data];
  t = Date.now();
  run(codeServer, [...profileArgs, '--install-extension', vsix], { env: csEnv });
  log(`installed the extension (${seconds(t)}s)`);
  fs.mkdirSync(path.join(dirs.data, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.data, 'User/settings.json'), JSON.stringify({
    'heatls.path': heatls,
    // A 1 s capture's default limit is 1.5 s: too tight for a busy machine.
    'heatls.timeout': 30,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'editor.inlayHints.enabled': 'on',
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'files.simpleDialog.enable': true,
    'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false,
    'extensions.ignoreRecommendations': true,
    'workbench.enableExperiments': false,
    'git.enabled': false,
  }, null, 2));

  // 3. code-server.
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
      // already gone
    }
  };
  process.on('exit', cleanup);
  try {
    const up = await until(async () => {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      return r.ok;
    }, 60_000, 250);
    if (!up) throw new Error(`code-server did not answer on port ${port} within 60 s`);
    log(`code-server is up on port ${port}`);

    // 4. Chromium.
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
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`,
      { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
    log('the workbench is up');

    // 5. count.go through Ctrl+P.
    await openFile(page, 'count.go', 24, 'c.counts[w]++');
    log('count.go is open');

    // 6. heatls: Load Profile, through the simple file dialog.
    await runCommand(page, 'heatls: Load Profile');
    const dialog = page.locator('.quick-input-widget', { hasText: 'heatls: load a pprof profile' });
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const pathBox = dialog.locator('.quick-input-box input');
    // Typed, not filled: the dialog follows keystrokes (it ignores an Enter
    // after a fill). It puts the current folder in the box when it is ready:
    // type over that, and again if the typing raced with it.
    for (let attempt = 0; attempt < 3; attempt++) {
      await until(async () => (await pathBox.inputValue()).endsWith('/'), 5_000);
      await page.waitForTimeout(300);
      await pathBox.focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(profile, { delay: 5 });
      if (await until(async () => (await pathBox.inputValue()) === profile, 2_000)) break;
      log(`the file dialog shows "${await pathBox.inputValue()}"; typing again`);
      await pathBox.fill('/');
    }
    // Enter accepts once the dialog has caught up with the typing; repeat
    // it until the dialog closes.
    const closed = await until(async () => {
      await page.waitForTimeout(300);
      if (!(await dialog.isVisible())) return true;
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden', timeout: 2000 });
      return true;
    }, 15_000, 0);
    check(Boolean(closed), 'the file dialog takes the profile path',
      `dialog: ${await dialog.isVisible() ? await pathBox.inputValue() : 'closed'}`);
    log('asked to load the profile');

    const loaded = await expectEditor(page, expectFor(points, 'both'), 'both');
    const status = await until(async () => {
      const s = await statusText(page);
      return s.includes('cpu.pb.gz') ? s : undefined;
    }, 10_000);
    check(Boolean(status) && /cpu\.pb\.gz · cpu \d+\.\d\ds/.test(status),
      'the status bar names the profile, sample type and total',
      `status bar: ${status ?? await statusText(page)}`);
    // The code lenses come with their own refresh: let them in the picture.
    await page.locator('.monaco-editor .codelens-decoration').first()
      .waitFor({ timeout: 3000 }).catch(() => undefined);
    const shot = path.join(build, 'vscode-heatls.png');
    await page.screenshot({ path: shot });
    log(`screenshot: ${shot}`);
    // What follows builds on a loaded profile.
    if (!loaded) throw new Error('the profile did not show: not going on');

    // 7. heatls: Toggle Level cycles both -> global -> local -> off -> both.
    for (const mode of ['global', 'local', 'off', 'both']) {
      await toggleLevel(page);
      await expectEditor(page, expectFor(points, mode), `toggled to ${mode}`);
    }
    const settings = JSON.parse(fs.readFileSync(path.join(dirs.data, 'User/settings.json'), 'utf8'));
    check(settings['heatls.hints'] === 'both', 'the toggle writes heatls.hints to the user settings',
      `heatls.hints = ${JSON.stringify(settings['heatls.hints'])}`);

    // 8. A document opened after the load is painted too.
    await openFile(page, 'tokenize.go', 6, 'func tokenize(');
    await expectEditor(page, expectFor(tokenizePoints, 'both'), 'tokenize.go opened after the load');

    // 9. heatls: Show Hotspots, then open the one on count.go's line 60.
    const hot = [...points.values()].filter((p) => p.line === 60)[0];
    await runCommand(page, 'heatls: Show Hotspots');
    const picker = page.locator('.quick-input-widget', { hasText: 'heatls: hotspots' });
    await picker.waitFor({ state: 'visible', timeout: 15_000 });
    // The list is virtual (only the rows on screen exist): filter it first.
    await until(async () => (await picker.locator('.monaco-list-row').count()) > 1, 10_000);
    const rows = (await picker.locator('.monaco-list-row').allTextContents()).slice(0, 3);
    check(rows.length > 0 && rows.every((r) => /^G\d L\d \d+\.\d\ds \S/.test(r)),
      'the hotspots read "G<g> L<l> <cum> <function>"', `first rows: ${rows.join(' | ')}`);
    await picker.locator('.quick-input-box input').fill('count.go:60');
    const row = picker.locator('.monaco-list-row', { hasText: 'count.go:60' }).first();
    const wantLabel = `G${hot.global} L${hot.local} ${(hot.cum / 1e6).toFixed(2)}s `;
    const rowText = await until(async () => {
      const text = (await row.textContent({ timeout: 1000 }))?.replace(/\s+/g, ' ');
      return text?.startsWith(wantLabel) ? text : undefined;
    }, 10_000);
    check(Boolean(rowText), `the hotspots list "${wantLabel}…" for count.go:60`,
      `rows: ${(await picker.locator('.monaco-list-row').allTextContents()).slice(0, 5).join(' | ')}`);
    await until(async () => (await picker.locator('.monaco-list-row.focused').first()
      .textContent({ timeout: 1000 }))?.includes('count.go:60'), 5_000);
    await page.keyboard.press('Enter');
    const cursor = await until(async () => {
      const s = await statusText(page);
      return /Ln 60, Col 1\b/.test(s) ? s : undefined;
    }, 10_000);
    check(Boolean(cursor), 'picking a hotspot moves the cursor to its line (Ln 60)',
      `status bar: ${await statusText(page)}`);

    await expectEditor(page, expectFor(points, 'both'), 'count.go opened from the hotspots');

    // 10. heatls: Clear Profile (on count.go, which the hotspot opened).
    await runCommand(page, 'heatls: Clear Profile');
    await expectEditor(page, { paint: new Map(), hints: new Map() }, 'cleared');
    const gone = await until(async () => !(await statusText(page)).includes('cpu.pb.gz'), 10_000);
    check(gone, 'the status bar item goes away after the clear', `status bar: ${await statusText(page)}`);

    // 11. A capture from a running service.
    await capture(page, work);
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
  const logFile = path.join(build, 'run/code-server.log');
  if (fs.existsSync(logFile)) console.log(`code-server log: ${logFile}`);
}
console.log(`${passed} passed, ${failed} failed (${seconds()} s)`);
process.exit(failed === 0 ? 0 : 1);
