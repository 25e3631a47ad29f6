#!/usr/bin/env node
// lsp_pyroscope.test.mjs: the language server loading profiles from a
// Grafana Pyroscope server, against pyroscopesvc (the stand-in of
// testdata/programs/pyroscopesvc) on 127.0.0.1 (plain Node, no packages).
//
//   node lsp_pyroscope.test.mjs HEATLS PYROSCOPESVC
//
// heatls.loadProfile with pyroscope+http:// URLs: progress, the summary
// and status naming "pyroscope: checkout cpu now-15m", decorations of an
// open wordfreq file and hotspots with its uri; both RPCs and the
// fallback (as the stand-in saw the calls); heatls.pyroscopeServices;
// credentials from the URL and the tenant from settings headers; the
// profile setting as a Pyroscope URL; heatls.reloadProfile; every bad
// answer failing with the previous profile kept. No credential reaches
// stderr.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SLOW, check, sleep, startService as startSvc, Server, status, run } from './net_lsp.mjs';

const [heatls, svcBin] = process.argv.slice(2).length >= 2
  ? process.argv.slice(2) : (() => { console.error('usage: lsp_pyroscope.test.mjs HEATLS PYROSCOPESVC'); process.exit(2); })();
const here = path.dirname(fileURLToPath(import.meta.url));
const wordfreq = path.resolve(here, '../../testdata/programs/wordfreq');
const PASSWORD = 'pyro-s3cret';

// A pyroscopesvc serving wordfreq's profiles, with args; resolves to its
// port.
function startService(args) {
  return startSvc(svcBin, ['-cpu', path.join(wordfreq, 'cpu.pb.gz'),
    '-heap', path.join(wordfreq, 'heap.pb.gz'), ...args]);
}

async function calls(port) {
  const r = await fetch(`http://127.0.0.1:${port}/calls`);
  return r.json();
}

async function last(port, method) {
  const r = await fetch(`http://127.0.0.1:${port}/last/${method}`);
  return r.json();
}

