#!/usr/bin/env node
// lsp_net.test.mjs: the language server loading profiles from URLs, against
// pprofsvc on 127.0.0.1 (plain Node, no packages).
//
//   node lsp_net.test.mjs HEATLS PPROFSVC
//
// Captures with $/progress (cancellable, "capturing CPU profile: N s of M"),
// cancellation by $/cancelRequest and by window/workDoneProgress/cancel (the
// previous profile stays and the service's capture stops), repeat for three
// rounds then clear, heatls.reloadProfile, headers and HTTPS from settings,
// and bad sources each failing with the previous profile kept. Header
// values never reach stderr. Prints the time from the end of a capture to
// its decorations. HEATLS_NET_SLOW=1 (valgrind) waits longer.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SLOW, check, sleep, startService as startSvc, Server, status, run } from './net_lsp.mjs';

const [heatls, svcBin] = process.argv.slice(2).length >= 2
  ? process.argv.slice(2) : (() => { console.error('usage: lsp_net.test.mjs HEATLS PPROFSVC'); process.exit(2); })();
const here = path.dirname(fileURLToPath(import.meta.url));
const svcSource = path.resolve(here, '../../testdata/programs/pprofsvc/main.go');
const SECRET = 's3cret-token';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heatls-net-'));

// A pprofsvc with args; resolves to its port.
function startService(args) { return startSvc(svcBin, args); }

