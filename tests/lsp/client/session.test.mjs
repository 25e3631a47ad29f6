// A scripted LSP client session against the real heatls binary (ctest label "lsp").
//
//   node session.test.mjs HEATLS TESTDATA TMPDIR [GO_SRC]
//
// HEATLS is the heatls executable, TESTDATA the repository's testdata folder, TMPDIR a
// scratch folder (a fresh run-* folder is made inside it), GO_SRC the Go 1.19 standard
// library sources (default /usr/share/go-1.19/src, Debian's golang-1.19-src).
//
// The contract is docs/protocol.md. The oracle for every line, level and value is
// `heatls dump` of the same profile (docs/cli.md), never hard-coded numbers.
// Prints "ok - ..." / "not ok - ..." per check and ends with "N passed, M failed".

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

// Imported here rather than statically, so that a missing node_modules is a failed
// check with the way out, not a bare ERR_MODULE_NOT_FOUND.
let lsp;
try {
  lsp = await import('vscode-languageserver-protocol/node.js');
} catch (e) {
  console.log('not ok - vscode-languageserver-protocol can be imported');
  console.log(`    ${e.message}`);
  console.log('    run `npm ci` in tests/lsp/client (ctest runs it as the test lsp_client_npm)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter, ResponseError } = lsp;

const WAIT_MS = 10000; // every wait for the server is bounded by this
const WATCH_MS = 5000; // how long a rewritten profile may take to be reloaded
const TOTAL_MS = 240000; // the whole run

// Absolute paths: heatls takes a relative profile path from the workspace folder.
const [heatlsArg, testdataArg, tmpArg, goSrcArg] = process.argv.slice(2).map((a) => a && path.resolve(a));
const GO_SRC = goSrcArg || '/usr/share/go-1.19/src';

// ---------------------------------------------------------------- results

let passed = 0;
let failed = 0;
let currentClient = null;

function indent(s) {
  return String(s).split('\n').map((l) => '    ' + l).join('\n');
}

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
    return true;
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}`);
    console.log(indent(describeError(e)));
    return false;
  }
}

// An error whose message says everything: printed without a stack.
class Failure extends Error {}

function describeError(e) {
  if (e instanceof ResponseError) return `ResponseError ${e.code}: ${e.message}`;
  if (e instanceof Failure) return e.message;
  if (e && e.code === 'ERR_ASSERTION') {
    // Keep assertion output short: the generated diff of big objects is unreadable.
    const msg = e.message.length > 3000 ? e.message.slice(0, 3000) + '\n...' : e.message;
    return msg;
  }
  return (e && e.stack) || String(e);
}

function finish(extra) {
  if (extra) console.log(extra);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

// A write to a server that has died rejects inside vscode-jsonrpc too; the checks
// report the death itself.
const isPipeError = (e) => e && (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || /EPIPE|write after end/.test(String(e.message)));

process.on('unhandledRejection', (e) => {
  if (isPipeError(e)) return;
  failed++;
  console.log('not ok - unhandled rejection');
  console.log(indent(describeError(e)));
});

const overall = setTimeout(() => {
  failed++;
  console.log(`not ok - the whole session did not finish within ${TOTAL_MS} ms`);
  if (currentClient) console.log(indent('heatls stderr (tail):\n' + currentClient.stderrTail()));
  finish();
}, TOTAL_MS);
overall.unref();

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fileUri(p) {
  return pathToFileURL(p).href;
}

function samePathUri(uri, p) {
  try {
    return fileURLToPath(uri) === p;
  } catch {
    return false;
  }
}

// The length of a line in code units of the negotiated position encoding.
function encLength(s, encoding) {
  if (encoding === 'utf-8') return Buffer.byteLength(s, 'utf8');
  if (encoding === 'utf-32') return [...s].length;
  return s.length; // utf-16: JavaScript strings are UTF-16
}

// At most n characters of x as JSON, for messages (undefined too).
function show(x, n = 300) {
  const j = JSON.stringify(x);
  return j === undefined ? 'undefined' : j.length > n ? j.slice(0, n) + '...' : j;
}

function labelText(label) {
  if (typeof label === 'string') return label;
  if (Array.isArray(label)) return label.map((p) => p.value).join('');
  return String(label);
}

function hoverText(h) {
  const c = h.contents;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n');
  return c.value;
}

// ---------------------------------------------------------------- the oracle: heatls dump

const dumpCache = new Map();

// Parses `heatls dump [-threshold T] PROFILE`: returns {header, funcs, byPath} where
// byPath maps a profile path to {funcs: [...], points: [...]}, values in the dump's units
// (microseconds for time sample types).
function dump(profile, threshold) {
  const key = `${profile}\0${threshold ?? ''}`;
  if (dumpCache.has(key)) return dumpCache.get(key);
  const args = ['dump'];
  if (threshold !== undefined) args.push('-threshold', String(threshold));
  args.push(profile);
  const out = execFileSync(heatlsArg, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  const lines = out.split('\n');
  const m = /^# funcs=(\d+) points=(\d+) files=(\d+)$/.exec(lines[0]);
  assert.ok(m, `heatls dump header: ${lines[0]}`);
  const header = { functions: +m[1], lines: +m[2], files: +m[3] };
  const funcs = [];
  const byPath = new Map();
  let fn = null;
  for (const l of lines.slice(1)) {
    if (l === '') continue;
    const f = l.split('\t');
    if (f[0] === 'F') {
      fn = {
        pkg: JSON.parse(f[1]),
        type: JSON.parse(f[2]),
        name: JSON.parse(f[3]),
        base: JSON.parse(f[4]),
        path: JSON.parse(f[5]),
        minLine: +f[8].split('=')[1],
        points: [],
      };
      funcs.push(fn);
      if (!byPath.has(fn.path)) byPath.set(fn.path, { funcs: [], points: [] });
      byPath.get(fn.path).funcs.push(fn);
    } else if (f[0] === 'P') {
      const p = { line: +f[1], flat: +f[2], cum: +f[3], local: +f[4], global: +f[5], fn };
      fn.points.push(p);
      byPath.get(fn.path).points.push(p);
    } else {
      throw new Error(`heatls dump: unexpected line ${JSON.stringify(l)}`);
    }
  }
  const d = { header, funcs, byPath };
  dumpCache.set(key, d);
  return d;
}

// Global rank order, as `heatls top` lists points: cum descending, then line descending.
function hotter(a, b) {
  return b.cum - a.cum || b.line - a.line;
}

let ambiguityNoted = false;

// The expected decoration lines of a profile file: per profile line, the hottest point
// (largest cum, then largest global level), kept when its local or global level is
// above 0; line = profile line - 1, moved by the document's edits (lineMap). Returns
// Map line -> [acceptable entries] (more than one only where docs/protocol.md leaves the
// choice open: points tied on cum with different levels, or a line whose hottest point
// has no level while another point on it has one).
function expectedLines(profile, profPath, lineMap, threshold) {
  const d = dump(profile, threshold);
  const file = d.byPath.get(profPath);
  const res = new Map();
  if (!file) return res;
  const byLine = new Map();
  for (const p of file.points) {
    if (!byLine.has(p.line)) byLine.set(p.line, []);
    byLine.get(p.line).push(p);
  }
  for (const [pline, pts] of byLine) {
    const line = lineMap ? lineMap(pline - 1) : pline - 1;
    if (line === undefined || line < 0) continue;
    pts.sort((a, b) => b.cum - a.cum || b.global - a.global || b.local - a.local);
    const top = pts[0];
    const tied = pts.filter((p) => p.cum === top.cum);
    const options = [];
    for (const p of tied) {
      if (p.local > 0 || p.global > 0) options.push({ line, local: p.local, global: p.global, flat: p.flat, cum: p.cum });
      else options.push(null);
    }
    if (!(top.local > 0 || top.global > 0) && pts.some((p) => p.local > 0 || p.global > 0)) {
      for (const p of pts) if (p.local > 0 || p.global > 0) options.push({ line, local: p.local, global: p.global, flat: p.flat, cum: p.cum });
    }
    const uniq = [];
    for (const o of options) if (!uniq.some((u) => JSON.stringify(u) === JSON.stringify(o))) uniq.push(o);
    if (uniq.length > 1 && !ambiguityNoted) {
      ambiguityNoted = true;
      console.log(`# note: ${profPath}:${pline} is ambiguous under docs/protocol.md (several functions, tied or level-less hottest point); any of ${JSON.stringify(uniq)} is accepted`);
    }
    if (uniq.length === 1 && uniq[0] === null) continue;
    res.set(line, uniq);
  }
  return res;
}