async function main() {
  const port = await startService(['-user', 'alice', '-password', PASSWORD, '-tenant', 'team-a']);
  const pyro = `pyroscope+http://alice:${PASSWORD}@127.0.0.1:${port}`;
  const s = new Server(heatls);
  let r = await s.call('initialize', {
    processId: null,
    rootUri: pathToFileURL(wordfreq).href,
    workspaceFolders: [{ uri: pathToFileURL(wordfreq).href, name: 'wordfreq' }],
    capabilities: { window: { workDoneProgress: true } },
    initializationOptions: { logLevel: 'debug', headers: { 'X-Scope-OrgID': 'team-a' } },
  });
  check(r && r.result && r.result.capabilities.executeCommandProvider.commands.includes('heatls.pyroscopeServices'),
    'heatls.pyroscopeServices is offered', JSON.stringify(r));
  s.notify('initialized', {});
  const countGo = path.join(wordfreq, 'count.go');
  const uri = pathToFileURL(countGo).href;
  s.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'go', version: 1,
    text: fs.readFileSync(countGo, 'utf8') } });

  // 1. The listing, for a pick list: the server's URL as http:// too.
  r = await s.call('workspace/executeCommand', { command: 'heatls.pyroscopeServices',
    arguments: [`http://alice:${PASSWORD}@127.0.0.1:${port}`] });
  check(r && r.result && JSON.stringify(r.result.services) === '["checkout","cart"]',
    'pyroscopeServices answers the services', JSON.stringify(r));
  const cpuType = r && r.result && r.result.types.find((t) => t.name === 'cpu');
  check(cpuType && cpuType.id === 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', 'and the types with names',
    JSON.stringify(r && r.result && r.result.types));
  check((await last(port, 'LabelValues')).tenant === 'team-a', 'the listing sends the tenant of the settings');
  r = await s.call('workspace/executeCommand', { command: 'heatls.pyroscopeServices', arguments: [{ url: `${pyro}/denied` }] });
  check(r && r.error && /Pyroscope answered permission_denied: this tenant may not read profiles$/.test(r.error.message),
    'a listing\'s Connect error as it came', JSON.stringify(r));
  // A listing that hangs, cancelled: answered -32800 at once.
  let lid = s.request('workspace/executeCommand', { command: 'heatls.pyroscopeServices', arguments: [`${pyro}/hang`] });
  await sleep(300);
  const tl = Date.now();
  s.notify('$/cancelRequest', { id: lid });
  r = await s.reply(lid, 5000);
  check(r && r.error && r.error.code === -32800 && Date.now() - tl < 1000 * SLOW, 'a listing is cancelled at once', JSON.stringify(r));
  r = await s.call('workspace/executeCommand', { command: 'heatls.pyroscopeServices', arguments: ['ftp://x'] });
  check(r && r.error && r.error.code === -32602, 'a listing of a bad URL is refused', JSON.stringify(r));

  // 2. A load: progress, the summary, decorations of count.go, hotspots.
  let before = (await calls(port)).length;
  let from = s.messages.length;
  let t0 = Date.now();
  let id = s.command('heatls.loadProfile', [`${pyro}/?service=checkout&from=now-15m`], 'p1');
  r = await s.reply(id, 20000);
  console.log(`Pyroscope load (SelectMergeStacktraces): request to answer ${Date.now() - t0} ms`);
  const name = 'pyroscope: checkout cpu now-15m';
  check(r && r.result && r.result.sampleType === 'cpu' && r.result.path === name,
    'a Pyroscope load is answered with its name', JSON.stringify(r));
  const prog = s.progress('p1');
  check(prog[0] && prog[0].kind === 'begin' && prog[0].message === name && prog[0].cancellable === true,
    'its progress names the source', JSON.stringify(prog[0]));
  check(prog.length && prog[prog.length - 1].kind === 'end' && prog[prog.length - 1].message === 'loaded', 'its progress ends loaded');
  const deco = s.messages.slice(from).find((m) => m.method === 'heatls/decorations' && m.params.uri === uri);
  check(deco && JSON.stringify(deco.params).includes('"line"'), 'count.go is painted', JSON.stringify(deco && deco.params).slice(0, 200));
  r = await s.call('workspace/executeCommand', { command: 'heatls.hotspots', arguments: [{ limit: 50 }] });
  check(r && Array.isArray(r.result) && r.result.some((h) => h.uri === uri), 'hotspots give the local uri', JSON.stringify(r && r.result && r.result[0]));
  check(JSON.stringify((await calls(port)).slice(before)) === '["/SelectMergeStacktraces"]', 'SelectMergeStacktraces answered the pprof');
  const sent = await last(port, 'SelectMergeStacktraces');
  check(sent.format === 4 && sent.end - sent.start === 900000 && sent.authorization === 'Basic' && sent.tenant === 'team-a' &&
    sent.label_selector === '{service_name="checkout"}', 'what heatls sent', JSON.stringify(sent));
  check((await status(s)) === name, 'status names the Pyroscope source');

  // 3. The fallbacks, each to SelectMergeProfile.
  for (const [mode, type, sampleType] of [['old', 'cpu', 'cpu'], ['v0', 'alloc_space', 'inuse_space'], ['nomux', 'cpu', 'cpu']]) {
    before = (await calls(port)).length;
    t0 = Date.now();
    r = await s.reply(s.command('heatls.loadProfile', [`${pyro}/${mode}?service=checkout&type=${type}&from=now-15m`]), 20000);
    console.log(`Pyroscope load (${mode}, two calls): request to answer ${Date.now() - t0} ms`);
    check(r && r.result && r.result.sampleType === sampleType, `${mode}: loaded by the fallback`, JSON.stringify(r));
    check(JSON.stringify((await calls(port)).slice(before)) ===
      JSON.stringify([`${mode}/SelectMergeStacktraces`, `${mode}/SelectMergeProfile`]), `${mode}: both RPCs, in order`);
  }
  r = await s.reply(s.command('heatls.loadProfile', [`${pyro}/?service=checkout&from=now-15m`]), 20000);
  check(r && r.result && r.result.path === name, 'loaded again');

  // 4. Reload: the same query asked again.
  before = (await calls(port)).length;
  r = await s.reply(s.command('heatls.reloadProfile', [], 'rl'), 20000);
  check(r && r.result && r.result.path === name, 'reloadProfile asks Pyroscope again', JSON.stringify(r));
  check((await calls(port)).length === before + 1, 'one call for the reload');

  // 5. Bad answers: each a clear error, the previous profile kept.
  const bad = [
    [`${pyro}/denied?service=checkout`, /Pyroscope answered permission_denied: this tenant may not read profiles$/],
    [`pyroscope+http://alice:wrong-${PASSWORD}@127.0.0.1:${port}/?service=checkout`, /Pyroscope answered unauthenticated: no valid credentials$/],
    [`${pyro}/html?service=checkout`, /an HTML page, not Pyroscope's API/],
    [`${pyro}/text?service=checkout`, /Content-Type text\/plain, not application\/proto/],
    [`${pyro}/?service=nosuch`, /Pyroscope has no samples of process_cpu:cpu:nanoseconds:cpu:nanoseconds for \{service_name="nosuch"\}/],
    ['pyroscope+http://127.0.0.1:1/?service=checkout', /Connection refused|Couldn't connect/],
    [{ path: `${pyro}/hang?service=checkout`, timeout: 1 }, /timed out after/],
    [`${pyro}/?service=checkout&from=later`, /from "later": not a time/],
  ];
  for (const [arg, want] of bad) {
    r = await s.reply(s.command('heatls.loadProfile', [arg]), 10000);
    const what = `bad source ${JSON.stringify(arg).replace(PASSWORD, '***')}`;
    check(r && r.error && r.error.code === -32803 && want.test(r.error.message), what, JSON.stringify(r && r.error));
    check(r && r.error && !r.error.message.includes(PASSWORD), `${what}: no password in the error`);
    check((await status(s)) === name, `${what}: the previous profile stays`);
  }

  // 6. A load cancelled while Pyroscope does not answer: the profile stays.
  id = s.command('heatls.loadProfile', [`${pyro}/hang?service=checkout`], 'hc');
  await s.wait((m) => m.method === '$/progress' && m.params.token === 'hc', 5000);
  await sleep(300);
  s.notify('$/cancelRequest', { id });
  r = await s.reply(id, 5000);
  check(r && r.error && r.error.code === -32800, 'a hanging query is cancelled', JSON.stringify(r));
  check((await status(s)) === name, 'the previous profile stays after the cancel');

  // 7. The profile setting as a Pyroscope URL.
  s.notify('workspace/didChangeConfiguration', { settings: { heatls: {
    profile: `${pyro}/?service=cart&type=inuse_space&from=now-30m` } } });
  const cart = 'pyroscope: cart inuse_space now-30m';
  for (let i = 0; i < 50 * SLOW && (await status(s)) !== cart; i++) await sleep(100);
  check((await status(s)) === cart, 'the profile setting takes a Pyroscope URL', await status(s));
  // A setting that cannot be used (a bad time) with a password in it: the
  // message names the parameter, never the password; the profile stays.
  const seen = s.messages.length;
  s.notify('workspace/didChangeConfiguration', { settings: { heatls: {
    profile: `pyroscope+http://alice:${PASSWORD}@127.0.0.1:${port}/?service=checkout&from=later` } } });
  const shown = await s.wait((m) => m.method === 'window/showMessage' && /from "later"/.test(m.params.message),
    5000, seen);
  check(shown && !shown.params.message.includes(PASSWORD), 'a bad profile setting is shown without its password',
    JSON.stringify(shown && shown.params.message.replace(PASSWORD, '***')));
  check((await status(s)) === cart, 'the previous profile stays after a bad profile setting');

  r = await s.call('shutdown', null);
  s.notify('exit', null);
  const code = await Promise.race([s.exited, sleep(10000 * SLOW).then(() => 'hung')]);
  check(code === 0, 'exit status 0', String(code));
  check(!s.stderr.includes(PASSWORD), 'no password on stderr');
  const leak = s.stderr.split("\n").filter((l) => l.includes("team-a"));
  check(leak.length === 0, "no header value on stderr", leak.join(" / "));
}

await run(main);
