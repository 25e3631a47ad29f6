// "heatls: Load from Pyroscope..." (editors/vscode/src/pyroscope.ts) in real
// VS Code: code-server driven by Debian's Chromium through playwright-core,
// against the heatls binary under test and pyroscopesvc, the stand-in for
// Grafana Pyroscope (testdata/programs/pyroscopesvc) on 127.0.0.1.
//
//   node pyroscope.test.mjs --heatls BIN --source DIR --build DIR
//                           --pyroscopesvc BIN [--tools DIR]
//
// The stand-in serves wordfreq's cpu.pb.gz and heap.pb.gz and wants basic
// auth and a tenant. With a copy of wordfreq open and count.go in an editor:
//   1. the command asked through the palette: the URL box proposes
//      http://localhost:4040; the URL typed carries the user, password and
//      tenant; the services and the profile types offered in the quick picks
//      are the stand-in's; "checkout", "cpu" and "Last hour" are picked.
//      Then the status bar names the source "pyroscope: checkout cpu
//      now-1h", count.go's painted lines and hints are those of `heatls
//      dump` of the profile the stand-in served, and the stand-in got the
//      query of what was picked (its /last/SelectMergeStacktraces);
//   2. a load (through a keybinding's argument) from the stand-in's
//      "denied" mode: its Connect error is shown in a notification as it
//      came ("Pyroscope answered permission_denied: ..."), the profile
//      stays in the status bar and on count.go;
//   3. the command again, on the "denied" URL: the URL box proposes the
//      last URL, and the stand-in's error when asked what it has is shown.
// No notification shows the password. VS Code's state is in
// BUILD/pyroscope-run, the extension is built in BUILD/pyroscope-extension,
// the screenshot goes to BUILD/vscode-pyroscope.png.
// Prints "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
// Exit status: 0 when every check passed, 1 otherwise, 77 when skipped (the
// tools of tools/deps-vscode.sh or Chromium missing, unless CI is set). What
// the VS Code tests share is in harness.mjs.
import path from 'node:path';

import {
  answerInput, answerPick, check, copyWordfreq, dumpPoints, env, expectEditor, finish, heatFor, log, makeWork,
  openFile, packageExtension, pickRows, readEditor, runCommand, same, sameMap, setup, startPortService, startVSCode, statusText,
  toastText, centerText, until,
} from './harness.mjs';

const args = setup('pyroscope.test.mjs', {
  required: ['pyroscopesvc'], binaries: ['pyroscopesvc'], usage: '--pyroscopesvc BIN',
});
const { build } = env;
const pyroscopesvc = path.resolve(args.pyroscopesvc);
const cpuProfile = path.join(env.wordfreq, 'cpu.pb.gz');
const PASSWORD = 'pw-vscode';

/** The stand-in on 127.0.0.1; resolves to {port, child}. */
function startStandIn() {
  return startPortService(pyroscopesvc, ['-life', '300s', '-cpu', cpuProfile,
    '-heap', path.join(env.wordfreq, 'heap.pb.gz'), '-user', 'alice', '-password', PASSWORD, '-tenant', 't1']);
}

/** The methods the stand-in was called with, in order ("MODE/METHOD"). */
async function calls(port) {
  const r = await fetch(`http://127.0.0.1:${port}/calls`);
  return r.ok ? (await r.json()) ?? [] : [];
}

/** What the stand-in says it was last asked with method (decoded), or undefined. */
async function lastRequest(port, method) {
  const r = await fetch(`http://127.0.0.1:${port}/last/${method}`);
  return r.ok ? r.json() : undefined;
}