// Values in decorations are in the sample type's unit (nanoseconds here); the dump
// gives microseconds, truncated.
function toDumpUnit(v, timeUnit) {
  return timeUnit ? Math.trunc(v / 1000) : v;
}

function compareLines(actualLines, expected, what, timeUnit = true) {
  assert.ok(Array.isArray(actualLines), `${what}: lines is not an array`);
  const problems = [];
  for (let i = 1; i < actualLines.length; i++) {
    if (!(actualLines[i].line > actualLines[i - 1].line)) {
      problems.push(`lines not in strictly increasing order at index ${i}: ${actualLines[i - 1].line}, ${actualLines[i].line}`);
      break;
    }
  }
  const seen = new Set();
  for (const a of actualLines) {
    seen.add(a.line);
    const opts = expected.get(a.line);
    if (!opts) {
      problems.push(`unexpected line ${a.line}: ${JSON.stringify(a)}`);
      continue;
    }
    const ok = opts.some(
      (e) =>
        e === null ||
        (e.local === a.local && e.global === a.global && e.flat === toDumpUnit(a.flat, timeUnit) && e.cum === toDumpUnit(a.cum, timeUnit)),
    );
    if (!ok) problems.push(`line ${a.line}: got ${JSON.stringify(a)}, expected ${JSON.stringify(opts.length === 1 ? opts[0] : opts)} (flat/cum expected in dump units)`);
  }
  for (const [line, opts] of expected) {
    if (!seen.has(line) && !opts.includes(null)) problems.push(`missing line ${line}: ${JSON.stringify(opts[0])}`);
  }
  if (problems.length) {
    const shown = problems.slice(0, 12).join('\n');
    assert.fail(`${what}: ${problems.length} difference(s) (${actualLines.length} lines got, ${expected.size} expected):\n${shown}${problems.length > 12 ? '\n...' : ''}`);
  }
}

// ---------------------------------------------------------------- documents

class Doc {
  constructor(file, profPath, languageId = 'go') {
    this.file = file;
    this.uri = fileUri(file);
    this.profPath = profPath; // the profile's path of this file, or null
    this.text = fs.readFileSync(file, 'utf8');
    this.version = 1;
    this.languageId = languageId;
    // Where each original (profile) line is now; deleted lines are absent.
    this.map = null;
  }
  get lines() {
    return this.text.split('\n');
  }
  lineMap() {
    if (!this.map) return (l) => l;
    const m = this.map;
    return (l) => m.get(l);
  }
  ensureMap() {
    if (!this.map) {
      this.map = new Map();
      const n = this.lines.length;
      for (let i = 0; i < n + 1000; i++) this.map.set(i, i);
    }
  }
  // Edits, applied to our copy and to the line map; return the LSP change event.
  insertLinesAtTop(k) {
    this.ensureMap();
    const ins = Array.from({ length: k }, (_, i) => `// inserted line ${i + 1}\n`).join('');
    this.text = ins + this.text;
    for (const [o, c] of this.map) this.map.set(o, c + k);
    this.version++;
    return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ins };
  }
  deleteLine(line) {
    this.ensureMap();
    const ls = this.lines;
    ls.splice(line, 1);
    this.text = ls.join('\n');
    for (const [o, c] of [...this.map]) {
      if (c === line) this.map.delete(o);
      else if (c > line) this.map.set(o, c - 1);
    }
    this.version++;
    return { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' };
  }
  appendToLine(line, s, encoding) {
    const ls = this.lines;
    const ch = encLength(ls[line], encoding);
    ls[line] += s;
    this.text = ls.join('\n');
    this.version++;
    return { range: { start: { line, character: ch }, end: { line, character: ch } }, text: s };
  }
  fullRange(encoding) {
    const ls = this.lines;
    return { start: { line: 0, character: 0 }, end: { line: ls.length - 1, character: encLength(ls[ls.length - 1], encoding) } };
  }
}

// ---------------------------------------------------------------- the client

class Client {
  constructor(label) {
    this.label = label;
    this.wire = []; // every message, in wire order: {dir: 'in'|'out', msg, t}
    this.stderr = '';
    this.exitInfo = null;
    this.settings = {};
    this.lastId = null;
  }