async function main() {
  const port = await startService([]);
  fs.mkdirSync(path.join(tmp, 'tls'));
  const tlsPort = await startService(['-tls', path.join(tmp, 'tls')]);
  fs.mkdirSync(path.join(tmp, 'mtls'));
  const mtlsPort = await startService(['-tls', path.join(tmp, 'mtls'), '-client-certs']);
  const base = `http://127.0.0.1:${port}`;
  const s = new Server(heatls);
  let r = await s.call('initialize', {
    processId: null, rootUri: null,
    capabilities: { window: { workDoneProgress: true } },
    initializationOptions: {
      logLevel: 'debug',
      headers: { Authorization: `Bearer ${SECRET}`, 'X-Scope-OrgID': 'tenant-1' },
    },
  });
  check(r && r.result, 'initialize', JSON.stringify(r));
  check(r.result.capabilities.executeCommandProvider.commands.includes('heatls.reloadProfile'),
    'heatls.reloadProfile is offered');
  s.notify('initialized', {});
  const uri = pathToFileURL(svcSource).href;
  s.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'go', version: 1,
    text: fs.readFileSync(svcSource, 'utf8') } });

  // 1. A CPU capture of 2 s with progress, then decorations, then the answer.
  let from = s.messages.length;
  const t0 = Date.now();
  let id = s.command('heatls.loadProfile', [{ path: `127.0.0.1:${port}`, seconds: 2 }], 'cpu1');
  r = await s.reply(id, 20000);
  check(r && r.result && r.result.sampleType === 'cpu', 'CPU capture answered', JSON.stringify(r));
  check(r && r.result && r.result.path === `live: 127.0.0.1:${port} cpu 2s`, 'the summary names the live source', r && r.result && r.result.path);
  const prog = s.progress('cpu1');
  check(prog[0] && prog[0].kind === 'begin' && prog[0].cancellable === true, 'progress begins, cancellable', JSON.stringify(prog[0]));
  check(prog.some((v) => v.kind === 'report' && /^capturing CPU profile: [0-2] s of 2$/.test(v.message)),
    'progress reports the capture\'s seconds', JSON.stringify(prog));
  check(prog.some((v) => v.kind === 'report' && /^capturing CPU profile: 1 s of 2$/.test(v.message)),
    'progress reports 1 s of 2', JSON.stringify(prog));
  check(prog.length && prog[prog.length - 1].kind === 'end', 'progress ends');
  const deco = s.messages.slice(from).find((m) => m.method === 'heatls/decorations' && m.params.uri === uri);
  check(deco && deco.at <= r.at, 'decorations of the open document before the answer');
  // The last progress before the end reports the body received: the
  // capture is over then; what follows is the index built and painted.
  const fetched = s.messages.slice(from).filter((m) => m.method === '$/progress' &&
    m.params.token === 'cpu1' && m.params.value.kind === 'report' && deco && m.at <= deco.at).pop();
  if (deco && fetched)
    console.log(`capture end to painted decorations: ${deco.at - fetched.at} ms after the body ` +
      `was received (request to decorations ${deco.at - t0} ms for a 2 s capture)`);
  check((await status(s)) === `live: 127.0.0.1:${port} cpu 2s`, 'status names the live source');

  // 2. Headers from the settings: the heap behind /auth/.
  r = await s.reply(s.command('heatls.loadProfile', [`${base}/auth/heap`]));
  check(r && r.result && r.result.sampleType === 'inuse_space', 'headers from settings are sent', JSON.stringify(r));
  const heapName = `live: 127.0.0.1:${port} heap`;
  check((await status(s)) === heapName, 'status after the heap', await status(s));

  // 3. Cancelled half way by $/cancelRequest: the heap stays, the capture stops.
  from = s.messages.length;
  id = s.command('heatls.loadProfile', [{ path: base, seconds: 4 }], 'c1');
  await s.wait((m) => m.method === '$/progress' && m.params.token === 'c1' && m.params.value.kind === 'report', 5000, from);
  await sleep(1000);
  const tc = Date.now();
  s.notify('$/cancelRequest', { id });
  r = await s.reply(id, 5000);
  check(r && r.error && r.error.code === -32800, 'a cancelled capture is answered -32800', JSON.stringify(r));
  check(r && r.at - tc < 1000 * SLOW, 'the cancel is answered at once', r && `${r.at - tc} ms`);
  check(s.progress('c1').pop().kind === 'end', 'the cancelled capture\'s progress ends');
  check((await status(s)) === heapName, 'the previous profile stays after a cancel');
  // Go's CPU profiler is free again only if the transfer stopped: the
  // cancelled capture had 2.5 s to go; Go notices the closed connection
  // within a few hundred milliseconds.
  for (let i = 0; i < 5; i++) {
    await sleep(200);
    r = await s.reply(s.command('heatls.loadProfile', [{ path: base, seconds: 1 }]), 15000);
    if (!(r && r.error && /already in use/.test(r.error.message))) break;
  }
  check(r && r.result && r.result.sampleType === 'cpu' && Date.now() - tc < 2500 * SLOW,
    'a capture soon after a cancel (the transfer stopped)', `${JSON.stringify(r)} ${Date.now() - tc} ms`);

  // 4. Cancelled by window/workDoneProgress/cancel.
  r = await s.reply(s.command('heatls.loadProfile', [`${base}/auth/heap`]));
  from = s.messages.length;
  id = s.command('heatls.loadProfile', [{ path: base, seconds: 4 }], 'c2');
  await s.wait((m) => m.method === '$/progress' && m.params.token === 'c2' && m.params.value.kind === 'report', 5000, from);
  await sleep(500);
  s.notify('window/workDoneProgress/cancel', { token: 'c2' });
  r = await s.reply(id, 5000);
  check(r && r.error && r.error.code === -32800, 'window/workDoneProgress/cancel stops a capture', JSON.stringify(r));
  check((await status(s)) === heapName, 'the previous profile stays after a progress cancel');

  // 5. Repeat: three rounds of 1 s allocs captures, then clear.
  from = s.messages.length;
  id = s.command('heatls.loadProfile', [{ path: `${base}/debug/pprof/allocs`, seconds: 1, sampleType: 'alloc_space', repeat: true }], 'rep');
  r = await s.reply(id, 15000);
  check(r && r.result, 'the first round of a repeat is answered', JSON.stringify(r));
  const rounds = () => s.messages.slice(from).filter((m) => m.method === '$/progress' &&
    m.params.value.kind === 'end' && m.params.value.message === 'loaded').length;
  for (let i = 0; i < 60 * SLOW && rounds() < 3; i++) await sleep(100);
  check(rounds() >= 3, 'three rounds of a repeated capture', `${rounds()} rounds`);
  check((await status(s)) === `live: 127.0.0.1:${port} allocs 1s`, 'status during a repeat');
  r = await s.call('workspace/executeCommand', { command: 'heatls.clearProfile', arguments: [] });
  check(r && r.result === null, 'clear during a repeat');
  const afterClear = s.messages.length;
  await sleep(1800);
  const begins = s.messages.slice(afterClear).filter((m) => m.method === '$/progress' && m.params.value.kind === 'begin').length;
  check(begins === 0, 'no round after a clear', `${begins} begins`);
  check((await status(s)) === null, 'nothing loaded after the clear');

  // window/workDoneProgress/cancel on a later round's token ends a repeat;
  // the last capture stays.
  r = await s.reply(s.command('heatls.loadProfile', [{ path: `${base}/debug/pprof/allocs`,
    seconds: 1, sampleType: 'alloc_space', repeat: true }], 'rep3'), 15000);
  check(r && r.result, 'a second repeat starts', JSON.stringify(r));
  from = s.messages.length;
  const round = await s.wait((m) => m.method === '$/progress' && m.params.value.kind === 'begin' &&
    String(m.params.token).startsWith('heatls/load/'), 10000, from);
  check(round, 'a later round reports on a token of heatls\'s');
  if (round) {
    s.notify('window/workDoneProgress/cancel', { token: round.params.token });
    const ended = await s.wait((m) => m.method === '$/progress' && m.params.token === round.params.token &&
      m.params.value.kind === 'end', 5000, from);
    check(ended && ended.params.value.message === 'cancelled', 'the round ends cancelled', JSON.stringify(ended && ended.params));
    const after = s.messages.length;
    await sleep(1800);
    check(!s.messages.slice(after).some((m) => m.method === '$/progress' && m.params.value.kind === 'begin'),
      'no round after a progress cancel');
    check((await status(s)) === `live: 127.0.0.1:${port} allocs 1s`, 'the last capture stays after a progress cancel');
  }

  // A clear during a repeat's first round cancels it: nothing comes back.
  from = s.messages.length;
  id = s.command('heatls.loadProfile', [{ path: base, seconds: 3, repeat: true }], 'rep2');
  await s.wait((m) => m.method === '$/progress' && m.params.token === 'rep2' && m.params.value.kind === 'report', 5000, from);
  r = await s.call('workspace/executeCommand', { command: 'heatls.clearProfile', arguments: [] });
  r = await s.reply(id, 5000);
  check(r && r.error && r.error.code === -32800, 'a clear cancels a repeat\'s first round', JSON.stringify(r));
  await sleep(500);
  check((await status(s)) === null, 'nothing loaded after a clear during the first round');

  // 6. Reload: the same source fetched again once.
  r = await s.reply(s.command('heatls.loadProfile', [{ path: `${base}/debug/pprof/heap` }]));
  check(r && r.result, 'heap loaded');
  from = s.messages.length;
  r = await s.reply(s.command('heatls.reloadProfile', [], 'rl'));
  check(r && r.result && r.result.path === heapName, 'reloadProfile fetches again', JSON.stringify(r));
  check(s.progress('rl').some((v) => v.kind === 'begin'), 'reloadProfile reports progress');

  // 7. Bad sources: each fails with a clear error, the heap stays.
  const bad = [
    ['127.0.0.1:1/debug/pprof/heap', /Connection refused|Couldn't connect/],
    ['heatls-test.invalid:6060/debug/pprof/heap', /Could not resolve host: heatls-test\.invalid/],
    [`${base}/debug/pprof/nosuch`, /the server answered 404: Unknown profile$/],
    [`${base}/bad/html`, /HTML page, not a profile/],
    [{ path: `${base}/bad/hang`, timeout: 1 }, /timed out after/],
    [`${base}/bad/loop`, /Maximum \(5\) redirects followed/],
    [`${base}/bad/cut`, /gzip|unexpected end|truncated/],
    ['ftp://127.0.0.1/profile', /unsupported scheme "ftp"/],
    [`${base}/bad/ftp`, /Protocol "ftp" not supported/],
  ];
  for (const [arg, want] of bad) {
    from = s.messages.length;
    r = await s.reply(s.command('heatls.loadProfile', [arg]), 10000);
    const what = `bad source ${JSON.stringify(arg)}`;
    check(r && r.error && r.error.code === -32803 && want.test(r.error.message), what, JSON.stringify(r && r.error));
    check((await status(s)) === heapName, `${what}: the previous profile stays`);
  }

  // 8. HTTPS: refused without the CA, verified with caFile, or insecure.
  const tlsUrl = `https://127.0.0.1:${tlsPort}/debug/pprof/heap`;
  r = await s.reply(s.command('heatls.loadProfile', [tlsUrl]));
  check(r && r.error && /certificate/i.test(r.error.message), 'HTTPS refused without the CA', JSON.stringify(r));
  r = await s.reply(s.command('heatls.loadProfile', [`https+insecure://127.0.0.1:${tlsPort}/debug/pprof/heap`]));
  check(r && r.result, 'https+insecure:// accepted', JSON.stringify(r));
  s.notify('workspace/didChangeConfiguration', { settings: { heatls: { caFile: path.join(tmp, 'tls', 'ca.pem') } } });
  r = await s.reply(s.command('heatls.loadProfile', [tlsUrl]));
  check(r && r.result && r.result.path === `live: 127.0.0.1:${tlsPort} heap`, 'HTTPS verified with caFile', JSON.stringify(r));
  // A server that wants a client certificate: refused without, loaded with.
  const mtlsUrl = `https://127.0.0.1:${mtlsPort}/debug/pprof/heap`;
  const mdir = path.join(tmp, 'mtls');
  s.notify('workspace/didChangeConfiguration', { settings: { heatls: { caFile: path.join(mdir, 'ca.pem') } } });
  r = await s.reply(s.command('heatls.loadProfile', [mtlsUrl]));
  check(r && r.error && r.error.code === -32803, 'a client certificate is wanted', JSON.stringify(r));
  s.notify('workspace/didChangeConfiguration', { settings: { heatls: {
    clientCert: path.join(mdir, 'client.pem'), clientKey: path.join(mdir, 'client-key.pem') } } });
  r = await s.reply(s.command('heatls.loadProfile', [mtlsUrl]));
  check(r && r.result && r.result.path === `live: 127.0.0.1:${mtlsPort} heap`, 'clientCert and clientKey settings', JSON.stringify(r));

  // 9. The profile setting as a URL.
  from = s.messages.length;
  s.notify('workspace/didChangeConfiguration', { settings: { heatls: { profile: `${base}/debug/pprof/heap` } } });
  for (let i = 0; i < 50 * SLOW && (await status(s)) !== heapName; i++) await sleep(100);
  check((await status(s)) === heapName, 'the profile setting takes a URL');
  // A bad header setting is refused, and its value is not echoed.
  s.notify('workspace/didChangeConfiguration', { settings: { heatls: { headers: { 'Bad Name': 'leak-me-not' } } } });
  const warn = await s.wait((m) => m.method === 'window/showMessage' && /headers/.test(m.params.message), 5000, from);
  check(warn && !/leak-me-not/.test(warn.params.message), 'a bad header setting is refused without its value', JSON.stringify(warn));

  r = await s.call('shutdown', null);
  s.notify('exit', null);
  const code = await Promise.race([s.exited, sleep(10000 * SLOW).then(() => 'hung')]);
  check(code === 0, 'exit status 0', String(code));
  check(!s.stderr.includes(SECRET) && !s.stderr.includes('leak-me-not'), 'no header value on stderr');
  check(!/tenant-1/.test(s.stderr), 'no header value on stderr (org id)');
}

await run(main, () => fs.rmSync(tmp, { recursive: true, force: true }));