async function main() {
  const points = dumpPoints([cpuProfile], 'count.go');
  const want = heatFor(points, 'both');
  check(want.paint.size > 0, `heatls dump paints count.go (${want.paint.size} lines)`);

  const svc = await startStandIn();
  const server = `http://alice:${PASSWORD}@127.0.0.1:${svc.port}?tenant=t1`;
  const denied = `http://alice:${PASSWORD}@127.0.0.1:${svc.port}/denied?tenant=t1`;
  log(`pyroscopesvc on port ${svc.port}`);

  const dirs = makeWork(path.join(build, 'pyroscope-run'), ['workspace/wordfreq-local']);
  const workspace = dirs['workspace/wordfreq-local'];
  copyWordfreq(workspace);
  const vsix = packageExtension(path.join(build, 'pyroscope-extension'), 'heatls-pyroscope');
  let vscode;
  try {
    vscode = await startVSCode({
      dirs, workspace, vsix,
      settings: { 'editor.inlayHints.enabled': 'on', 'editor.codeLens': false },
      // The command with every argument, as a keybinding passes it: no question asked.
      keybindings: [{
        key: 'ctrl+alt+y', command: 'heatls.loadFromPyroscope',
        args: { server: denied, service: 'checkout', type: 'cpu', from: 'now-1h' },
      }],
    });
    const { page } = vscode;
    await openFile(page, 'count.go', 24, 'c.counts[w]++');

    // 1. Every step asked and answered.
    await runCommand(page, 'heatls: Load from Pyroscope...');
    const urlBox = page.locator('.quick-input-widget', { hasText: 'heatls: load from Pyroscope' })
      .locator('.quick-input-box input');
    await urlBox.waitFor({ state: 'visible', timeout: 15_000 });
    // The palette's own box (">heatls: Load from ...") shows until the input box replaces it.
    const proposed = await until(async () => {
      const value = await urlBox.inputValue();
      return value && !value.startsWith('>') ? value : undefined;
    }, 5_000);
    check(proposed === 'http://localhost:4040', 'the URL box proposes http://localhost:4040', `shows "${proposed}"`);
    await answerInput(page, 'heatls: load from Pyroscope', server);

    const services = page.locator('.quick-input-widget', { hasText: 'heatls: which service' });
    await services.waitFor({ state: 'visible', timeout: 15_000 });
    same(await until(async () => {
      const rows = (await pickRows(page, 'heatls: which service')).map((r) => r.label);
      return rows.length === 2 ? rows : undefined;
    }, 5_000), ['checkout', 'cart'], 'the services offered are the stand-in\'s');
    await answerPick(page, 'heatls: which service', 'checkout');

    const types = page.locator('.quick-input-widget', { hasText: 'heatls: which profile type' });
    await types.waitFor({ state: 'visible', timeout: 15_000 });
    const typeRows = await until(async () => {
      const rows = await pickRows(page, 'heatls: which profile type');
      return rows.length === 5 ? rows : undefined;
    }, 5_000);
    same(typeRows?.map((r) => r.description), [
      'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
      'memory:alloc_space:bytes:space:bytes',
      'memory:alloc_objects:count:space:bytes',
      'memory:inuse_space:bytes:space:bytes',
      'memory:inuse_objects:count:space:bytes',
    ], 'the profile types offered are the stand-in\'s, by their ids');
    check(typeRows?.[0].label === 'cpu', 'the CPU type is offered by its short name "cpu"', JSON.stringify(typeRows?.[0]));
    await answerPick(page, 'heatls: which profile type', 'cpu');
    await answerPick(page, 'heatls: which range', 'Last hour');

    const source = 'pyroscope: checkout cpu now-1h';
    const status = await until(async () => {
      const s = await statusText(page);
      return s.includes(`${source} · cpu `) ? s : undefined;
    }, 30_000);
    check(Boolean(status), `the status bar names the source "${source}"`, `status bar: ${await statusText(page)}`);
    const shown = await expectEditor(page, want, 'loaded from Pyroscope');
    const query = await lastRequest(svc.port, 'SelectMergeStacktraces');
    check(query?.profile_typeID === 'process_cpu:cpu:nanoseconds:cpu:nanoseconds' &&
      query?.label_selector === '{service_name="checkout"}' && query?.end - query?.start === 3_600_000 &&
      query?.tenant === 't1' && query?.authorization === 'Basic',
    'the stand-in was asked for checkout\'s cpu of the last hour, with the credentials and the tenant',
    JSON.stringify(query));
    const shot = path.join(build, 'vscode-pyroscope.png');
    await page.screenshot({ path: shot });
    log(`screenshot: ${shot}`);
    if (!shown) throw new Error('the profile did not show: not going on');

    // 2. A Connect error from the load: shown as it came; the profile stays.
    const painted = (await readEditor(page))?.levels;
    await until(async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Alt+Y');
      return until(async () => (await calls(svc.port)).some((c) => c.startsWith('denied/')), 3_000);
    }, 20_000, 0);
    const error = 'Pyroscope answered permission_denied: this tenant may not read profiles';
    const told = await until(async () => (await toastText(page)).includes(error), 15_000);
    check(told, `the load's Connect error is shown as it came ("${error}")`, `notifications: ${await toastText(page)}`);
    check((await statusText(page)).includes(`${source} · cpu `), 'after the error the status bar still names the source',
      `status bar: ${await statusText(page)}`);
    const after = await readEditor(page);
    check(after && sameMap(after.levels, new Map(Object.entries(painted || {}).map(([k, v]) => [Number(k), v]))),
      'after the error count.go stays painted');

    // 3. The URL box proposes the last URL; what the server has, refused.
    await runCommand(page, 'heatls: Load from Pyroscope...');
    await urlBox.waitFor({ state: 'visible', timeout: 15_000 });
    const last = await until(async () => ((await urlBox.inputValue()) === server ? server : undefined), 5_000);
    check(last === server, 'the URL box proposes the last URL', `shows "${await urlBox.inputValue()}"`);
    // The listing's error names heatls.pyroscopeServices, so that it is not
    // taken for the load's toast of step 2 (which may still show, or may
    // have gone meanwhile: counting toasts races with their hiding).
    const listingRefused = /heatls\.pyroscopeServices: Pyroscope answered permission_denied: this tenant may not read profiles/;
    const callsBefore = (await calls(svc.port)).length;
    await answerInput(page, 'heatls: load from Pyroscope', denied);
    // A toast, or, when the toasts were hidden meanwhile, an entry of the
    // notification center (where every notification stays).
    let refused = await until(async () => listingRefused.test(await toastText(page)), 15_000);
    if (!refused) {
      log('no such toast: reading the notification center');
      await runCommand(page, 'Notifications: Show Notifications');
      refused = await until(async () => listingRefused.test(await centerText(page)), 5_000);
    }
    check((await calls(svc.port)).slice(callsBefore).some((c) => c.startsWith('denied/') && !c.endsWith('SelectMergeStacktraces')),
      'the stand-in was asked what it has', JSON.stringify(await calls(svc.port)));
    check(Boolean(refused), 'the stand-in\'s error when asked what it has is shown in a notification',
      `notifications: ${await toastText(page)} / center: ${await centerText(page)}`);
    const toasts = await toastText(page);
    check(!toasts.includes(PASSWORD), 'no notification shows the password', toasts);
  } finally {
    if (vscode) await vscode.close();
    svc.child.kill();
  }
}

await finish(main, path.join(build, 'pyroscope-run/code-server.log'));