  start(args = ['--stdio', '--log-level', 'debug']) {
    const proc = spawn(heatlsArg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
      this.stderr += d;
      if (this.stderr.length > 400000) this.stderr = this.stderr.slice(-200000);
    });
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      proc.on('error', (err) => {
        this.exitInfo = { code: null, signal: null, error: String(err) };
        resolve(this.exitInfo);
      });
    });
    proc.stdin.on('error', () => {});
    const reader = new StreamMessageReader(proc.stdout);
    const writer = new StreamMessageWriter(proc.stdin);
    const listen = reader.listen.bind(reader);
    reader.listen = (cb) =>
      listen((msg) => {
        this.wire.push({ dir: 'in', msg, t: Date.now() });
        cb(msg);
      });
    const write = writer.write.bind(writer);
    writer.write = (msg) => {
      this.wire.push({ dir: 'out', msg, t: Date.now() });
      return write(msg);
    };
    const conn = createProtocolConnection(reader, writer);
    this.conn = conn;
    conn.onRequest('workspace/inlayHint/refresh', () => null);
    conn.onRequest('workspace/codeLens/refresh', () => null);
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('workspace/configuration', (p) => (p.items || []).map((it) => (it.section === 'heatls' ? this.settings : null)));
    conn.onRequest((method) => new ResponseError(-32601, `the test client does not handle ${method}`));
    conn.onNotification(() => {});
    conn.onError(() => {});
    conn.onClose(() => {});
    conn.listen();
    currentClient = this;
  }

  stderrTail(n = 40) {
    return this.stderr.split('\n').slice(-n).join('\n');
  }

  mark() {
    return this.wire.length;
  }

  dead(what) {
    return new Failure(`${this.label}: heatls exited (${JSON.stringify(this.exitInfo)}) ${what}`);
  }

  // Sends a request; resolves with its result, rejects with a ResponseError or a
  // time-out. this.lastId is the request's id, set before the first await.
  request(method, params, timeout = WAIT_MS) {
    if (this.exitInfo) return Promise.reject(this.dead(`before the request ${method}`));
    // No params member at all when there are none (shutdown): JSON-RPC 2.0 allows no null.
    const p = params === undefined ? this.conn.sendRequest(method) : this.conn.sendRequest(method, params);
    const out = this.wire.findLast((w) => w.dir === 'out' && w.msg.method === method && 'id' in w.msg);
    this.lastId = out ? out.msg.id : null;
    let timer;
    const t = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Failure(`${this.label}: no answer to ${method} ${show(params, 200)} within ${timeout} ms`)), timeout);
    });
    const d = this.exited.then(() => {
      throw this.dead(`while ${method} was pending`);
    });
    // A failed write means the server is gone: report its exit instead.
    const p2 = p.catch(async (e) => {
      if (e instanceof ResponseError && e.code === -32099) {
        await Promise.race([this.exited, sleep(1000)]);
        if (this.exitInfo) throw this.dead(`while ${method} was being sent`);
      }
      throw e;
    });
    return Promise.race([p2, t, d]).finally(() => clearTimeout(timer));
  }

  async notify(method, params) {
    if (this.exitInfo) throw this.dead(`before the notification ${method}`);
    if (params === undefined) await this.conn.sendNotification(method);
    else await this.conn.sendNotification(method, params);
  }

  command(command, args, extra = {}) {
    return this.request('workspace/executeCommand', { command, arguments: args, ...extra });
  }

  // The incoming messages since `from` that satisfy pred.
  incoming(from, pred) {
    const r = [];
    for (let i = from; i < this.wire.length; i++) {
      const w = this.wire[i];
      if (w.dir === 'in' && pred(w.msg)) r.push({ index: i, msg: w.msg });
    }
    return r;
  }

  async waitFor(desc, pred, { from = 0, timeout = WAIT_MS } = {}) {
    const deadline = Date.now() + timeout;
    let i = from;
    for (;;) {
      for (; i < this.wire.length; i++) {
        const w = this.wire[i];
        if (w.dir === 'in' && pred(w.msg)) return { index: i, msg: w.msg };
      }
      if (this.exitInfo) throw this.dead(`while waiting for ${desc}`);
      if (Date.now() > deadline) throw new Failure(`${this.label}: timed out after ${timeout} ms waiting for ${desc}`);
      await sleep(10);
    }
  }

  decorationsFor(uri, from) {
    return this.incoming(from, (m) => m.method === 'heatls/decorations' && m.params && m.params.uri === uri);
  }

  waitDecorations(doc, from, desc, extraPred = () => true, timeout = WAIT_MS) {
    return this.waitFor(`heatls/decorations for ${path.basename(doc.file)} ${desc}`, (m) => m.method === 'heatls/decorations' && m.params && m.params.uri === doc.uri && extraPred(m.params), { from, timeout });
  }

  responseIndex(id) {
    return this.wire.findIndex((w) => w.dir === 'in' && w.msg.id === id && !('method' in w.msg));
  }

  async open(doc) {
    await this.notify('textDocument/didOpen', { textDocument: { uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.text } });
  }

  async change(doc, change) {
    await this.notify('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version }, contentChanges: [change] });
  }

  inlayHints(doc, encoding) {
    return this.request('textDocument/inlayHint', { textDocument: { uri: doc.uri }, range: doc.fullRange(encoding) });
  }

  // Ends the server if it still runs, and waits for it (so that its stderr is complete).
  // With HEATLS_LSP_TRACE=DIR set, writes every message to DIR/<label>.jsonl.
  async kill() {
    if (!this.exitInfo && this.proc) this.proc.kill('SIGKILL');
    await Promise.race([this.exited, sleep(2000)]);
    const dir = process.env.HEATLS_LSP_TRACE;
    if (dir) {
      fs.mkdirSync(dir, { recursive: true });
      const lines = this.wire.map((w) => JSON.stringify({ dir: w.dir, t: w.t, msg: w.msg }));
      fs.writeFileSync(path.join(dir, `${this.label}.jsonl`), lines.join('\n') + '\n');
    }
  }
}

async function expectError(promise, code, what) {
  let result;
  try {
    result = await promise;
  } catch (e) {
    if (e instanceof ResponseError) {
      assert.equal(e.code, code, `${what}: error code ${e.code} (${e.message}), expected ${code}`);
      return e;
    }
    throw e;
  }
  throw new Failure(`${what}: answered ${show(result, 300)}, expected error ${code}`);
}

// ---------------------------------------------------------------- setup

function copyInto(src, dest) {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(src, dest);
}

const jsonProfile = testdataArg && path.join(testdataArg, 'golden/json/json.pb.gz');
const wordfreqDir = testdataArg && path.join(testdataArg, 'programs/wordfreq');
const wordfreqProfile = wordfreqDir && path.join(wordfreqDir, 'cpu.pb.gz');
// The Go files opened from the json profile; scanner.go is copied but never opened
// (heatls.hotspots must find it under the workspace folder).
const JSON_OPEN = ['encode.go', 'decode.go'];
const JSON_UNOPENED = 'scanner.go';
// Likewise for the wordfreq profile, whose paths (/home/ci/work/wordfreq) exist on no
// machine of ours: the workspace copy is the only match.
const WORDFREQ_UNOPENED = 'count.go';

let runDir;

async function preconditions() {
  let ok = true;
  ok &&= await check('arguments: HEATLS TESTDATA TMPDIR', () => {
    assert.ok(heatlsArg && testdataArg && tmpArg, 'usage: node session.test.mjs HEATLS TESTDATA TMPDIR [GO_SRC]');
    assert.ok(fs.existsSync(heatlsArg), `no heatls binary at ${heatlsArg}`);
    assert.ok(fs.existsSync(jsonProfile), `no golden profile at ${jsonProfile}`);
  });
  ok &&= await check(`Go 1.19 sources at ${GO_SRC} (Debian package golang-1.19-src)`, () => {
    for (const f of [...JSON_OPEN, JSON_UNOPENED]) {
      const p = path.join(GO_SRC, 'encoding/json', f);
      assert.ok(fs.existsSync(p), `missing ${p}: apt-get install golang-1.19-src (tools/deps.sh)`);
    }
  });
  return ok;
}

// Lays out one session's workspace: <run>/<label>/goroot/src/encoding/json/*.go (a root
// unlike the profile's /usr/lib/go-1.19/src) and <run>/<label>/src/wordfreq/*.go.
function makeWorkspace(label) {
  const ws = path.join(runDir, label);
  fs.mkdirSync(ws, { recursive: true });
  const d = dump(jsonProfile);
  const profPathOf = (suffix) => {
    const hits = [...d.byPath.keys()].filter((p) => p.endsWith(suffix));
    assert.equal(hits.length, 1, `the json profile names ${hits.length} files ending in ${suffix}: ${hits}`);
    return hits[0];
  };
  const jsonDocs = [];
  for (const f of JSON_OPEN) {
    const dest = path.join(ws, 'goroot/src/encoding/json', f);
    copyInto(path.join(GO_SRC, 'encoding/json', f), dest);
    jsonDocs.push(new Doc(dest, profPathOf(`/src/encoding/json/${f}`)));
  }
  const unopened = path.join(ws, 'goroot/src/encoding/json', JSON_UNOPENED);
  copyInto(path.join(GO_SRC, 'encoding/json', JSON_UNOPENED), unopened);
  const wfDocs = [];
  let wfUnopened = null;
  if (fs.existsSync(wordfreqProfile)) {
    const wd = dump(wordfreqProfile);
    for (const f of fs.readdirSync(wordfreqDir).filter((n) => n.endsWith('.go')).sort()) {
      const dest = path.join(ws, 'src/wordfreq', f);
      copyInto(path.join(wordfreqDir, f), dest);
      const hits = [...wd.byPath.keys()].filter((p) => p.endsWith(`/wordfreq/${f}`));
      const profPath = hits.length === 1 ? hits[0] : null;
      if (f === WORDFREQ_UNOPENED && profPath) wfUnopened = { file: dest, profPath };
      else wfDocs.push(new Doc(dest, profPath));
    }
  }
  const jsonUnopened = { file: unopened, profPath: profPathOf(`/src/encoding/json/${JSON_UNOPENED}`) };
  return { ws, jsonDocs, unopened: jsonUnopened, wfDocs, wfUnopened };
}

