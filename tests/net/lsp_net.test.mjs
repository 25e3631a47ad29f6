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

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [heatls, svcBin] = process.argv.slice(2).length >= 2
  ? process.argv.slice(2) : (() => { console.error('usage: lsp_net.test.mjs HEATLS PPROFSVC'); process.exit(2); })();
const SLOW = process.env.HEATLS_NET_SLOW ? 10 : 1;
const here = path.dirname(fileURLToPath(import.meta.url));
const svcSource = path.resolve(here, '../../testdata/programs/pprofsvc/main.go');
const SECRET = 's3cret-token';
let passed = 0, failed = 0;
const children = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heatls-net-'));

function check(ok, what, detail = '') {
  if (ok) passed++;
  else { failed++; console.error(`FAIL: ${what}${detail ? ': ' + detail : ''}`); }
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// A pprofsvc with args; resolves to its port. It ends when our stdin pipe
// to it closes (at exit) or after its -life.
function startService(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(svcBin, ['-life', '170s', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error('pprofsvc did not start')), 10000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
}

class Server {
  constructor(bin) {
    this.child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(this.child);
    this.buf = Buffer.alloc(0);
    this.messages = [];
    this.waiters = [];
    this.stderr = '';
    this.nextId = 1;
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.child.stdout.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.parse(); });
  }
  parse() {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.slice(0, end).toString());
      const len = Number(m[1]);
      if (this.buf.length < end + 4 + len) return;
      const msg = JSON.parse(this.buf.slice(end + 4, end + 4 + len).toString());
      this.buf = this.buf.slice(end + 4 + len);
      msg.at = Date.now();
      if (msg.method && msg.id !== undefined) // a request of the server's
        this.send({ jsonrpc: '2.0', id: msg.id, result: null });
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => !w.test(msg) || (w.resolve(msg), false));
    }
  }
  send(msg) {
    const body = Buffer.from(JSON.stringify(msg));
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }
  notify(method, params) { this.send({ jsonrpc: '2.0', method, params }); }
  request(method, params) {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return id;
  }
  // The first message from index `from` on that passes test.
  wait(test, ms = 10000, from = 0) {
    const seen = this.messages.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const w = { test, resolve };
      this.waiters.push(w);
      setTimeout(() => { this.waiters = this.waiters.filter((x) => x !== w); resolve(null); }, ms * SLOW);
    });
  }
  reply(id, ms) { return this.wait((m) => m.id === id && !m.method, ms); }
  async call(method, params, ms) { return this.reply(this.request(method, params), ms); }
  command(command, args, token, ms) {
    const params = { command, arguments: args };
    if (token) params.workDoneToken = token;
    return this.request('workspace/executeCommand', params, ms);
  }
  progress(token) {
    return this.messages.filter((m) => m.method === '$/progress' && m.params.token === token)
      .map((m) => m.params.value);
  }
}

async function status(s) {
  const r = await s.call('workspace/executeCommand', { command: 'heatls.status', arguments: [] });
  return r && r.result ? r.result.path : null;
}

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

try {
  await main();
} catch (e) {
  check(false, 'exception', e.stack);
}
for (const c of children) c.kill();
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
