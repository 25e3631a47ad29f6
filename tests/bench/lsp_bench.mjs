// lsp_bench.mjs: the language server's figures, each next to a baseline
// measured in the same run. It prints; it never passes or fails on time.
//
//   initialize      round trip of `initialize` on a fresh process, next to
//                   a no-op request's round trip on a warm one
//   load            heatls.loadProfile on the large profile, next to
//                   `heatls info` on the same file (the CLI's whole run)
//   inlayHint       a whole 5,000-line document whose profile file has the
//                   most profiled lines, REQUESTS times, interleaved with a
//                   no-op request (hover on a line without heat)
//   memory          RSS with the profile loaded, then with 100 open
//                   documents of 5,000 lines each
//
// Usage: node lsp_bench.mjs HEATLS PROFILE [REQUESTS]
// Plain Node (no packages): frames JSON-RPC itself.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const [heatlsArg, profileArg, requestsArg] = process.argv.slice(2);
const heatls = heatlsArg && path.resolve(heatlsArg);
const profile = profileArg && path.resolve(profileArg);
if (!heatls || !profile) {
  console.error('usage: node lsp_bench.mjs HEATLS PROFILE [REQUESTS]');
  process.exit(2);
}
const REQUESTS = Number(requestsArg || 1000);

class Server {
  constructor() {
    this.proc = spawn(heatls, ['--stdio', '--log-level', 'warn'],
                      { stdio: ['pipe', 'pipe', 'inherit'] });
    this.buf = Buffer.alloc(0);
    this.waiting = new Map();
    this.nextId = 1;
    this.proc.stdout.on('data', (d) => this.read(d));
  }
  read(data) {
    this.buf = Buffer.concat([this.buf, data]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, end))[1]);
      if (this.buf.length < end + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(end + 4, end + 4 + len));
      this.buf = this.buf.subarray(end + 4 + len);
      if (msg.method && msg.id !== undefined) this.send({ jsonrpc: '2.0', id: msg.id, result: null });
      else if (msg.id !== undefined && this.waiting.has(msg.id)) {
        this.waiting.get(msg.id)(msg);
        this.waiting.delete(msg.id);
      }
    }
  }
  send(msg) {
    const body = Buffer.from(JSON.stringify(msg));
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }
  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }
  notify(method, params) { this.send({ jsonrpc: '2.0', method, params }); }
  rssMB() {
    const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  }
  async close() {
    await this.request('shutdown');
    this.notify('exit');
    await new Promise((r) => this.proc.on('exit', r));
  }
}

const initParams = (root) => ({
  processId: process.pid, rootUri: null,
  capabilities: { general: { positionEncodings: ['utf-16'] } },
  workspaceFolders: root ? [{ uri: `file://${root}`, name: 'bench' }] : null,
});

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
function ms(x) { return x.toFixed(3).padStart(9); }
function row(name, values, base) {
  const s = [...values].sort((a, b) => a - b);
  const b = [...base].sort((a, c) => a - c);
  console.log(`${name.padEnd(22)} p50 ${ms(quantile(s, 0.5))} ms  p99 ${ms(quantile(s, 0.99))} ms` +
              `   | baseline p50 ${ms(quantile(b, 0.5))} ms  p99 ${ms(quantile(b, 0.99))} ms`);
}

const tmp = mkdtempSync(path.join(tmpdir(), 'heatls-bench-'));
try {
  // initialize on fresh processes, no-op on a warm one.
  const init = [], noopWarm = [];
  for (let i = 0; i < 10; i++) {
    const s = new Server();
    const t0 = performance.now();
    await s.request('initialize', initParams(null));
    init.push(performance.now() - t0);
    s.notify('initialized', {});
    for (let k = 0; k < 10; k++) {
      const t1 = performance.now();
      await s.request('textDocument/hover', { textDocument: { uri: 'file:///none.go' }, position: { line: 0, character: 0 } });
      noopWarm.push(performance.now() - t1);
    }
    await s.close();
  }
  row('initialize', init, noopWarm);

  // Load the large profile; the CLI's whole run on it as the baseline.
  const s = new Server();
  await s.request('initialize', initParams(tmp));
  s.notify('initialized', {});
  const rssStart = s.rssMB();
  let t0 = performance.now();
  const summary = await s.request('workspace/executeCommand', { command: 'heatls.loadProfile', arguments: [profile] });
  const loadMs = performance.now() - t0;
  if (summary.error) throw new Error(`load failed: ${summary.error.message}`);
  t0 = performance.now();
  execFileSync(heatls, ['info', profile], { stdio: 'ignore' });
  const infoMs = performance.now() - t0;
  console.log(`${'load large profile'.padEnd(22)} ${ms(loadMs)} ms      | baseline heatls info ${ms(infoMs)} ms` +
              `  (${summary.result.lines} lines, ${summary.result.files} files)`);
  const rssLoaded = s.rssMB();

  // The profile file with the most profiled lines, as a local 5,000-line file.
  const spots = await s.request('workspace/executeCommand', { command: 'heatls.hotspots', arguments: [{ limit: 10000 }] });
  const counts = new Map();
  for (const h of spots.result) counts.set(h.path, (counts.get(h.path) || 0) + 1);
  const [busiest] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  const parts = busiest.split('/').filter(Boolean).slice(-3);
  const local = path.join(tmp, 'src', ...parts);
  mkdirSync(path.dirname(local), { recursive: true });
  const lines = [];
  for (let i = 0; i < 5000; i++) lines.push(`\tx${i} := compute(${i}) // ünïcödé line ${i}`);
  const text = lines.join('\n') + '\n';
  const uri = `file://${local}`;
  s.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'go', version: 1, text } });
  const hint = [], noop = [];
  let hintCount = 0;
  for (let i = 0; i < REQUESTS; i++) {
    let t = performance.now();
    const r = await s.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 5000, character: 0 } } });
    hint.push(performance.now() - t);
    hintCount = r.result.length;
    t = performance.now();
    await s.request('textDocument/hover', { textDocument: { uri }, position: { line: 4999, character: 0 } });
    noop.push(performance.now() - t);
  }
  row(`inlayHint (${hintCount} hints)`, hint, noop);

  // 100 open documents of 5,000 lines.
  for (let i = 0; i < 100; i++) {
    s.notify('textDocument/didOpen', { textDocument: { uri: `file://${tmp}/doc${i}.go`, languageId: 'go', version: 1, text } });
  }
  await s.request('workspace/executeCommand', { command: 'heatls.status', arguments: [] });
  const rssDocs = s.rssMB();
  console.log(`RSS: start ${rssStart.toFixed(1)} MB, profile loaded ${rssLoaded.toFixed(1)} MB, ` +
              `+100 documents of ${(text.length / 1024).toFixed(0)} KiB ${rssDocs.toFixed(1)} MB ` +
              `(${((rssDocs - rssLoaded) / 100 * 1024).toFixed(0)} KiB per document)`);
  await s.close();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