// ---------------------------------------------------------------- one full session

const EXPECTED_CAPS = {
  textDocumentSync: { openClose: true, change: 2, save: { includeText: false } },
  hoverProvider: true,
  inlayHintProvider: { resolveProvider: false },
  codeLensProvider: { resolveProvider: false },
  executeCommandProvider: { commands: ['heatls.loadProfile', 'heatls.clearProfile', 'heatls.hotspots', 'heatls.status', 'heatls.reloadProfile', 'heatls.search', 'heatls.pyroscopeServices'] },
  workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
};

async function session({ label, offerEncodings, expectEncoding, passToken, hoverFormat }) {
  console.log(`# session ${label}: positionEncodings ${JSON.stringify(offerEncodings)}, expecting ${expectEncoding}`);
  const failedBefore = failed;
  const wsInfo = makeWorkspace(label);
  const { ws, jsonDocs, unopened, wfDocs, wfUnopened } = wsInfo;
  const [encodeDoc, decodeDoc] = jsonDocs;
  const allDocs = [...jsonDocs, ...wfDocs];
  const c = new Client(label);
  c.start();
  const enc = expectEncoding;
  const d50 = dump(jsonProfile);
  let summary = null;

  try {
    // ---- initialize
    const ok = await check(`${label}: initialize answers the documented capabilities, positionEncoding ${expectEncoding}`, async () => {
      const general = offerEncodings ? { positionEncodings: offerEncodings } : {};
      const result = await c.request('initialize', {
        processId: process.pid,
        clientInfo: { name: 'heatls-lsp-test', version: '0' },
        rootUri: fileUri(ws),
        workspaceFolders: [{ uri: fileUri(ws), name: path.basename(ws) }],
        capabilities: {
          general,
          window: { workDoneProgress: true, showMessage: {} },
          workspace: {
            configuration: true,
            workspaceFolders: true,
            didChangeConfiguration: { dynamicRegistration: false },
            inlayHint: { refreshSupport: true },
            codeLens: { refreshSupport: true },
          },
          textDocument: {
            synchronization: { didSave: true },
            hover: { contentFormat: hoverFormat },
            inlayHint: { dynamicRegistration: false },
            codeLens: { dynamicRegistration: false },
          },
        },
      });
      assert.equal(result.capabilities.positionEncoding, expectEncoding, 'positionEncoding');
      assert.deepEqual({ ...result.capabilities, positionEncoding: undefined }, { ...EXPECTED_CAPS, positionEncoding: undefined }, 'capabilities');
      assert.equal(result.serverInfo?.name, 'heatls', 'serverInfo.name');
      assert.equal(typeof result.serverInfo?.version, 'string', 'serverInfo.version');
      await c.notify('initialized', {});
    });
    if (!ok) return;

    // ---- open the documents; no profile is loaded, so no decorations yet
    for (const doc of allDocs) await c.open(doc);
    await check(`${label}: heatls.status is null before any profile`, async () => {
      assert.equal(await c.command('heatls.status', []), null);
    });
    await check(`${label}: heatls.hotspots without a profile answers -32803`, async () => {
      await expectError(c.command('heatls.hotspots', []), -32803, 'heatls.hotspots');
    });
    await check(`${label}: inlay hints and decorations without a profile: none`, async () => {
      const h = await c.inlayHints(encodeDoc, enc);
      assert.ok(h === null || (Array.isArray(h) && h.length === 0), `got ${show(h, 300)}`);
      const ds = c.incoming(0, (m) => m.method === 'heatls/decorations');
      assert.equal(ds.length, 0, `decorations before any profile: ${show(ds[0]?.msg, 200)}`);
    });

    // ---- load the json profile
    const loadMark = c.mark();
    let loadId;
    const token = `heatls-test-load-${label}`;
    await check(`${label}: heatls.loadProfile answers the summary`, async () => {
      const p = c.command('heatls.loadProfile', [jsonProfile], passToken ? { workDoneToken: token } : {});
      loadId = c.lastId;
      summary = await p;
      const h = d50.header;
      assert.equal(summary.path, jsonProfile, 'path');
      assert.equal(summary.sampleType, 'cpu', 'sampleType');
      assert.equal(summary.unit, 'nanoseconds', 'unit');
      assert.equal(typeof summary.total, 'number', 'total');
      const info = execFileSync(heatlsArg, ['info', jsonProfile], { encoding: 'utf8' });
      const tm = /total:\s+([\d.]+)s/.exec(info);
      assert.ok(tm, `heatls info: ${info}`);
      assert.ok(Math.abs(summary.total / 1e9 - Number(tm[1])) < 0.01, `total ${summary.total} ns vs heatls info ${tm[1]}s`);
      assert.equal(summary.totalText, `${tm[1]}s`, 'totalText');
      assert.equal(summary.files, h.files, 'files');
      assert.equal(summary.functions, h.functions, 'functions');
      assert.equal(summary.lines, h.lines, 'lines');
      assert.equal(summary.documents, jsonDocs.length, `documents (open documents the profile describes: ${JSON_OPEN})`);
    });
    await check(`${label}: heatls/decorations for every open document arrive before the loadProfile response`, async () => {
      const ri = c.responseIndex(loadId);
      assert.ok(ri >= 0, 'no response seen');
      const late = [];
      for (const doc of allDocs) {
        const ds = c.decorationsFor(doc.uri, loadMark);
        if (ds.length === 0) late.push(`${path.basename(doc.file)}: none at all`);
        else if (ds[0].index > ri) late.push(`${path.basename(doc.file)}: after the response`);
      }
      assert.deepEqual(late, [], 'decorations missing or late');
      for (const doc of wfDocs) {
        const ds = c.decorationsFor(doc.uri, loadMark);
        assert.deepEqual(ds[0].msg.params.lines, [], `${path.basename(doc.file)} is not in the json profile: its decorations must be empty`);
      }
    });
    for (const doc of jsonDocs) {
      await check(`${label}: decorations of ${path.basename(doc.file)} equal heatls dump (line, local, global, flat, cum)`, async () => {
        const { msg } = await c.waitDecorations(doc, loadMark, 'after the load');
        assert.equal(msg.params.version, doc.version, 'version');
        assert.equal(msg.params.mode, 'both', 'mode');
        compareLines(msg.params.lines, expectedLines(jsonProfile, doc.profPath, null), path.basename(doc.file));
        assert.ok(msg.params.lines.length > 5, 'a file with several hot lines');
      });
    }
    await check(`${label}: $/progress begin and end for the load (${passToken ? 'the request\'s workDoneToken' : 'a token made with window/workDoneProgress/create'})`, async () => {
      let tok = token;
      if (!passToken) {
        const { msg } = await c.waitFor('window/workDoneProgress/create', (m) => m.method === 'window/workDoneProgress/create', { from: loadMark });
        tok = msg.params.token;
      }
      const begin = await c.waitFor(`$/progress begin on ${tok}`, (m) => m.method === '$/progress' && m.params.token === tok && m.params.value?.kind === 'begin', { from: loadMark });
      assert.equal(typeof begin.msg.params.value.title, 'string', 'begin.title');
      const end = await c.waitFor(`$/progress end on ${tok}`, (m) => m.method === '$/progress' && m.params.token === tok && m.params.value?.kind === 'end', { from: loadMark });
      assert.ok(end.index > begin.index, 'end after begin');
    });
    await check(`${label}: workspace/inlayHint/refresh and workspace/codeLens/refresh after the load`, async () => {
      await c.waitFor('workspace/inlayHint/refresh', (m) => m.method === 'workspace/inlayHint/refresh' && 'id' in m, { from: loadMark });
      await c.waitFor('workspace/codeLens/refresh', (m) => m.method === 'workspace/codeLens/refresh' && 'id' in m, { from: loadMark });
    });
    await check(`${label}: heatls.status equals the load summary`, async () => {
      assert.deepEqual(await c.command('heatls.status', []), summary);
    });

    // ---- inlay hints, hover, code lenses
    let fileHotspots = null;
    await check(`${label}: heatls.hotspots scope file lists exactly the points of encode.go, hottest first`, async () => {
      const hs = await c.command('heatls.hotspots', [{ scope: 'file', uri: encodeDoc.uri, limit: 10000 }]);
      assert.ok(Array.isArray(hs), 'an array');
      const pts = d50.byPath.get(encodeDoc.profPath).points;
      assert.equal(hs.length, pts.length, `entries (points of ${encodeDoc.profPath} in the dump)`);
      checkHotspotOrder(hs);
      for (const h of hs) {
        assert.equal(h.path, encodeDoc.profPath, 'path');
        assert.equal(h.uri, encodeDoc.uri, 'uri');
        checkHotspotAgainstDump(h, d50, h.line + 1);
      }
      fileHotspots = hs;
    });
    await check(`${label}: inlay hints of encode.go: one per hot line, "G<g> L<l> · <cum>", at the end of the line (${enc})`, async () => {
      await checkHints(c, encodeDoc, enc, 'both', expectedLines(jsonProfile, encodeDoc.profPath, null), fileHotspots);
    });
    await check(`${label}: inlay hints of decode.go`, async () => {
      await checkHints(c, decodeDoc, enc, 'both', expectedLines(jsonProfile, decodeDoc.profPath, null), null);
    });
    await check(`${label}: hover on the hottest line of encode.go names the function, levels and sample type (${hoverFormat[0]})`, async () => {
      const pts = [...d50.byPath.get(encodeDoc.profPath).points].sort(hotter);
      const p = pts[0];
      const line = p.line - 1;
      const h = await c.request('textDocument/hover', { textDocument: { uri: encodeDoc.uri }, position: { line, character: 1 } });
      assert.ok(h && h.contents, `no hover on line ${line}: ${JSON.stringify(h)}`);
      const text = hoverText(h);
      if (typeof h.contents === 'object' && !Array.isArray(h.contents)) assert.equal(h.contents.kind, hoverFormat[0], 'MarkupContent.kind');
      assert.ok(text.includes(p.fn.name), `hover names the function ${p.fn.name}: ${text}`);
      if (p.fn.type) assert.ok(text.includes(p.fn.type), `hover names the type ${p.fn.type}: ${text}`);
      assert.ok(/cpu/.test(text), `hover names the sample type: ${text}`);
      assert.ok(new RegExp(`\\b(G|global\\D{0,12})${p.global}\\b`, 'i').test(text), `hover shows the global level ${p.global}: ${text}`);
      assert.ok(new RegExp(`\\b(L|local\\D{0,12})${p.local}\\b`, 'i').test(text), `hover shows the local level ${p.local}: ${text}`);
    });
    await check(`${label}: inlay hints of a range: only the hot lines inside it`, async () => {
      const exp = expectedLines(jsonProfile, encodeDoc.profPath, null);
      const hot = [...exp.keys()].sort((a, b) => a - b);
      const from = hot[2];
      const to = hot[6];
      const ls = encodeDoc.lines;
      const hints = await c.request('textDocument/inlayHint', {
        textDocument: { uri: encodeDoc.uri },
        range: { start: { line: from, character: 0 }, end: { line: to, character: encLength(ls[to], enc) } },
      });
      const got = hints.map((h) => h.position.line).sort((a, b) => a - b);
      assert.deepEqual(got, hot.slice(2, 7), `hints in lines ${from}..${to}`);
    });
    await check(`${label}: a document opened while a profile is loaded gets its decorations (didClose, didOpen decode.go)`, async () => {
      await c.notify('textDocument/didClose', { textDocument: { uri: decodeDoc.uri } });
      const m = c.mark();
      await c.open(decodeDoc);
      const { msg } = await c.waitDecorations(decodeDoc, m, 'after reopening');
      compareLines(msg.params.lines, expectedLines(jsonProfile, decodeDoc.profPath, null), 'decode.go reopened');
    });
    await check(`${label}: hover on an unprofiled line (line 0) is null`, async () => {
      const h = await c.request('textDocument/hover', { textDocument: { uri: encodeDoc.uri }, position: { line: 0, character: 0 } });
      assert.equal(h, null);
    });
    await check(`${label}: code lenses of encode.go: one per function, on its first profiled line`, async () => {
      const lenses = await c.request('textDocument/codeLens', { textDocument: { uri: encodeDoc.uri } });
      assert.ok(Array.isArray(lenses), `an array: ${JSON.stringify(lenses)}`);
      const fns = d50.byPath.get(encodeDoc.profPath).funcs;
      const want = fns.map((f) => f.minLine - 1).sort((a, b) => a - b);
      const got = lenses.map((l) => l.range.start.line).sort((a, b) => a - b);
      assert.deepEqual(got, want, 'lens lines (minLine - 1 of each function of the file)');
      const re = new RegExp(`^cum \\S+ \\(\\d+(\\.\\d+)?%\\) · flat \\S+ · #\\d+ of ${summary.functions}$`);
      for (const l of lenses) {
        assert.ok(l.command, `lens without a command: ${JSON.stringify(l)}`);
        assert.match(l.command.title, re, 'lens title');
        assert.equal(l.command.command, '', 'a label: empty command');
      }
    });

    // ---- hotspots, global
    await check(`${label}: heatls.hotspots (default): 50 hottest, in global rank order, uris mapped to the workspace copies`, async () => {
      const hs = await c.command('heatls.hotspots', []);
      assert.ok(Array.isArray(hs), 'an array');
      assert.equal(hs.length, 50, 'default limit');
      checkHotspotOrder(hs);
      const all = [...d50.funcs.flatMap((f) => f.points)].sort(hotter);
      assert.equal(Math.trunc(hs[49].cum / 1000), all[49].cum, 'the 50th cum equals the dump\'s 50th hottest');
      for (const h of hs) checkHotspotAgainstDump(h, d50, h.line + 1);
    });
    await check(`${label}: heatls.hotspots limit 10000: every point; open and unopened workspace files mapped`, async () => {
      const hs = await c.command('heatls.hotspots', [{ limit: 10000, scope: 'global' }]);
      assert.equal(hs.length, d50.header.lines, 'every point of the profile');
      checkHotspotOrder(hs);
      for (const h of hs) checkHotspotAgainstDump(h, d50, h.line + 1);
      const byProf = (p) => hs.filter((h) => h.path === p);
      for (const doc of jsonDocs) {
        const e = byProf(doc.profPath);
        assert.ok(e.length > 0, `${doc.profPath} listed`);
        for (const h of e) assert.equal(h.uri, doc.uri, `uri of ${doc.profPath} (an open document)`);
      }
      checkUnopenedUris(hs, unopened);
    });
    await check(`${label}: heatls.hotspots limit 3`, async () => {
      const hs = await c.command('heatls.hotspots', [{ limit: 3 }]);
      assert.equal(hs.length, 3);
    });

    // ---- edits
    await editChecks(c, encodeDoc, enc);

    // ---- settings
    await settingsChecks(c, jsonDocs, enc);

    // ---- errors
    await errorChecks(c, decodeDoc, enc, () => summary);

    // ---- reload by watching the file
    await reloadChecks(c, jsonDocs, wfDocs, wfUnopened, enc);

    // ---- clear
    await check(`${label}: heatls.clearProfile: null, empty decorations for documents with heat, status null`, async () => {
      // The documents whose last decorations had lines.
      const lit = allDocs.filter((doc) => {
        const ds = c.decorationsFor(doc.uri, 0);
        return ds.length > 0 && ds[ds.length - 1].msg.params.lines.length > 0;
      });
      assert.ok(lit.length > 0, 'some document has heat before the clear');
      const m = c.mark();
      const r = await c.command('heatls.clearProfile', []);
      assert.equal(r, null);
      for (const doc of lit) {
        const { msg } = await c.waitDecorations(doc, m, 'after clearProfile');
        assert.deepEqual(msg.params.lines, [], `${path.basename(doc.file)} decorations after clear`);
      }
      assert.equal(await c.command('heatls.status', []), null, 'status');
      const h = await c.inlayHints(lit[0], enc);
      assert.ok(h === null || (Array.isArray(h) && h.length === 0), `no hints after clear: ${show(h, 200)}`);
    });

    // ---- shutdown, exit
    await check(`${label}: shutdown answers null; exit ends the process with status 0`, async () => {
      const r = await c.request('shutdown');
      assert.equal(r, null);
      await expectError(c.request('textDocument/hover', { textDocument: { uri: encodeDoc.uri }, position: { line: 0, character: 0 } }), -32600, 'a request after shutdown');
      await c.notify('exit');
      const ex = await Promise.race([c.exited, sleep(WAIT_MS).then(() => null)]);
      assert.ok(ex, `heatls did not exit within ${WAIT_MS} ms of exit`);
      assert.deepEqual(ex, { code: 0, signal: null }, 'exit status');
    });
  } finally {
    await c.kill();
    if (failed > failedBefore) {
      console.log(`# ${label}: heatls stderr (last 60 lines):`);
      console.log(indent(c.stderrTail(60)));
    }
  }
}

