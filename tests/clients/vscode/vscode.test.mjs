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
// What the VS Code tests share is in harness.mjs.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import {
  answerFileDialog, answerInput, answerPick, check, copyWordfreq, dumpPoints, env, expectEditor, finish,
  heatFor, log, makeWork, openFile, packageExtension, readEditor, runCommand, sameMap, setup, startPortService, startVSCode,
  statusText, toastText, until,
} from './harness.mjs';

const args = setup('vscode.test.mjs', { usage: '[--pprofsvc BIN]' });
const { source, build } = env;
const pprofsvc = args.pprofsvc ? path.resolve(args.pprofsvc) : undefined;
const profile = path.join(env.wordfreq, 'cpu.pb.gz');

/** Per profile line of the file named base: the hottest point (largest cum). */
const expectedLines = (base, from = profile) => dumpPoints([from], base);
const expectFor = heatFor;

/** The toggle writes user settings; the server repaints after it. */
async function toggleLevel(page) {
  await runCommand(page, 'heatls: Toggle Level');
}

// ---------------------------------------------------------------------------
// A capture from a running service

/** pprofsvc on 127.0.0.1; resolves to {port, child}. */
function startService() {
  return startPortService(pprofsvc, ['-life', '200s']);
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

  const dirs = makeWork(path.join(build, 'run'), ['workspace/wordfreq-local/pprofsvc']);
  const workspace = path.join(dirs.work, 'workspace/wordfreq-local');
  copyWordfreq(workspace);
  // The service's main.go, for the capture.
  fs.copyFileSync(path.join(source, 'testdata/programs/pprofsvc/main.go'),
    path.join(workspace, 'pprofsvc/main.go'));

  // 1. The .vsix; 2. a fresh code-server profile with it and our settings;
  // 3. code-server; 4. Chromium.
  const vsix = packageExtension(path.join(build, 'extension'), 'heatls');
  const { page, close } = await startVSCode({
    dirs, workspace, vsix,
    settings: {
      // A 1 s capture's default limit is 1.5 s: too tight for a busy machine.
      'heatls.timeout': 30,
      'editor.inlayHints.enabled': 'on',
      'files.simpleDialog.enable': true,
    },
  });
  try {
    // 5. count.go through Ctrl+P.
    await openFile(page, 'count.go', 24, 'c.counts[w]++');
    log('count.go is open');

    // 6. heatls: Load Profile, through the simple file dialog.
    await runCommand(page, 'heatls: Load Profile');
    await answerFileDialog(page, 'heatls: load a pprof profile', profile, 'the file dialog takes the profile path');
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
    await capture(page, dirs.work);
  } finally {
    await close();
  }
}

await finish(main, path.join(build, 'run/code-server.log'));
