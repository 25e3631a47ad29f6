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
//   in the server   the server's own time for each inlayHint, from the
//                   request parsed to the reply written (its debug log:
//                   "handled METHOD in N ms"), next to the client's
//   threshold       a threshold change (relevel, repaint) with 100 open
//                   documents that have heat: the server's time for
//                   didChangeConfiguration, and the client's until the
//                   answer to a request sent right after it
//
// Usage: node lsp_bench.mjs HEATLS PROFILE [REQUESTS]
// Plain Node (no packages): frames JSON-RPC itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AnsweredLsp } from '../lsp/stdio_lsp.mjs';

const [heatlsArg, profileArg, requestsArg] = process.argv.slice(2);
const heatls = heatlsArg && path.resolve(heatlsArg);
const profile = profileArg && path.resolve(profileArg);
if (!heatls || !profile) {
  console.error('usage: node lsp_bench.mjs HEATLS PROFILE [REQUESTS]');
  process.exit(2);
}
const REQUESTS = Number(requestsArg || 1000);

class Server extends AnsweredLsp {
  constructor() {
    super(heatls, ['--stdio', '--log-level', 'debug'], { stderr: 'pipe' });
    this.handled = new Map(); // method -> the server's times, ms
    let errText = '';
    this.child.stderr.on('data', (d) => {
      errText += d.toString();
      let nl;
      while ((nl = errText.indexOf('\n')) >= 0) {
        const line = errText.slice(0, nl);
        errText = errText.slice(nl + 1);
        const m = /handled (\S+) in ([0-9.]+) ms/.exec(line);
        if (m) {
          if (!this.handled.has(m[1])) this.handled.set(m[1], []);
          this.handled.get(m[1]).push(Number(m[2]));
        } else if (/ (warn|error): /.test(line)) {
          process.stderr.write(line + '\n');
        }
      }
    });
  }
  // Resolves once the server's log has `count` times for `method`.
  async handledTimes(method, count) {
    while ((this.handled.get(method) || []).length < count)
      await new Promise((r) => setTimeout(r, 5));
    return this.handled.get(method);
  }
  rssMB() {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
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
  const inServer = await s.handledTimes('textDocument/inlayHint', REQUESTS);
  const hoverInServer = await s.handledTimes('textDocument/hover', REQUESTS);
  row('inlayHint in server', inServer.slice(-REQUESTS), hoverInServer.slice(-REQUESTS));

  // 100 open documents of 5,000 lines.
  for (let i = 0; i < 100; i++) {
    s.notify('textDocument/didOpen', { textDocument: { uri: `file://${tmp}/doc${i}.go`, languageId: 'go', version: 1, text } });
  }
  await s.request('workspace/executeCommand', { command: 'heatls.status', arguments: [] });
  const rssDocs = s.rssMB();
  console.log(`RSS: start ${rssStart.toFixed(1)} MB, profile loaded ${rssLoaded.toFixed(1)} MB, ` +
              `+100 documents of ${(text.length / 1024).toFixed(0)} KiB ${rssDocs.toFixed(1)} MB ` +
              `(${((rssDocs - rssLoaded) / 100 * 1024).toFixed(0)} KiB per document)`);

  // A threshold change with 100 open documents that have heat: the
  // profile's files with the most profiled lines, as local files.
  for (let i = 0; i < 100; i++)
    s.notify('textDocument/didClose', { textDocument: { uri: `file://${tmp}/doc${i}.go` } });
  const busiestFiles = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 100);
  let lit = 0;
  for (const [p] of busiestFiles) {
    const local2 = path.join(tmp, 'lit', ...p.split('/').filter(Boolean).slice(-3));
    mkdirSync(path.dirname(local2), { recursive: true });
    if (local2 === local) continue;
    s.notify('textDocument/didOpen', { textDocument: { uri: `file://${local2}`, languageId: 'go', version: 1, text } });
    lit++;
  }
  await s.request('workspace/executeCommand', { command: 'heatls.status', arguments: [] });
  const client = [];
  const before = (s.handled.get('workspace/didChangeConfiguration') || []).length;
  const CHANGES = 10;
  for (let i = 0; i < CHANGES; i++) {
    const t = performance.now();
    s.notify('workspace/didChangeConfiguration', { settings: { heatls: { threshold: i % 2 ? 0.5 : 0.3 } } });
    // Messages are handled in order: this answer comes after the repaint.
    await s.request('workspace/executeCommand', { command: 'heatls.status', arguments: [] });
    client.push(performance.now() - t);
  }
  const server = (await s.handledTimes('workspace/didChangeConfiguration', before + CHANGES)).slice(before);
  row(`threshold (${lit + 1} docs)`, server, client);
  console.log('   (threshold: the server\'s time for didChangeConfiguration, relevel and repaint; ' +
              'baseline: the client\'s, until the answer to a request sent after it)');
  await s.close();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