// The hotspots of a profile file that no open document shows: uri is its copy under the
// workspace folder, or the profile's own path when that exists on this machine (rule 1
// of the path mapping: /usr/lib/go-1.19/src is there when golang-1.19-go is installed).
function checkUnopenedUris(hs, unopened) {
  const u = hs.filter((h) => h.path === unopened.profPath);
  assert.ok(u.length > 0, `${unopened.profPath} listed`);
  const local = fs.existsSync(unopened.profPath);
  for (const h of u) {
    const ok = h.uri && (samePathUri(h.uri, unopened.file) || (local && samePathUri(h.uri, unopened.profPath)));
    assert.ok(ok, `uri of ${unopened.profPath} (not open, copied under the workspace folder${local ? ', and present at the same path' : ''}): got ${h.uri}, expected ${fileUri(unopened.file)}`);
  }
}

function checkHotspotOrder(hs) {
  for (let i = 1; i < hs.length; i++) {
    assert.ok(hs[i - 1].cum >= hs[i].cum, `hotspots not hottest first at ${i}: ${JSON.stringify(hs[i - 1])} then ${JSON.stringify(hs[i])}`);
  }
}

function checkHotspotAgainstDump(h, d, profLine) {
  const file = d.byPath.get(h.path);
  assert.ok(file, `hotspot of a file the profile does not have: ${JSON.stringify(h)}`);
  const cands = file.points.filter((p) => p.line === profLine);
  assert.ok(cands.length > 0, `hotspot on a line the dump does not have: ${JSON.stringify(h)}`);
  const ok = cands.some((p) => p.local === h.local && p.global === h.global && p.flat === Math.trunc(h.flat / 1000) && p.cum === Math.trunc(h.cum / 1000) && h.function.endsWith(p.fn.name));
  assert.ok(ok, `hotspot ${JSON.stringify(h)} differs from the dump: ${JSON.stringify(cands.map((p) => ({ ...p, fn: p.fn.name })))}`);
  for (const k of ['flatText', 'cumText', 'function']) assert.equal(typeof h[k], 'string', `${k} of ${JSON.stringify(h)}`);
}

// Checks the inlay hints of a whole document against the expected lines and mode.
async function checkHints(c, doc, enc, mode, expected, fileHotspots) {
  const hints = await c.inlayHints(doc, enc);
  assert.ok(Array.isArray(hints), `an array: ${JSON.stringify(hints)}`);
  const ls = doc.lines;
  const want = new Map();
  for (const [line, opts] of expected) {
    const e = opts.find((o) => o) || null;
    if (!e) continue;
    if (mode === 'both' || (mode === 'global' && e.global > 0) || (mode === 'local' && e.local > 0)) want.set(line, opts.filter((o) => o));
  }
  const problems = [];
  const seen = new Set();
  for (const h of hints) {
    const line = h.position.line;
    const label = labelText(h.label);
    if (seen.has(line)) problems.push(`two hints on line ${line}`);
    seen.add(line);
    const opts = want.get(line);
    if (!opts) {
      problems.push(`unexpected hint on line ${line}: ${JSON.stringify(label)}`);
      continue;
    }
    const prefixes = opts.map((e) => (mode === 'both' ? `G${e.global} L${e.local} · ` : mode === 'global' ? `G${e.global} · ` : `L${e.local} · `));
    const pre = prefixes.find((p) => label.startsWith(p));
    if (!pre) problems.push(`line ${line}: label ${JSON.stringify(label)}, expected it to start with ${JSON.stringify(prefixes[0])}`);
    else if (label.length === pre.length) problems.push(`line ${line}: label ${JSON.stringify(label)} has no value`);
    else if (fileHotspots) {
      const hs = fileHotspots.find((x) => x.line === line);
      if (hs && label.slice(pre.length) !== hs.cumText) problems.push(`line ${line}: hint value ${JSON.stringify(label.slice(pre.length))} differs from the hotspot's cumText ${JSON.stringify(hs.cumText)}`);
    }
    const len = encLength(ls[line] ?? '', enc);
    if (h.position.character !== len) problems.push(`line ${line}: hint at character ${h.position.character}, the line is ${len} ${enc} code units long`);
    if (h.paddingLeft !== true) problems.push(`line ${line}: paddingLeft ${h.paddingLeft}`);
  }
  for (const line of want.keys()) if (!seen.has(line)) problems.push(`no hint on line ${line}`);
  if (problems.length) assert.fail(`${path.basename(doc.file)}: ${problems.length} problem(s) (${hints.length} hints, ${want.size} expected):\n${problems.slice(0, 12).join('\n')}`);
}

// ---------------------------------------------------------------- step 5: edits

async function editChecks(c, doc, enc) {
  const L = c.label;
  const name = path.basename(doc.file);
  const hotLinesNow = () => [...expectedLines(jsonProfile, doc.profPath, doc.lineMap()).keys()].sort((a, b) => a - b);

  await check(`${L}: edit: 3 lines inserted at the top of ${name} move decorations and hints down by 3`, async () => {
    const m = c.mark();
    await c.change(doc, doc.insertLinesAtTop(3));
    const { msg } = await c.waitDecorations(doc, m, 'after inserting 3 lines');
    assert.equal(msg.params.version, doc.version, 'version');
    compareLines(msg.params.lines, expectedLines(jsonProfile, doc.profPath, doc.lineMap()), `${name} after the insert`);
    await checkHints(c, doc, enc, 'both', expectedLines(jsonProfile, doc.profPath, doc.lineMap()), null);
  });

  await check(`${L}: edit: deleting a hot line of ${name} drops it; lines below move up`, async () => {
    const hot = hotLinesNow();
    const victim = hot[Math.floor(hot.length / 2)];
    const m = c.mark();
    await c.change(doc, doc.deleteLine(victim));
    const { msg } = await c.waitDecorations(doc, m, 'after deleting a hot line');
    assert.equal(msg.params.version, doc.version, 'version');
    const exp = expectedLines(jsonProfile, doc.profPath, doc.lineMap());
    compareLines(msg.params.lines, exp, `${name} after deleting line ${victim}`);
    await checkHints(c, doc, enc, 'both', exp, null);
  });

  await check(`${L}: edit: typing non-ASCII text inside a hot line of ${name} keeps its heat; the hint moves to the new end of line (${enc})`, async () => {
    const hot = hotLinesNow();
    const line = hot[0];
    const before = c.mark();
    await c.change(doc, doc.appendToLine(line, ' // héllo ✓ 𝄞', enc));
    // No decorations are required (no annotated line moved), but any sent must be right.
    await sleep(200);
    const exp = expectedLines(jsonProfile, doc.profPath, doc.lineMap());
    for (const { msg } of c.decorationsFor(doc.uri, before)) compareLines(msg.params.lines, exp, `${name} after typing in line ${line}`);
    await checkHints(c, doc, enc, 'both', exp, null);
    const hints = await c.inlayHints(doc, enc);
    const h = hints.find((x) => x.position.line === line);
    const text = doc.lines[line];
    assert.ok(h, `a hint on line ${line}`);
    assert.equal(h.position.character, encLength(text, enc), `character = length of ${JSON.stringify(text)} in ${enc}`);
  });

  await check(`${L}: edit: a hover on the moved hot line still works`, async () => {
    const line = hotLinesNow()[0];
    const h = await c.request('textDocument/hover', { textDocument: { uri: doc.uri }, position: { line, character: 1 } });
    assert.ok(h && h.contents, `hover on moved line ${line}: ${JSON.stringify(h)}`);
  });
}

// ---------------------------------------------------------------- step 6: settings

async function settingsChecks(c, docs, enc) {
  const L = c.label;
  const configure = async (settings) => {
    c.settings = settings;
    const m = c.mark();
    await c.notify('workspace/didChangeConfiguration', { settings: { heatls: settings } });
    return m;
  };

  await check(`${L}: settings hints "global": decorations mode "global", hints "G<g> · <cum>" on lines with a global level only`, async () => {
    const m = await configure({ hints: 'global' });
    for (const doc of docs) {
      const { msg } = await c.waitDecorations(doc, m, 'after hints: "global"');
      assert.equal(msg.params.mode, 'global', 'mode');
      compareLines(msg.params.lines, expectedLines(jsonProfile, doc.profPath, doc.lineMap()), path.basename(doc.file));
    }
    await c.waitFor('workspace/inlayHint/refresh', (x) => x.method === 'workspace/inlayHint/refresh', { from: m });
    await c.waitFor('workspace/codeLens/refresh', (x) => x.method === 'workspace/codeLens/refresh', { from: m });
    for (const doc of docs) await checkHints(c, doc, enc, 'global', expectedLines(jsonProfile, doc.profPath, doc.lineMap()), null);
  });

  await check(`${L}: settings hints "local": hints "L<l> · <cum>"`, async () => {
    const m = await configure({ hints: 'local' });
    const { msg } = await c.waitDecorations(docs[0], m, 'after hints: "local"');
    assert.equal(msg.params.mode, 'local', 'mode');
    for (const doc of docs) await checkHints(c, doc, enc, 'local', expectedLines(jsonProfile, doc.profPath, doc.lineMap()), null);
  });

  await check(`${L}: settings hints "off": no hints`, async () => {
    const m = await configure({ hints: 'off' });
    const { msg } = await c.waitDecorations(docs[0], m, 'after hints: "off"');
    assert.equal(msg.params.mode, 'off', 'mode');
    const h = await c.inlayHints(docs[0], enc);
    assert.ok(h === null || (Array.isArray(h) && h.length === 0), `hints: ${show(h, 200)}`);
  });

  await check(`${L}: settings threshold 0.2: fewer lines decorated, as heatls dump -threshold 0.2`, async () => {
    const m = await configure({ hints: 'both', threshold: 0.2 });
    for (const doc of docs) {
      const { msg } = await c.waitDecorations(doc, m, 'after threshold 0.2');
      const exp = expectedLines(jsonProfile, doc.profPath, doc.lineMap(), 0.2);
      const exp5 = expectedLines(jsonProfile, doc.profPath, doc.lineMap());
      assert.ok(exp.size < exp5.size, `the oracle itself: ${exp.size} lines at 0.2, ${exp5.size} at 0.5`);
      assert.equal(msg.params.mode, 'both', 'mode');
      compareLines(msg.params.lines, exp, `${path.basename(doc.file)} at threshold 0.2`);
      await checkHints(c, doc, enc, 'both', exp, null);
    }
    const st = await c.command('heatls.status', []);
    assert.ok(st && st.path === jsonProfile, `status still the json profile: ${JSON.stringify(st)}`);
  });

  await check(`${L}: a bad setting (threshold 2) is refused whole with a window/showMessage warning naming the key`, async () => {
    const m = await configure({ hints: 'global', threshold: 2 });
    const { msg } = await c.waitFor('window/showMessage naming threshold', (x) => x.method === 'window/showMessage' && /threshold/.test(x.params.message), { from: m });
    assert.equal(msg.params.type, 2, `a warning: ${JSON.stringify(msg.params)}`);
    const exp = expectedLines(jsonProfile, docs[0].profPath, docs[0].lineMap(), 0.2);
    await checkHints(c, docs[0], enc, 'both', exp, null);
  });

  await check(`${L}: didChangeConfiguration with null settings: heatls asks workspace/configuration for "heatls"`, async () => {
    c.settings = { hints: 'global' };
    const m = c.mark();
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    const { msg: req } = await c.waitFor('workspace/configuration', (x) => x.method === 'workspace/configuration', { from: m });
    assert.ok(req.params.items.some((it) => it.section === 'heatls'), `asks for the heatls section: ${JSON.stringify(req.params)}`);
    const { msg } = await c.waitDecorations(docs[0], m, 'after the configuration answer');
    assert.equal(msg.params.mode, 'global', 'mode from the configuration answer');
  });

  await check(`${L}: settings back to the defaults`, async () => {
    const m = await configure({ hints: 'both', threshold: 0.5 });
    for (const doc of docs) {
      const { msg } = await c.waitDecorations(doc, m, 'after restoring the defaults');
      compareLines(msg.params.lines, expectedLines(jsonProfile, doc.profPath, doc.lineMap()), path.basename(doc.file));
    }
  });
}

// ---------------------------------------------------------------- step 7: errors

async function errorChecks(c, doc, enc, getSummary) {
  const L = c.label;
  const stillLoaded = async (what) => {
    assert.deepEqual(await c.command('heatls.status', []), getSummary(), `status after ${what}`);
    await checkHints(c, doc, enc, 'both', expectedLines(jsonProfile, doc.profPath, doc.lineMap()), null);
  };
  const dir = path.join(runDir, `${L}-a-directory.pb.gz`);
  fs.mkdirSync(dir, { recursive: true });
  const garbage = path.join(runDir, `${L}-garbage.pb.gz`);
  fs.writeFileSync(garbage, 'this is not a profile\n'.repeat(20));
  const missing = path.join(runDir, `${L}-missing.pb.gz`);
  for (const [what, p] of [
    ['a missing file', missing],
    ['a directory', dir],
    ['a file that is not a profile', garbage],
  ]) {
    await check(`${L}: loadProfile on ${what}: -32803 naming the file, window/showMessage error; the previous profile stays`, async () => {
      const m = c.mark();
      const e = await expectError(c.command('heatls.loadProfile', [p]), -32803, `loadProfile ${p}`);
      assert.ok(e.message.includes(p), `the error message names the file: ${e.message}`);
      const { msg } = await c.waitFor(`window/showMessage for ${p}`, (x) => x.method === 'window/showMessage' && x.params.message.includes(p), { from: m });
      assert.equal(msg.params.type, 1, 'showMessage type 1 (error)');
      await stillLoaded(what);
    });
  }
  await check(`${L}: loadProfile with a number for the path: -32602; the previous profile stays`, async () => {
    await expectError(c.command('heatls.loadProfile', [42]), -32602, 'loadProfile [42]');
    await stillLoaded('bad arguments');
  });
  await check(`${L}: an unknown command: an error; the server still answers`, async () => {
    let threw = false;
    try {
      await c.command('heatls.noSuchCommand', []);
    } catch (e) {
      if (!(e instanceof ResponseError)) throw e;
      threw = true;
    }
    assert.ok(threw, 'heatls.noSuchCommand answered without an error');
    await stillLoaded('an unknown command');
  });
}

// ---------------------------------------------------------------- step 8: reload on rewrite

async function reloadChecks(c, jsonDocs, wfDocs, wfUnopened, enc) {
  const L = c.label;
  const dir = path.join(runDir, `${L}-watched`);
  fs.mkdirSync(dir, { recursive: true });
  const watched = path.join(dir, 'cpu.pb.gz');
  fs.copyFileSync(jsonProfile, watched);
  const ok = await check(`${L}: loadProfile from a temporary copy`, async () => {
    const m = c.mark();
    const s = await c.command('heatls.loadProfile', [watched]);
    assert.equal(s.path, watched, 'summary path');
    for (const doc of jsonDocs) {
      const { msg } = await c.waitDecorations(doc, m, 'after loading the copy');
      // A reload starts again from the profile's lines.
      compareLines(msg.params.lines, expectedLines(jsonProfile, doc.profPath, null), path.basename(doc.file));
    }
    for (const doc of jsonDocs) doc.map = null;
  });
  if (!ok) return;
  const haveWordfreq = wfDocs.length > 0;
  const next = haveWordfreq ? wordfreqProfile : path.join(testdataArg, 'golden/json-heap/json-heap.pb.gz');
  await check(`${L}: rewriting the loaded profile's file (with ${path.relative(testdataArg, next)}) reloads it within ${WATCH_MS} ms`, async () => {
    await sleep(50);
    const m = c.mark();
    fs.writeFileSync(watched, fs.readFileSync(next));
    if (haveWordfreq) {
      for (const doc of wfDocs) {
        if (!doc.profPath) continue;
        const { msg } = await c.waitDecorations(doc, m, 'after the rewrite', (p) => p.lines.length > 0, WATCH_MS);
        compareLines(msg.params.lines, expectedLines(next, doc.profPath, null), `${path.basename(doc.file)} (wordfreq)`);
        await checkHints(c, doc, enc, 'both', expectedLines(next, doc.profPath, null), null);
      }
      for (const doc of jsonDocs) {
        const { msg } = await c.waitDecorations(doc, m, 'after the rewrite', () => true, WATCH_MS);
        assert.deepEqual(msg.params.lines, [], `${path.basename(doc.file)} is not in the new profile`);
      }
    } else {
      console.log(`# note: ${wordfreqProfile} is missing; the reload uses ${next}`);
      await c.waitDecorations(jsonDocs[0], m, 'after the rewrite', () => true, WATCH_MS);
    }
    const st = await c.command('heatls.status', []);
    const h = dump(next).header;
    assert.ok(st, 'status after the reload');
    assert.equal(st.path, watched, 'status path');
    if (haveWordfreq) {
      const docs = wfDocs.filter((d) => d.profPath).length;
      assert.deepEqual([st.files, st.functions, st.lines, st.documents], [h.files, h.functions, h.lines, docs], 'status counts (files, functions, lines, documents) are the new profile\'s');
    }
  });
  if (!haveWordfreq) return;
  await check(`${L}: heatls.hotspots of the reloaded wordfreq profile: open documents and ${WORDFREQ_UNOPENED} (not open) mapped into the workspace`, async () => {
    const d = dump(wordfreqProfile);
    const hs = await c.command('heatls.hotspots', [{ limit: 10000 }]);
    assert.equal(hs.length, d.header.lines, 'every point');
    checkHotspotOrder(hs);
    for (const h of hs) checkHotspotAgainstDump(h, d, h.line + 1);
    for (const doc of wfDocs.filter((x) => x.profPath)) {
      const e = hs.filter((h) => h.path === doc.profPath);
      assert.ok(e.length > 0, `${doc.profPath} listed`);
      for (const h of e) assert.equal(h.uri, doc.uri, `uri of ${doc.profPath} (an open document)`);
    }
    if (wfUnopened) checkUnopenedUris(hs, wfUnopened);
    const fh = await c.command('heatls.hotspots', [{ scope: 'file', uri: wfDocs.find((x) => x.profPath).uri, limit: 10000 }]);
    const fd = wfDocs.find((x) => x.profPath);
    assert.equal(fh.length, d.byPath.get(fd.profPath).points.length, `scope file ${path.basename(fd.file)}: its points`);
  });
}

// ---------------------------------------------------------------- the short session

async function exitWithoutShutdown() {
  const c = new Client('no-shutdown');
  c.start();
  const failedBefore = failed;
  try {
    await check('no-shutdown: a request before initialize answers -32002', async () => {
      await expectError(c.request('textDocument/hover', { textDocument: { uri: 'file:///x.go' }, position: { line: 0, character: 0 } }), -32002, 'hover before initialize');
    });
    await check('no-shutdown: initialize; an unknown request answers -32601', async () => {
      const r = await c.request('initialize', { processId: null, rootUri: null, capabilities: {} });
      assert.equal(r.capabilities.positionEncoding, 'utf-16', 'positionEncoding with no offer');
      await c.notify('initialized', {});
      await expectError(c.request('heatls/noSuchRequest', {}), -32601, 'an unknown request');
    });
    await check('no-shutdown: exit without shutdown ends the process with status 1', async () => {
      await c.notify('exit');
      const ex = await Promise.race([c.exited, sleep(WAIT_MS).then(() => null)]);
      assert.ok(ex, `heatls did not exit within ${WAIT_MS} ms of exit`);
      assert.deepEqual(ex, { code: 1, signal: null }, 'exit status');
    });
  } finally {
    await c.kill();
    if (failed > failedBefore) console.log(indent('heatls stderr (tail):\n' + c.stderrTail()));
  }
}

// ---------------------------------------------------------------- main

async function main() {
  const t0 = Date.now();
  if (!(await preconditions())) return finish();
  fs.mkdirSync(tmpArg, { recursive: true });
  runDir = fs.mkdtempSync(path.join(path.resolve(tmpArg), 'run-'));
  if (!fs.existsSync(wordfreqProfile)) console.log(`# note: ${wordfreqProfile} does not exist yet: the wordfreq documents are not opened`);
  await session({ label: 'utf8', offerEncodings: ['utf-8', 'utf-16'], expectEncoding: 'utf-8', passToken: true, hoverFormat: ['markdown', 'plaintext'] });
  await session({ label: 'utf16', offerEncodings: null, expectEncoding: 'utf-16', passToken: false, hoverFormat: ['plaintext'] });
  await exitWithoutShutdown();
  if (failed === 0) fs.rmSync(runDir, { recursive: true, force: true });
  else console.log(`# the workspaces are kept in ${runDir}`);
  finish(`# ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  failed++;
  console.log('not ok - the session script itself failed');
  console.log(indent(describeError(e)));
  if (currentClient) currentClient.kill();
  finish();
});
