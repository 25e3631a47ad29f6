// soak.mjs: a soak and load test of the real heatls binary over stdio.
//
// It starts `heatls --stdio` and initializes it (work-done progress, inlay
// hint and code lens refresh, one workspace folder in a temporary folder),
// answering every request of the server with null. It opens DOCS documents:
// copies of testdata/programs/wordfreq/*.go and of the Go files that
// testdata/golden/json/json.pb.gz names (from /usr/lib/go-1.19 when
// installed, else synthetic files of the same names and lengths) under many
// subfolders <tmp>/ws/w<k>/, so that base names repeat and some matches are
// ambiguous, plus synthetic files (some CRLF, some non-ASCII, some untitled:).
// It loads each profile once, then runs REQUESTS operations with up to
// CONCURRENCY requests in flight: inlay hints (whole documents and ranges),
// hovers (hot and cold lines), code lenses, hotspots, status, a few bad
// requests; didChange edits (lines inserted and deleted, typing, ranges over
// line breaks, full replacements), didClose/didOpen churn, settings changes
// (threshold, hints, localScope, pathMappings, watch, refused ones),
// workspace folder changes, $/cancelRequest for requests in flight and long
// answered. Among them go RELOADS profile loads: json.pb.gz, cpu.pb.gz,
// heap.pb.gz, a watched copy, and corrupt ones (a truncated gzip, random
// bytes, a directory, a missing file, an empty file), some cancelled while
// they run or wait, and rewrites of the watched file on disk (copied over in
// place or renamed over) while it is the loaded profile, which the server's
// watcher reloads. The client keeps its own copy of every document, so it
// checks answers against the text the server had when it answered.
//
// Goals (the exit status is 0 only when all are met):
//   no crash               heatls lives until shutdown/exit and then exits 0
//                          (an ASan build also fails here on a leak at exit)
//   no unanswered request  every request gets exactly one answer (a hang:
//                          no message for HANG_SECONDS while some are pending)
//   answers valid          results have the shape docs/protocol.md gives and
//                          agree with the client's text; errors carry a code
//                          of docs/protocol.md, -32800 only for a cancelled
//                          load; after every failed load heatls.status still
//                          reports the last good profile
//   RSS growth < 5%        VmRSS at the end vs after 50% of the operations
//                          (advisory with SOAK_RSS_ADVISORY=1: ASan's RSS is
//                          its quarantine and shadow memory)
//   fd count unchanged     open fds at the end vs after the warm-up; the only
//                          fd the warm-up may add to those after initialize is
//                          libuv's inotify fd, opened by the first watch and
//                          kept until the loop closes
// Lines past the end of a document in decorations and code lenses are
// counted and printed as WARN (a known deviation, not a failure).
//
// It prints requests served, errors by code, p50/p99 latency per request
// kind (from send to answer, so with up to CONCURRENCY requests queued),
// loads ok/failed/cancelled, RSS and fds at start, middle and end, heatls's
// CPU time, total time, and the goals with PASS/FAIL. Exit status: 0 when
// every goal is met, 1 when one is not, 2 on a usage error. Not part of
// ctest: tools/soak.sh builds heatls and runs it. Plain Node 20, no
// packages, stdio only (no network).
//
// Usage: node tools/soak.mjs [--heatls PATH] [--requests N] [--docs N]
//          [--reloads N] [--time-cap SECONDS] [--concurrency N] [--seed N]
//          [--keep] [--quiet]
// Environment (flags win): HEATLS (default build-soak/server/heatls),
//   REQUESTS (100000), DOCS (1000), RELOADS (200), TIME_CAP seconds (600:
//   then it stops sending, drains, shuts down and reports), CONCURRENCY
//   (32), SEED (1), KEEP=1 (keep the temporary folder and the server's
//   stderr; kept anyway when a goal fails), HANG_SECONDS (60),
//   SOAK_RSS_ADVISORY=1, SOAK_PRELOAD (a library preloaded into heatls that
//   prints "MSTAT inuse=N free=N arena=N mmap=N" lines on stderr;
//   tools/soak.sh --malloc-stats builds one).
import { spawn, execFileSync } from 'node:child_process';
import {
  mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync,
  statSync, copyFileSync, renameSync, readdirSync, readlinkSync,
  createWriteStream,
} from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- options

function usage(msg) {
  if (msg) console.error(`soak: ${msg}`);
  console.error('usage: node tools/soak.mjs [--heatls PATH] [--requests N] [--docs N] ' +
                '[--reloads N] [--time-cap SECONDS] [--concurrency N] [--seed N] [--keep] [--quiet]');
  process.exit(2);
}

const opt = {
  heatls: process.env.HEATLS || path.join(repo, 'build-soak/server/heatls'),
  requests: Number(process.env.REQUESTS || 100000),
  docs: Number(process.env.DOCS || 1000),
  reloads: Number(process.env.RELOADS || 200),
  timeCap: Number(process.env.TIME_CAP || 600),
  concurrency: Number(process.env.CONCURRENCY || 32),
  seed: Number(process.env.SEED || 1),
  keep: process.env.KEEP === '1',
  quiet: false,
  hang: Number(process.env.HANG_SECONDS || 60),
  preload: process.env.SOAK_PRELOAD || '',
  rssAdvisory: process.env.SOAK_RSS_ADVISORY === '1',
};
{
  const args = process.argv.slice(2);
  const num = (i) => {
    const v = Number(args[i]);
    if (args[i] === undefined || !Number.isFinite(v)) usage(`${args[i - 1]} needs a number`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    switch (args[i]) {
      case '--heatls': opt.heatls = args[++i]; if (!opt.heatls) usage('--heatls needs a path'); break;
      case '--requests': opt.requests = num(++i); break;
      case '--docs': opt.docs = num(++i); break;
      case '--reloads': opt.reloads = num(++i); break;
      case '--time-cap': opt.timeCap = num(++i); break;
      case '--concurrency': opt.concurrency = num(++i); break;
      case '--seed': opt.seed = num(++i); break;
      case '--keep': opt.keep = true; break;
      case '--quiet': opt.quiet = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${args[i]}`);
    }
  }
  for (const k of ['requests', 'docs', 'reloads', 'timeCap', 'concurrency', 'hang']) {
    if (!Number.isInteger(opt[k]) || opt[k] < 0) usage(`${k} must be a whole number`);
  }
  if (opt.docs < 10) usage('DOCS must be at least 10');
  if (opt.concurrency < 1) usage('CONCURRENCY must be at least 1');
  opt.heatls = path.resolve(opt.heatls);
  if (!existsSync(opt.heatls)) usage(`no heatls binary at ${opt.heatls} (build it, or run tools/soak.sh)`);
}

const log = (...a) => { if (!opt.quiet) console.log(...a); };

// ---------------------------------------------------------------- random

let seedState = opt.seed >>> 0 || 1;
function rand() { // mulberry32
  seedState = (seedState + 0x6D2B79F5) >>> 0;
  let t = seedState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const rint = (n) => Math.floor(rand() * n);
const pick = (a) => a[rint(a.length)];
const chance = (p) => rand() < p;

// ---------------------------------------------------------------- the profiles

const sources = {
  json: path.join(repo, 'testdata/golden/json/json.pb.gz'),
  cpu: path.join(repo, 'testdata/programs/wordfreq/cpu.pb.gz'),
  heap: path.join(repo, 'testdata/programs/wordfreq/heap.pb.gz'),
};
const wordfreqDir = path.join(repo, 'testdata/programs/wordfreq');

// The files a profile names, with the largest line of each, from `heatls stat`.
function profileFiles(profile) {
  const out = execFileSync(opt.heatls, ['stat', profile], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const files = new Map();
  let current = null;
  for (const line of out.split('\n')) {
    let m = /^\s*func .* \((.*)\):$/.exec(line);
    if (m) {
      current = m[1];
      if (!files.has(current)) files.set(current, 0);
      continue;
    }
    m = /^\s*line\s+(\d+):/.exec(line);
    if (m && current) files.set(current, Math.max(files.get(current), Number(m[1])));
  }
  return files;
}

// ---------------------------------------------------------------- the workspace

const tmp = mkdtempSync(path.join(tmpdir(), 'heatls-soak-'));
const ws = path.join(tmp, 'ws');
const extraFolder = path.join(tmp, 'extra');
const profDir = path.join(tmp, 'profiles');
mkdirSync(ws);
mkdirSync(extraFolder);
mkdirSync(profDir);
writeFileSync(path.join(extraFolder, 'extra.go'), 'package extra\n');

const profilePath = {};
for (const [name, src] of Object.entries(sources)) {
  profilePath[name] = path.join(profDir, `${name}.pb.gz`);
  copyFileSync(src, profilePath[name]);
}
const watchedPath = path.join(profDir, 'watched.pb.gz');
let watchedContent = 'cpu';
copyFileSync(sources.cpu, watchedPath);

// Corrupt profiles.
const corruptPath = {
  truncated: path.join(profDir, 'truncated.pb.gz'),
  random: path.join(profDir, 'random.pb.gz'),
  directory: path.join(profDir, 'adirectory.pb.gz'),
  missing: path.join(profDir, 'missing.pb.gz'),
  empty: path.join(profDir, 'empty.pb.gz'),
};
const jsonBytes = readFileSync(sources.json);
writeFileSync(corruptPath.truncated, jsonBytes.subarray(0, jsonBytes.length >> 1));
mkdirSync(corruptPath.directory);
writeFileSync(corruptPath.empty, '');
function rewriteRandom() {
  // Fresh garbage each time: plain, or gzip of garbage (a good stream that
  // holds no profile). The first byte is never a protobuf tag that could
  // start a well-formed empty message.
  const n = 16 + rint(8192);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rint(256);
  b[0] = 0xff;
  writeFileSync(corruptPath.random, chance(0.5) ? b : gzipSync(b));
}
rewriteRandom();

function goText(name, nlines, crlf, unicode) {
  const eol = crlf ? '\r\n' : '\n';
  const lines = [`// ${name}: synthetic file for the heatls soak test`, 'package synth', ''];
  for (let i = lines.length; i < nlines; i++) {
    const r = i % 7;
    if (r === 0) lines.push(`func f${i}(x int) int {`);
    else if (r === 6) lines.push('}');
    else if (unicode && r === 3) lines.push(`\ts := "ünï 😀 世界 ${i}" // ${'é'.repeat(i % 5)}`);
    else lines.push(`\tx += ${i} * x // line ${i}`);
  }
  lines.push('');
  return { text: lines.join(eol), eol };
}

let jsonFiles;
try {
  jsonFiles = profileFiles(sources.json);
} catch (e) {
  rmSync(tmp, { recursive: true, force: true });
  console.error(`soak: ${opt.heatls} stat ${sources.json} failed: ${e.message}`);
  process.exit(1);
}
const stdFiles = [];
for (const [p, maxLine] of jsonFiles) {
  const rel = p.includes('/src/') ? p.slice(p.indexOf('/src/') + 5) : p.split('/').slice(-2).join('/');
  let text;
  try {
    if (statSync(p).isFile()) text = readFileSync(p, 'utf8');
  } catch { /* not installed here: a synthetic file of the same name */ }
  if (text === undefined) text = goText(rel, maxLine + 20, false, false).text;
  stdFiles.push({ profile: p, rel, text });
}
const wordfreq = ['count.go', 'main.go', 'tokenize.go'].map((n) => ({
  name: n, text: readFileSync(path.join(wordfreqDir, n), 'utf8'),
}));

const docs = []; // every document, open or not
const byUri = new Map();
function addDoc(file, text, eol = '\n', uri = null) {
  if (!uri) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    uri = 'file://' + file.split('/').map(encodeURIComponent).join('/');
  }
  if (byUri.has(uri)) return;
  const doc = {
    uri, text0: text, eol, lines: text.split(eol), n0: 0, shared: false, version: 1,
    open: false, hot: [], decoVersion: -1, openIndex: -1,
  };
  doc.n0 = doc.lines.length;
  docs.push(doc);
  byUri.set(uri, doc);
}
{
  // Deep copies that match the profile paths best (and so win over the
  // shallower copies): the stdlib tree under w0, wordfreq under w1.
  for (const f of stdFiles) addDoc(path.join(ws, 'w0', f.profile), f.text);
  for (const f of wordfreq) addDoc(path.join(ws, 'w1/home/ci/work/wordfreq', f.name), f.text);
  let i = 0, std = 0, wf = 0, synth = 0;
  while (docs.length < opt.docs) {
    const folder = path.join(ws, `w${2 + Math.floor(i / 40)}`);
    const r = i % 10;
    i++;
    if (r <= 4) {
      const f = stdFiles[std++ % stdFiles.length];
      addDoc(path.join(folder, 'src', f.rel), f.text);
    } else if (r === 5) {
      const f = wordfreq[wf++ % wordfreq.length];
      addDoc(path.join(folder, 'wordfreq', f.name), f.text);
    } else if (r === 6) {
      // Same base name as a profile file, elsewhere: matches on one component.
      const f = pick(stdFiles);
      const { text, eol } = goText(f.rel, 50 + rint(2000), chance(0.2), chance(0.5));
      addDoc(path.join(folder, 'misc', path.basename(f.rel)), text, eol);
    } else {
      synth++;
      const { text, eol } = goText(`s${synth}`, 20 + rint(3000), chance(0.25), chance(0.5));
      if (synth % 25 === 0) addDoc(null, text, eol, `untitled:Untitled-${synth}`);
      else addDoc(path.join(folder, 'synth', `s${synth}.go`), text, eol);
    }
  }
}
const pathMappingSets = [
  [],
  [{ from: '/usr/lib/go-1.19/src', to: path.join(ws, 'w3/src') }],
  [{ from: '/home/ci/work/wordfreq', to: path.join(ws, 'w4/wordfreq') }],
  [{ from: '/usr/lib/go-1.19/src', to: path.join(ws, 'w5/src') },
   { from: '/home/ci/work/wordfreq/', to: path.join(ws, 'w2/wordfreq/') }],
];

// ---------------------------------------------------------------- statistics

const stats = {
  latency: new Map(), // kind -> [ms]
  errors: new Map(), // code -> count
  served: 0,
  sent: 0,
  bad: [], // problems with answers
  badCount: 0,
  unknownAnswers: 0,
  loads: { ok: 0, failed: 0, cancelled: 0, sent: 0, cancelSent: 0, byKind: new Map() },
  statusAfterFail: { sent: 0, ok: 0 },
  notifications: new Map(),
  serverRequests: new Map(),
  ops: new Map(),
  hoverHits: 0,
  hintsReturned: 0,
  decoChecked: 0,
  // Lines past the end of the document's text (a known deviation, reported
  // apart: docs/reliability.md, "Soak and load").
  pastEnd: { decorations: 0, lenses: 0, example: null },
  invalidSettingsSent: 0,
  settingsRefused: 0,
  progress: new Map(), // token -> 'begin' | 'end'
  progressProblems: 0,
  rewrites: { done: 0, atomic: 0, inPlace: 0, seenReload: 0 },
  mstat: null, // the last MSTAT line of the malloc-stats preload, if any
  log: { ambiguous: 0, watchReload: 0, watchFailed: 0, loaded: 0, notApplied: 0, errors: 0, sanitizer: 0 },
};
function problem(text) {
  stats.badCount++;
  if (stats.bad.length < 25) stats.bad.push(text);
}
const bump = (map, key, n = 1) => map.set(key, (map.get(key) || 0) + n);

// ---------------------------------------------------------------- the server

const logPath = path.join(tmp, 'heatls.log');
let CLK_TCK = 100;
try { CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100; } catch { /* 100 */ }
const PROTOCOL_CODES = new Set([-32700, -32600, -32601, -32602, -32002, -32800, -32803]);

class Server {
  constructor() {
    const env = { ...process.env };
    if (opt.preload) env.LD_PRELOAD = opt.preload;
    this.proc = spawn(opt.heatls, ['--stdio', '--log-level', 'info'],
                      { stdio: ['pipe', 'pipe', 'pipe'], cwd: tmp, env });
    this.pid = this.proc.pid;
    this.chunks = [];
    this.have = 0;
    this.inflight = new Map(); // id -> record
    this.nextId = 1;
    this.slotWaiters = [];
    this.idleWaiters = [];
    this.lastMessageAt = performance.now();
    this.exited = null; // {code, signal} once gone
    this.exitExpected = false;
    this.logStream = createWriteStream(logPath);
    this.stderrTail = [];
    this.stderrCarry = '';
    this.proc.stdout.on('data', (d) => this.read(d));
    this.proc.stderr.on('data', (d) => this.readLog(d));
    this.proc.stdin.on('error', () => {}); // a dead server shows as 'exit'
    this.exitPromise = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve(this.exited);
        if (!this.exitExpected && this.onCrash) this.onCrash(this.exited);
      });
    });
  }

  readLog(d) {
    this.logStream.write(d);
    const text = this.stderrCarry + d.toString('utf8');
    const lines = text.split('\n');
    this.stderrCarry = lines.pop();
    for (const line of lines) {
      if (line.includes('several profile files match it')) {
        stats.log.ambiguous++;
        continue;
      }
      this.stderrTail.push(line);
      if (this.stderrTail.length > 60) this.stderrTail.shift();
      if (line.startsWith('MSTAT ')) {
        stats.mstat = Object.fromEntries(line.slice(6).split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
        stats.mstatCount = (stats.mstatCount || 0) + 1;
        continue;
      }
      if (line.includes('changed: reloading')) stats.log.watchReload++;
      else if (line.includes('cannot reload')) stats.log.watchFailed++;
      else if (line.startsWith('heatls info: loaded ')) stats.log.loaded++;
      if (line.includes('not applied: ') && line.includes('change ')) stats.log.notApplied++;
      if (line.startsWith('heatls error:')) stats.log.errors++;
      if (/AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer/.test(line)) stats.log.sanitizer++;
    }
  }

  read(data) {
    this.lastMessageAt = performance.now();
    this.chunks.push(data);
    this.have += data.length;
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.have);
    let off = 0;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n', off);
      if (end < 0) break;
      const header = buf.toString('latin1', off, end);
      const m = /^Content-Length: (\d+)$/im.exec(header);
      if (!m) return this.malformed(`a header without Content-Length: ${JSON.stringify(header.slice(0, 200))}`);
      const len = Number(m[1]);
      if (buf.length < end + 4 + len) break;
      let msg;
      try {
        msg = JSON.parse(buf.toString('utf8', end + 4, end + 4 + len));
      } catch (e) {
        return this.malformed(`a body that is not JSON (${e.message}): ${JSON.stringify(buf.toString('utf8', end + 4, end + 4 + Math.min(len, 200)))}`);
      }
      off = end + 4 + len;
      try {
        this.dispatch(msg);
      } catch (e) {
        problem(`handling ${JSON.stringify(msg).slice(0, 200)} threw ${e.stack}`);
      }
    }
    const rest = buf.subarray(off);
    this.chunks = rest.length ? [rest] : [];
    this.have = rest.length;
  }

  // heatls wrote something that is not the base protocol on stdout: where
  // its next message starts cannot be known, so the run stops.
  malformed(what) {
    this.chunks = [];
    this.have = 0;
    if (!broken) {
      broken = `heatls wrote ${what}`;
      problem(broken);
      for (const f of this.slotWaiters.splice(0)) f();
      for (const f of this.idleWaiters.splice(0)) f();
      for (const rec of this.inflight.values()) rec.resolve({ broken: true });
    }
  }

  dispatch(msg) {
    if (msg.method !== undefined && msg.id !== undefined) {
      bump(stats.serverRequests, msg.method);
      this.write({ jsonrpc: '2.0', id: msg.id, result: null });
      return;
    }
    if (msg.method !== undefined) {
      bump(stats.notifications, msg.method);
      if (this.onNotification) this.onNotification(msg);
      return;
    }
    const rec = this.inflight.get(msg.id);
    if (!rec) {
      stats.unknownAnswers++;
      problem(`answer for an id not in flight (a second answer?): ${JSON.stringify(msg).slice(0, 300)}`);
      return;
    }
    this.inflight.delete(msg.id);
    rec.answeredAt = performance.now();
    stats.served++;
    if (!stats.latency.has(rec.kind)) stats.latency.set(rec.kind, []);
    stats.latency.get(rec.kind).push(rec.answeredAt - rec.sentAt);
    if (msg.error) {
      bump(stats.errors, msg.error.code);
      if (!PROTOCOL_CODES.has(msg.error.code)) {
        problem(`${rec.kind} #${rec.id}: error code ${msg.error.code} is not one of docs/protocol.md: ${msg.error.message}`);
      } else if (msg.error.code === -32800 && !(rec.cancelled && rec.isLoad)) {
        problem(`${rec.kind} #${rec.id}: -32800 for a request that was not a cancelled load`);
      }
    }
    try {
      const p = rec.check ? rec.check(msg, rec) : null;
      if (p) problem(`${rec.kind} #${rec.id}: ${p}`);
    } catch (e) {
      problem(`${rec.kind} #${rec.id}: checking the answer threw ${e.stack}`);
    }
    rec.resolve(msg);
    if (this.slotWaiters.length && this.inflight.size < opt.concurrency) this.slotWaiters.shift()();
    if (this.inflight.size === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  write(msg) {
    if (this.exited) return;
    const body = Buffer.from(JSON.stringify(msg));
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  }

  async drain() {
    if (!this.proc.stdin.writableNeedDrain || this.exited) return;
    await new Promise((resolve) => {
      const done = () => { this.proc.stdin.off('drain', done); clearInterval(t); resolve(); };
      const t = setInterval(() => { if (this.exited) done(); }, 200);
      this.proc.stdin.on('drain', done);
    });
  }

  // Sends a request; the record's check() is called on its answer.
  request(kind, method, params, extra = {}) {
    const n = this.nextId++;
    const id = n % 10 === 7 ? `s${n}` : n; // some string ids
    const rec = { id, kind, method, sentAt: performance.now(), cancelled: false, ...extra };
    rec.promise = new Promise((resolve) => { rec.resolve = resolve; });
    this.inflight.set(id, rec);
    stats.sent++;
    this.write({ jsonrpc: '2.0', id, method, params });
    return rec;
  }

  notify(method, params) { this.write({ jsonrpc: '2.0', method, params }); }

  cancel(id) { this.notify('$/cancelRequest', { id }); }

  slot() {
    if (this.inflight.size < opt.concurrency || this.exited) return Promise.resolve();
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  idle(timeoutMs) {
    if (this.inflight.size === 0 || this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => { clearTimeout(t); resolve(true); });
    });
  }

  rssKB() {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  }

  // CPU seconds the server used so far (user + system).
  cpuSeconds() {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  }

  fds() {
    const dir = `/proc/${this.pid}/fd`;
    return readdirSync(dir).map((fd) => {
      try { return `${fd} -> ${readlinkSync(`${dir}/${fd}`)}`; } catch { return `${fd} -> ?`; }
    });
  }
}

// ---------------------------------------------------------------- checks

const known = { total: {} }; // source -> total, from the first loads
let lastGood = null; // {path, source} of the last load answered with a summary
let hintsMode = 'both';
let watchOn = true;

function isSummary(r) {
  return r && typeof r === 'object' && typeof r.path === 'string' && typeof r.total === 'number' &&
    typeof r.files === 'number' && typeof r.lines === 'number' && typeof r.sampleType === 'string';
}

function checkStatus(msg) {
  if (msg.error) return `error ${msg.error.code}: ${msg.error.message}`;
  const r = msg.result;
  if (!lastGood) return r === null ? null : `status ${JSON.stringify(r).slice(0, 200)} before any load`;
  if (!isSummary(r)) return `not a summary: ${JSON.stringify(r).slice(0, 200)}`;
  if (r.path !== lastGood.path) return `status reports ${r.path}, the last good profile is ${lastGood.path}`;
  if (lastGood.source === 'watched') {
    if (!Object.values(known.total).includes(r.total)) return `watched profile total ${r.total} is none of the known profiles'`;
  } else if (known.total[lastGood.source] !== undefined && r.total !== known.total[lastGood.source]) {
    return `total ${r.total}, ${lastGood.source} has ${known.total[lastGood.source]}`;
  }
  return null;
}

function loadCheck(msg, rec) {
  const { source, path: p, good } = rec.load;
  if (msg.error) {
    if (msg.error.code === -32800) {
      if (rec.cancelled) { stats.loads.cancelled++; return null; }
      return 'answered -32800 but not cancelled';
    }
    if (msg.error.code === -32803) {
      stats.loads.failed++;
      bump(stats.loads.byKind, `${source} failed`);
      if (good) return `a good profile (${source}) failed: ${msg.error.message}`;
      if (!msg.error.message.includes(p)) return `the message does not name the file: ${msg.error.message}`;
      // The previous profile must still be the loaded one.
      if (lastGood && server && !server.exited) {
        stats.statusAfterFail.sent++;
        server.request('status (after a failed load)', 'workspace/executeCommand',
          { command: 'heatls.status', arguments: [] },
          { check: (m) => { const e = checkStatus(m); if (!e) stats.statusAfterFail.ok++; return e; } });
      }
      return null;
    }
    return `unexpected error ${msg.error.code}: ${msg.error.message}`;
  }
  stats.loads.ok++;
  bump(stats.loads.byKind, `${source} ok`);
  if (!good) return `a corrupt profile (${source}) loaded: ${JSON.stringify(msg.result).slice(0, 200)}`;
  const r = msg.result;
  if (!isSummary(r)) return `not a summary: ${JSON.stringify(r).slice(0, 200)}`;
  if (r.path !== p) return `summary path ${r.path}, loaded ${p}`;
  if (source !== 'watched' && known.total[source] !== undefined && r.total !== known.total[source]) {
    return `total ${r.total}, ${source} had ${known.total[source]}`;
  }
  if (source !== 'watched' && known.total[source] === undefined) known.total[source] = r.total;
  lastGood = { path: p, source };
  return null;
}

// A snapshot of a document's lines at send time (copy-on-write).
function snapshot(doc) {
  doc.shared = true;
  return doc.lines;
}
function own(doc) {
  if (doc.shared) {
    doc.lines = doc.lines.slice();
    doc.shared = false;
  }
  return doc.lines;
}

const HINT_LABEL = {
  both: /^G[0-5] L[0-5] · \S/,
  global: /^G[1-5] · \S/,
  local: /^L[1-5] · \S/,
};

function checkHints(msg, rec) {
  if (msg.error) return `error ${msg.error.code}: ${msg.error.message}`;
  const r = msg.result;
  if (!Array.isArray(r)) return `not an array: ${JSON.stringify(r).slice(0, 200)}`;
  stats.hintsReturned += r.length;
  if (rec.mode === 'off' && r.length) return `${r.length} hints with hints "off"`;
  let prev = -1;
  for (const h of r) {
    const { line, character } = h.position || {};
    if (!Number.isInteger(line) || line < rec.start || line > rec.end || line >= rec.lines.length) {
      return `hint on line ${line} outside the range ${rec.start}-${rec.end} (${rec.lines.length} lines)`;
    }
    if (line <= prev) return `hints not in line order (${prev}, ${line})`;
    prev = line;
    if (character !== rec.lines[line].length) {
      return `hint at character ${character} of line ${line}, which is ${rec.lines[line].length} units long`;
    }
    if (!HINT_LABEL[rec.mode].test(h.label)) return `label ${JSON.stringify(h.label)} with hints "${rec.mode}"`;
    if (h.paddingLeft !== true || typeof h.tooltip !== 'string') return `hint without paddingLeft or tooltip`;
  }
  return null;
}

function checkHover(msg, rec) {
  if (msg.error) return `error ${msg.error.code}: ${msg.error.message}`;
  const r = msg.result;
  if (r === null) return null;
  stats.hoverHits++;
  if (!r.contents || r.contents.kind !== 'markdown' || !r.contents.value.startsWith('**heat**')) {
    return `hover contents ${JSON.stringify(r.contents).slice(0, 200)}`;
  }
  const line = rec.line;
  if (line >= rec.lines.length) return `a hover on line ${line} past the end (${rec.lines.length} lines)`;
  if (r.range?.start?.line !== line || r.range?.end?.line !== line ||
      r.range.end.character !== rec.lines[line].length) {
    return `hover range ${JSON.stringify(r.range)} for line ${line} of ${rec.lines[line].length} units`;
  }
  return null;
}

function checkLenses(msg, rec) {
  if (msg.error) return `error ${msg.error.code}: ${msg.error.message}`;
  const r = msg.result;
  if (!Array.isArray(r)) return `not an array`;
  for (const l of r) {
    const line = l.range?.start?.line;
    if (!Number.isInteger(line) || line < 0) return `lens on line ${line}`;
    if (line >= rec.lines.length) {
      stats.pastEnd.lenses++;
      stats.pastEnd.example ??= `a code lens on line ${line} of a ${rec.lines.length}-line document`;
    }
    if (!l.command || l.command.command !== '' || !/^cum .* · flat .* · #\d+ of \d+$/.test(l.command.title)) {
      return `lens command ${JSON.stringify(l.command)}`;
    }
  }
  return null;
}

function checkHotspots(msg, rec) {
  if (msg.error) return `error ${msg.error.code}: ${msg.error.message}`;
  const r = msg.result;
  if (!Array.isArray(r)) return `not an array`;
  if (r.length > rec.limit) return `${r.length} entries, limit ${rec.limit}`;
  let cum = Infinity;
  let file = null;
  for (const h of r) {
    if (typeof h.path !== 'string' || !Number.isInteger(h.line) || h.line < 0 ||
        !(h.local >= 0 && h.local <= 5) || !(h.global >= 0 && h.global <= 5) ||
        typeof h.function !== 'string') {
      return `bad entry ${JSON.stringify(h).slice(0, 200)}`;
    }
    if (h.cum > cum) return `not in rank order (cum ${h.cum} after ${cum})`;
    cum = h.cum;
    if (h.uri !== undefined && !/^file:\/\//.test(h.uri)) return `uri ${h.uri}`;
    if (rec.fileScope) {
      if (file !== null && h.path !== file) return `file scope lists ${file} and ${h.path}`;
      file = h.path;
    }
  }
  return null;
}

function checkError(code) {
  return (msg) => (msg.error && msg.error.code === code ? null
    : `expected error ${code}, got ${JSON.stringify(msg).slice(0, 200)}`);
}

// ---------------------------------------------------------------- documents

const openDocs = [];
function markOpen(doc) {
  doc.open = true;
  doc.openIndex = openDocs.length;
  openDocs.push(doc);
}
function markClosed(doc) {
  if (!doc.open) throw new Error(`closing ${doc.uri}, which is not open`);
  doc.open = false;
  const last = openDocs.pop();
  if (last !== doc) {
    openDocs[doc.openIndex] = last;
    last.openIndex = doc.openIndex;
  }
  doc.openIndex = -1;
}
const hotDocs = new Set();

function openDoc(server, doc, text) {
  if (text !== undefined) {
    doc.lines = text.split(doc.eol);
    doc.shared = false;
  }
  doc.version++;
  doc.hot = [];
  hotDocs.delete(doc);
  server.notify('textDocument/didOpen', {
    textDocument: { uri: doc.uri, languageId: 'go', version: doc.version, text: doc.lines.join(doc.eol) },
  });
  if (!doc.open) markOpen(doc);
}

function onDecorations(p) {
  const doc = byUri.get(p.uri);
  if (!doc) { problem(`decorations for an unknown document ${p.uri}`); return; }
  if (!Array.isArray(p.lines) || !['both', 'global', 'local', 'off'].includes(p.mode)) {
    problem(`decorations ${JSON.stringify(p).slice(0, 200)}`);
    return;
  }
  doc.hot = p.lines.map((l) => l.line);
  // Decorations may arrive for a document already closed here.
  if (doc.hot.length && doc.open) hotDocs.add(doc); else hotDocs.delete(doc);
  doc.decoVersion = p.version;
  if (p.version === doc.version) {
    stats.decoChecked++;
    let prev = -1;
    let past = false;
    for (const l of p.lines) {
      if (l.line >= doc.lines.length && l.line > prev && !past) {
        past = true;
        stats.pastEnd.decorations++;
        stats.pastEnd.example ??= `heatls/decorations for ${doc.uri} version ${p.version} (${doc.lines.length} lines): ` +
          `line ${JSON.stringify(l)}`;
      }
      if (!(l.line > prev) || !(l.local >= 0 && l.local <= 5) ||
          !(l.global >= 0 && l.global <= 5) || (l.local === 0 && l.global === 0)) {
        problem(`decorations of ${doc.uri} v${p.version}: line ${JSON.stringify(l)} ` +
                `(previous ${prev}, ${doc.lines.length} lines)`);
        return;
      }
      prev = l.line;
    }
  }
}

// Position helpers on the model (UTF-16 code units, like JavaScript).
function safeChar(line, c) {
  if (c > 0 && c < line.length) {
    const u = line.charCodeAt(c - 1);
    if (u >= 0xd800 && u <= 0xdbff) c--;
  }
  return c;
}
const pos = (line, character) => ({ line, character });
const TYPED = ['x', 'y', ' ', '(', ')', '1', 'é', '😀', '世', 'abc', '\t'];
function newLine() {
  return pick(['', '\tx := 1', '\t// typed ' + rint(1000), 'func g() {}', '\ts := "😀 é"', '}']);
}

// One content change on doc's model: returns the LSP change.
function makeChange(doc) {
  const lines = own(doc);
  const n = lines.length;
  const grown = n > doc.n0 + 200 ? 1 : 0;
  let k = rint(100);
  if (grown && k < 30) k = 30 + rint(15); // shrink instead of growing
  if (k < 15) { // insert whole lines
    const L = rint(n);
    const add = Array.from({ length: 1 + rint(4) }, newLine);
    lines.splice(L, 0, ...add);
    return { range: { start: pos(L, 0), end: pos(L, 0) }, text: add.map((l) => l + doc.eol).join('') };
  }
  if (k < 45) { // delete whole lines
    if (n < 3) return makeFull(doc);
    const L = rint(n - 1);
    const cnt = 1 + rint(Math.min(grown ? 40 : 4, n - 1 - L));
    lines.splice(L, cnt);
    return { range: { start: pos(L, 0), end: pos(L + cnt, 0) }, text: '' };
  }
  if (k < 70) { // typing inside a line
    const L = rint(n);
    const c = safeChar(lines[L], rint(lines[L].length + 1));
    const t = pick(TYPED);
    lines[L] = lines[L].slice(0, c) + t + lines[L].slice(c);
    return { range: { start: pos(L, c), end: pos(L, c) }, text: t };
  }
  if (k < 85) { // deleting inside a line
    const L = rint(n);
    const len = lines[L].length;
    const c0 = safeChar(lines[L], rint(len + 1));
    let c1 = safeChar(lines[L], Math.min(len, c0 + 1 + rint(3)));
    if (c1 <= c0) c1 = Math.min(len, c0 + 2); // past a surrogate pair
    lines[L] = lines[L].slice(0, c0) + lines[L].slice(c1);
    return { range: { start: pos(L, c0), end: pos(L, c1) }, text: '' };
  }
  if (k < 97) { // a range over a few lines, replaced by 0-2 line breaks
    const L1 = rint(n);
    const L2 = Math.min(n - 1, L1 + rint(4));
    const c1 = safeChar(lines[L1], rint(lines[L1].length + 1));
    let c2 = safeChar(lines[L2], rint(lines[L2].length + 1));
    if (L1 === L2 && c2 < c1) c2 = c1;
    const parts = Array.from({ length: 1 + rint(3) }, () => pick(['', 'y', ' z()', '😀', '\tw := 2']));
    const prefix = lines[L1].slice(0, c1);
    const suffix = lines[L2].slice(c2);
    const repl = parts.slice();
    repl[0] = prefix + repl[0];
    repl[repl.length - 1] += suffix;
    lines.splice(L1, L2 - L1 + 1, ...repl);
    return { range: { start: pos(L1, c1), end: pos(L2, c2) }, text: parts.join(doc.eol) };
  }
  return makeFull(doc);
}
function makeFull(doc) {
  let text = doc.text0;
  if (chance(0.5)) text = `// edited ${rint(1e6)}${doc.eol}` + text;
  doc.lines = text.split(doc.eol);
  doc.shared = false;
  return { text };
}

// ---------------------------------------------------------------- the run

let server = null;
const t0 = performance.now();
const samples = {};
let crashed = null;
let hung = null;
let broken = null; // heatls's stdout stopped being the base protocol
let capped = false;
let opsDone = 0;

// The size of the open documents' text (UTF-16 units, about bytes here).
function docBytes() {
  let n = 0;
  for (const d of openDocs) for (const l of d.lines) n += l.length + d.eol.length;
  return n;
}

async function sampleNow(name) {
  if (opt.preload) { // a fresh malloc-stats line, printed while idle
    const seen = stats.mstatCount || 0;
    for (let i = 0; i < 30 && (stats.mstatCount || 0) < seen + 2; i++) await sleep(100);
  }
  try {
    samples[name] = { rssKB: server.rssKB(), fds: server.fds(), at: (performance.now() - t0) / 1000, docs: docBytes(),
                      mstat: stats.mstat, cpu: server.cpuSeconds() };
    log(`[${samples[name].at.toFixed(1)}s] ${name}: RSS ${(samples[name].rssKB / 1024).toFixed(1)} MB, ` +
        `${samples[name].fds.length} fds, ${openDocs.length} documents open (${(samples[name].docs / 1048576).toFixed(1)} MiB of text)` +
        (stats.mstat ? `, malloc in use ${(stats.mstat.inuse / 1048576).toFixed(1)} MiB of ${((stats.mstat.arena + stats.mstat.mmap) / 1048576).toFixed(1)} MiB` : ''));
  } catch (e) {
    samples[name] = { error: String(e) };
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits until nothing is in flight; false after timeoutMs.
async function quiesce(timeoutMs) {
  await server.drain();
  return server.idle(timeoutMs);
}

class Abort extends Error {}
function checkAlive() {
  if (crashed) throw new Abort('crashed');
  if (hung) throw new Abort('hung');
  if (broken) throw new Abort('broken');
}

async function load(kind, source, p, good, { cancel = false, token = false } = {}) {
  await server.slot();
  checkAlive();
  const params = { command: 'heatls.loadProfile', arguments: [p] };
  if (chance(0.3)) params.arguments = [{ path: p, threshold: pick([0.1, 0.5, 0.9, 1, null]) ?? undefined }];
  if (token) params.workDoneToken = `soak-${server.nextId}`;
  stats.loads.sent++;
  const rec = server.request(kind, 'workspace/executeCommand', params,
                             { isLoad: true, load: { source, path: p, good }, check: loadCheck });
  if (cancel) {
    rec.cancelled = true;
    stats.loads.cancelSent++;
    server.cancel(rec.id);
  }
  return rec;
}

const GOOD = ['json', 'cpu', 'heap', 'watched'];
const CORRUPT = ['truncated', 'random', 'directory', 'missing', 'empty'];
let reloadIndex = 0;
let goodIndex = 0;
let corruptIndex = 0;

// One reload "event": a single load, or a burst of three with the middle
// one cancelled while it waits; returns how many loads it sent.
async function reload(budget) {
  const one = async (opts = {}) => {
    const i = reloadIndex++;
    const source = i % 5 < 3 ? GOOD[goodIndex++ % GOOD.length] : CORRUPT[corruptIndex++ % CORRUPT.length];
    if (source === 'random') rewriteRandom();
    const good = GOOD.includes(source);
    const p = good ? (source === 'watched' ? watchedPath : profilePath[source]) : corruptPath[source];
    const r = await load('loadProfile', source, p, good, opts);
    if (!good) bump(stats.loads.byKind, `${source} sent`);
    return r;
  };
  if (budget >= 3 && chance(0.15)) {
    await one();
    await one({ cancel: true });
    await one({ token: chance(0.5) });
    return 3;
  }
  const r = await one({ token: chance(0.3) });
  if (chance(0.15)) { // cancel while it runs (or after it finished)
    await sleep(rint(3));
    if (!r.answeredAt) {
      r.cancelled = true;
      stats.loads.cancelSent++;
    }
    server.cancel(r.id);
  }
  return 1;
}

// The watched file: rewritten on disk with another profile while it is the
// loaded one and no load is pending, so that the watcher (not a request)
// reloads it. A rewrite goes through phases, and reloads wait meanwhile:
//   load   a load of the watched file was sent; wait for its answer and for
//          every other load to be answered
//   wait   the file was rewritten; wait until the log shows the watcher's
//          reload done (or 3 s)
let rw = null;
function loadsPending() {
  for (const rec of server.inflight.values()) if (rec.isLoad) return true;
  return false;
}
async function startRewrite() {
  if (!watchOn) {
    server.notify('workspace/didChangeConfiguration', { settings: { heatls: { watch: true } } });
    watchOn = true;
  }
  rw = { phase: 'load', rec: await load('loadProfile', 'watched', watchedPath, true) };
}
function rewrite() {
  const next = pick(Object.keys(sources).filter((x) => x !== watchedContent));
  if (chance(0.5)) {
    const t = path.join(profDir, '.watched.tmp');
    copyFileSync(sources[next], t);
    renameSync(t, watchedPath);
    stats.rewrites.atomic++;
  } else {
    copyFileSync(sources[next], watchedPath);
    stats.rewrites.inPlace++;
  }
  watchedContent = next;
  stats.rewrites.done++;
}
// Advances the rewrite; true while reloads must wait.
function stepRewrite() {
  if (!rw) return false;
  if (rw.phase === 'load') {
    if (!rw.rec.answeredAt || loadsPending()) return true;
    if (!lastGood || lastGood.source !== 'watched') { // cancelled: try again later
      rw = null;
      return false;
    }
    rewrite();
    rw = { phase: 'wait', until: performance.now() + 3000, base: stats.log.watchReload,
           doneBase: stats.log.loaded + stats.log.watchFailed };
    return true;
  }
  const seen = stats.log.watchReload > rw.base;
  if (seen && stats.log.loaded + stats.log.watchFailed > rw.doneBase) {
    stats.rewrites.seenReload++;
    rw = null;
    return false;
  }
  if (performance.now() > rw.until) {
    if (seen) stats.rewrites.seenReload++;
    rw = null;
    return false;
  }
  return true;
}

function pickDoc(preferHot) {
  if (preferHot && hotDocs.size && chance(0.8)) {
    // Sets have no random access: walk a few steps from the start.
    const steps = rint(Math.min(hotDocs.size, 64));
    let i = 0;
    for (const d of hotDocs) if (i++ === steps && d.open) return d;
  }
  return openDocs.length ? pick(openDocs) : null;
}

function configChange() {
  const s = {};
  let invalid = false;
  if (chance(0.05)) {
    invalid = true;
    const bad = rint(3);
    if (bad === 0) s.threshold = 2;
    else if (bad === 1) s.hints = 'loud';
    else s.pathMappings = [{ from: '/x' }];
    if (chance(0.5)) s.localScope = 'file'; // refused whole: not applied either
  } else {
    if (chance(0.5)) s.threshold = pick([0.05, 0.2, 0.5, 0.8, 1]);
    if (chance(0.4)) s.hints = pick(['both', 'both', 'global', 'local', 'off']);
    if (chance(0.3)) s.localScope = pick(['function', 'file']);
    if (chance(0.3)) s.pathMappings = pick(pathMappingSets);
    if (!rw) { // not while a rewrite waits for the watcher
      if (chance(0.1)) s.watch = chance(0.8);
      if (!watchOn && chance(0.5)) s.watch = true;
    }
  }
  if (chance(0.02)) { // no settings (and no workspace/configuration): nothing changes
    server.notify('workspace/didChangeConfiguration', { settings: null });
    return;
  }
  if (invalid) stats.invalidSettingsSent++;
  else {
    if (s.hints) hintsMode = s.hints;
    if (s.watch !== undefined) watchOn = s.watch;
  }
  server.notify('workspace/didChangeConfiguration', { settings: chance(0.5) ? { heatls: s } : s });
}

// One operation of the mix; returns its kind.
async function operation() {
  const k = rint(1000);
  if (k < 620) {
    await server.slot();
    checkAlive();
    if (k < 140) { // inlay hints, whole document
      const doc = pickDoc(true);
      const lines = snapshot(doc);
      const last = lines.length - 1;
      server.request('inlayHint', 'textDocument/inlayHint',
        { textDocument: { uri: doc.uri }, range: { start: pos(0, 0), end: pos(last, lines[last].length) } },
        { check: checkHints, lines, start: 0, end: last, mode: hintsMode });
      return 'inlayHint';
    }
    if (k < 240) { // inlay hints, a range
      const doc = pickDoc(true);
      const lines = snapshot(doc);
      const around = doc.hot.length && chance(0.7) ? pick(doc.hot) : rint(lines.length);
      const start = Math.max(0, Math.min(lines.length - 1, around - rint(40)));
      const end = Math.min(lines.length - 1, start + rint(200));
      server.request('inlayHint(range)', 'textDocument/inlayHint',
        { textDocument: { uri: doc.uri }, range: { start: pos(start, 0), end: pos(end, lines[end].length) } },
        { check: checkHints, lines, start, end, mode: hintsMode });
      return 'inlayHint(range)';
    }
    if (k < 360) { // hover on a hot line
      const doc = pickDoc(true);
      const lines = snapshot(doc);
      const line = doc.hot.length ? Math.min(pick(doc.hot), lines.length - 1) : rint(lines.length);
      server.request('hover(hot)', 'textDocument/hover',
        { textDocument: { uri: doc.uri }, position: pos(line, safeChar(lines[line], rint(lines[line].length + 1))) },
        { check: checkHover, lines, line });
      return 'hover(hot)';
    }
    if (k < 440) { // hover anywhere (mostly cold)
      const doc = pickDoc(false);
      const lines = snapshot(doc);
      const line = rint(lines.length);
      server.request('hover(cold)', 'textDocument/hover',
        { textDocument: { uri: doc.uri }, position: pos(line, 0) },
        { check: checkHover, lines, line });
      return 'hover(cold)';
    }
    if (k < 540) {
      const doc = pickDoc(true);
      server.request('codeLens', 'textDocument/codeLens', { textDocument: { uri: doc.uri } },
        { check: checkLenses, lines: snapshot(doc) });
      return 'codeLens';
    }
    if (k < 580) {
      const arg = { limit: pick([1, 10, 50, 500, 10000]) };
      const fileScope = chance(0.4);
      if (fileScope) { arg.scope = 'file'; arg.uri = pickDoc(true).uri; }
      const args = chance(0.1) && !fileScope ? [] : [arg];
      server.request('hotspots', 'workspace/executeCommand',
        { command: 'heatls.hotspots', arguments: args },
        { check: checkHotspots, limit: args.length ? arg.limit : 50, fileScope });
      return 'hotspots';
    }
    if (k < 615) {
      server.request('status', 'workspace/executeCommand', { command: 'heatls.status', arguments: [] },
        { check: checkStatus });
      return 'status';
    }
    // Bad requests: their errors are part of the contract too.
    const b = rint(4);
    if (b === 0) server.request('bad request', 'heatls/noSuchMethod', {}, { check: checkError(-32601) });
    else if (b === 1) server.request('bad request', 'textDocument/hover', { textDocument: { uri: pickDoc(false).uri } }, { check: checkError(-32602) });
    else if (b === 2) server.request('bad request', 'workspace/executeCommand', { command: 'heatls.nothing', arguments: [] }, { check: checkError(-32602) });
    else server.request('bad request', 'workspace/executeCommand', { command: 'heatls.loadProfile', arguments: [42] }, { check: checkError(-32602) });
    return 'bad request';
  }
  checkAlive();
  if (k < 880) { // edits
    const doc = pickDoc(chance(0.5));
    const changes = [makeChange(doc)];
    if (chance(0.2)) for (let i = rint(3); i >= 0; i--) changes.push(makeChange(doc));
    doc.version++;
    server.notify('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version }, contentChanges: changes });
    return 'didChange';
  }
  if (k < 960) { // close/open churn
    const closed = docs.length - openDocs.length;
    if (closed > 0 && (chance(0.5) || closed > docs.length / 20)) {
      let doc;
      do doc = pick(docs); while (doc.open);
      openDoc(server, doc, doc.text0);
      return 'didOpen';
    }
    if (chance(0.1)) { // opened again while open: replaces it
      const doc = pickDoc(false);
      openDoc(server, doc, doc.text0);
      return 'didOpen';
    }
    const doc = pickDoc(chance(0.3));
    server.notify('textDocument/didClose', { textDocument: { uri: doc.uri } });
    markClosed(doc);
    doc.hot = [];
    hotDocs.delete(doc);
    return 'didClose';
  }
  if (k < 966) { configChange(); return 'didChangeConfiguration'; }
  if (k < 970) {
    const doc = pickDoc(false);
    server.notify('textDocument/didSave', { textDocument: { uri: doc.uri } });
    return 'didSave';
  }
  if (k < 972) {
    const f = { uri: `file://${extraFolder}`, name: 'extra' };
    server.notify('workspace/didChangeWorkspaceFolders', { event: chance(0.5) ? { added: [f], removed: [] } : { added: [], removed: [f] } });
    return 'didChangeWorkspaceFolders';
  }
  // $/cancelRequest for a request in flight, or one already answered.
  const ids = [...server.inflight.keys()];
  if (ids.length && chance(0.5)) {
    const id = pick(ids);
    const rec = server.inflight.get(id);
    rec.cancelled = true; // only a load may then be answered -32800
    if (rec.isLoad) stats.loads.cancelSent++;
    server.cancel(id);
    return 'cancel (in flight)';
  }
  server.cancel(chance(0.2) ? `s${rint(server.nextId) + 1}` : 1 + rint(server.nextId));
  return 'cancel (answered)';
}

function quantile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

async function run() {
  server = new Server();
  server.onCrash = (e) => {
    crashed = e;
    // Wake everything that waits on the server; the requests stay counted
    // as unanswered.
    for (const f of server.slotWaiters.splice(0)) f();
    for (const f of server.idleWaiters.splice(0)) f();
    for (const rec of server.inflight.values()) rec.resolve({ crashed: true });
  };
  server.onNotification = (msg) => {
    if (msg.method === 'heatls/decorations') onDecorations(msg.params);
    else if (msg.method === 'window/showMessage') {
      if (/^settings not applied/.test(msg.params.message)) stats.settingsRefused++;
    } else if (msg.method === '$/progress') {
      const { token, value } = msg.params;
      const state = stats.progress.get(token);
      if (value.kind === 'begin' && state === undefined) stats.progress.set(token, 'begin');
      else if (value.kind === 'end' && state === 'begin') stats.progress.set(token, 'end');
      else if (value.kind !== 'report') {
        stats.progressProblems++;
        problem(`$/progress ${value.kind} on token ${token} in state ${state}`);
      }
    }
  };
  const hangTimer = setInterval(() => {
    if (server.inflight.size && performance.now() - server.lastMessageAt > opt.hang * 1000 && !hung) {
      const oldest = [...server.inflight.values()].sort((a, b) => a.sentAt - b.sentAt).slice(0, 5);
      hung = `no message from heatls for ${opt.hang} s with ${server.inflight.size} requests pending; oldest: ` +
        oldest.map((r) => `${r.kind} #${r.id} (${r.method})`).join(', ');
      for (const f of server.slotWaiters.splice(0)) f();
      for (const f of server.idleWaiters.splice(0)) f();
    }
  }, 1000);
  hangTimer.unref();

  const init = server.request('initialize', 'initialize', {
    processId: process.pid,
    rootUri: `file://${ws}`,
    capabilities: {
      general: { positionEncodings: ['utf-16'] },
      window: { workDoneProgress: true },
      workspace: { inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true }, workspaceFolders: true },
      textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] } },
    },
    workspaceFolders: [{ uri: `file://${ws}`, name: 'soak' }],
    initializationOptions: { heatls: { watch: true, hints: 'both' } },
  }, { check: (m) => (m.result?.capabilities?.positionEncoding === 'utf-16' ? null : `initialize: ${JSON.stringify(m).slice(0, 200)}`) });
  await init.promise;
  server.notify('initialized', {});
  checkAlive();
  await sampleNow('start (after initialize)');

  // Warm-up: every document open, each profile loaded once.
  for (const doc of docs) {
    openDoc(server, doc);
    await server.drain();
  }
  for (const source of GOOD) {
    const rec = await load('loadProfile', source, source === 'watched' ? watchedPath : profilePath[source], true);
    await rec.promise;
    checkAlive();
  }
  await quiesce(60000);
  await sleep(500);
  await sampleNow('warm (documents open, every profile loaded once)');
  log(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${docs.length} documents open, ` +
      `${hotDocs.size} with heat; running ${opt.requests} operations and ${opt.reloads} reloads`);

  const reloadEvery = opt.reloads ? opt.requests / opt.reloads : Infinity;
  // A rewrite holds reloads back for about 0.4 s (the watcher debounces for
  // 300 ms): a few, so that the reloads still spread over the operations.
  const rewrites = Math.max(opt.reloads ? 1 : 0, Math.min(Math.floor(opt.reloads / 20), Math.floor(opt.requests / 10000)));
  const rewriteEvery = rewrites ? opt.requests / rewrites : Infinity;
  let reloadsSent = 0;
  let rewritesStarted = 0;
  let lastReloadOp = -Infinity;
  const capAt = t0 + opt.timeCap * 1000;
  const midOps = Math.floor(opt.requests / 2);
  const midTime = t0 + opt.timeCap * 500;
  let lastReport = performance.now();

  for (opsDone = 0; opsDone < opt.requests; opsDone++) {
    if (performance.now() > capAt) { capped = true; break; }
    if (!samples.middle && (opsDone === midOps || performance.now() > midTime)) {
      await quiesce(60000);
      checkAlive();
      await sampleNow('middle');
      samples.middle.ops = opsDone;
    }
    const paused = stepRewrite();
    if (!paused && rewritesStarted < rewrites && reloadsSent < opt.reloads &&
        opsDone >= rewritesStarted * rewriteEvery + rewriteEvery / 2) {
      await startRewrite();
      rewritesStarted++;
      reloadsSent++;
    } else if (!paused && reloadsSent < opt.reloads && opsDone >= reloadsSent * reloadEvery &&
               opsDone >= lastReloadOp + reloadEvery / 8) { // behind after a pause: catch up gently
      lastReloadOp = opsDone;
      reloadsSent += await reload(opt.reloads - reloadsSent);
    }
    bump(stats.ops, await operation());
    await server.drain();
    checkAlive();
    if (performance.now() - lastReport > 10000) {
      lastReport = performance.now();
      log(`[${((lastReport - t0) / 1000).toFixed(1)}s] ${opsDone} operations, ${stats.served} answers, ` +
          `${reloadsSent} reloads, ${server.inflight.size} in flight, RSS ${(server.rssKB() / 1024).toFixed(1)} MB, ` +
          `documents ${(docBytes() / 1048576).toFixed(1)} MiB` +
          (stats.mstat ? `, malloc in use ${(stats.mstat.inuse / 1048576).toFixed(1)} MiB of ` +
                         `${((stats.mstat.arena + stats.mstat.mmap) / 1048576).toFixed(1)} MiB` : ''));
    }
  }
  stats.reloadsDuringOps = reloadsSent;
  // Reloads not sent yet (behind after the rewrites' pauses): one at a time.
  while (!capped && reloadsSent < opt.reloads) {
    if (performance.now() > capAt) { capped = true; break; }
    if (stepRewrite() || loadsPending()) { await sleep(5); continue; }
    reloadsSent += await reload(opt.reloads - reloadsSent);
    checkAlive();
  }
  if (!samples.middle) { // stopped early: the middle is where it stopped
    await quiesce(60000);
    await sampleNow('middle');
    samples.middle.ops = opsDone;
    samples.middle.late = true;
  }
  while (!capped && stepRewrite()) await sleep(50);
  const drained = await quiesce(opt.hang * 1000);
  checkAlive();
  if (!drained) hung = `${server.inflight.size} requests unanswered ${opt.hang} s after the last was sent`;
  checkAlive();
  // Let a watcher reload settle (300 ms debounce), then one round trip.
  await sleep(1000);
  await server.request('status', 'workspace/executeCommand', { command: 'heatls.status', arguments: [] },
                       { check: checkStatus }).promise;
  checkAlive();
  for (let i = 0; i < 4; i++) { // a load's folder walk holds fds for a moment
    await sampleNow('end');
    if (samples.end.fds.length === samples['warm (documents open, every profile loaded once)'].fds.length) break;
    await sleep(1000);
  }
  samples.end.ops = opsDone;
  server.exitExpected = true;
  const sd = server.request('shutdown', 'shutdown', null,
                            { check: (m) => (m.result === null && !m.error ? null : `shutdown: ${JSON.stringify(m)}`) });
  await Promise.race([sd.promise, sleep(30000)]);
  server.notify('exit', null);
  server.proc.stdin.end();
  const gone = await Promise.race([server.exitPromise, sleep(60000).then(() => null)]);
  if (!gone) {
    crashed = { code: null, signal: 'did not exit within 60 s after exit (killed)' };
    server.proc.kill('SIGKILL');
  } else if (gone.code !== 0) {
    crashed = { ...gone, afterExit: true };
  }
}

// ---------------------------------------------------------------- report

function report() {
  const elapsed = (performance.now() - t0) / 1000;
  const out = [];
  const p = (s = '') => out.push(s);
  p();
  p(`heatls soak: ${opt.heatls}`);
  p(`  seed ${opt.seed}, ${docs.length} documents, ${opt.requests} operations asked, ${opsDone} run` +
    `${capped ? ` (stopped at the ${opt.timeCap} s time cap)` : ''}, ${opt.reloads} reloads asked, ` +
    `concurrency ${opt.concurrency}, ${cpus().length} cores`);
  p(`  total time ${elapsed.toFixed(1)} s` + (samples.end?.cpu !== undefined
    ? `; heatls used ${samples.end.cpu.toFixed(1)} s of CPU, ${(samples.end.cpu - (samples['warm (documents open, every profile loaded once)']?.cpu ?? 0)).toFixed(1)} s of it after the warm-up`
    : ''));
  p();
  p(`requests: ${stats.sent} sent, ${stats.served} answered, ${server ? server.inflight.size : 0} unanswered, ` +
    `${stats.unknownAnswers} unexpected answers`);
  p(`errors by code: ${[...stats.errors].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}: ${n}`).join(', ') || 'none'}`);
  p('latency (ms, from send to answer, up to ' + opt.concurrency + ' in flight):');
  for (const [kind, v] of [...stats.latency].sort()) {
    const s = v.slice().sort((a, b) => a - b);
    p(`  ${kind.padEnd(28)} ${String(s.length).padStart(7)}  p50 ${quantile(s, 0.5).toFixed(3).padStart(8)}` +
      `  p99 ${quantile(s, 0.99).toFixed(3).padStart(8)}  max ${s[s.length - 1].toFixed(1).padStart(7)}`);
  }
  p(`notifications and edits sent: ${[...stats.ops].filter(([k]) => !stats.latency.has(k)).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const L = stats.loads;
  p(`loads: ${L.sent} sent: ${L.ok} ok, ${L.failed} failed (-32803), ${L.cancelled} cancelled (-32800); ` +
    `${L.cancelSent} cancels sent for loads; ${stats.reloadsDuringOps ?? 0} reloads sent among the operations, ` +
    `${opt.reloads - (stats.reloadsDuringOps ?? 0)} after them`);
  p(`  by profile: ${[...L.byKind].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`);
  p(`  status after a failed load: ${stats.statusAfterFail.ok}/${stats.statusAfterFail.sent} reported the last good profile`);
  p(`  watched file rewrites: ${stats.rewrites.done} (${stats.rewrites.atomic} by rename, ${stats.rewrites.inPlace} in place), ` +
    `${stats.rewrites.seenReload} reloaded by the watcher; the log shows ${stats.log.watchReload} watcher reloads ` +
    `(${stats.log.watchFailed} failed) and ${stats.log.loaded} profiles loaded`);
  const begun = [...stats.progress.values()];
  p(`server to client: ${[...stats.notifications].sort().map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
    `requests ${[...stats.serverRequests].sort().map(([k, n]) => `${k} ${n}`).join(', ')}`);
  p(`  progress: ${begun.length} begun, ${begun.filter((s) => s === 'end').length} ended; ` +
    `${stats.decoChecked} decorations checked against the document; ${stats.hoverHits} hovers with heat; ` +
    `${stats.hintsReturned} inlay hints; invalid settings refused ${stats.settingsRefused}/${stats.invalidSettingsSent}`);
  p(`  server log: ${stats.log.errors} error lines, ${stats.log.notApplied} edits not applied, ` +
    `${stats.log.sanitizer} sanitizer lines, ${stats.log.ambiguous} "several profile files match" lines (ambiguous documents)`);
  if (stats.pastEnd.decorations || stats.pastEnd.lenses) {
    p(`WARN  lines past the end of the text: ${stats.pastEnd.decorations} decorations and ${stats.pastEnd.lenses} code lenses ` +
      `named a line the document does not have (a known deviation, not counted as a failure: docs/reliability.md, ` +
      `"Soak and load"), e.g. ${stats.pastEnd.example}`);
  }
  const mb = (s) => (s && s.rssKB ? `${(s.rssKB / 1024).toFixed(1)} MB (text ${(s.docs / 1048576).toFixed(1)} MiB)` : 'n/a');
  const warm = samples['warm (documents open, every profile loaded once)'];
  p(`RSS: start ${mb(samples['start (after initialize)'])}, warm ${mb(warm)}, ` +
    `middle ${mb(samples.middle)}${samples.middle?.late ? ' (taken late)' : ''}, end ${mb(samples.end)}`);
  const nfd = (s) => (s && s.fds ? s.fds.length : 'n/a');
  if (samples.middle?.mstat && samples.end?.mstat) {
    const m = samples.middle.mstat, e = samples.end.mstat;
    const mib = (x) => `${(x / 1048576).toFixed(1)} MiB`;
    p(`malloc (mallinfo2): in use ${mib(m.inuse)} -> ${mib(e.inuse)} (${((e.inuse - m.inuse) / m.inuse * 100).toFixed(2)}%), ` +
      `heap ${mib(m.arena + m.mmap)} -> ${mib(e.arena + e.mmap)}, free in the heap ${mib(m.free)} -> ${mib(e.free)}`);
  }
  p(`fds: start ${nfd(samples['start (after initialize)'])}, warm ${nfd(warm)}, end ${nfd(samples.end)}`);
  if (samples['start (after initialize)']?.fds && warm?.fds) {
    const a = new Set(samples['start (after initialize)'].fds);
    const added = warm.fds.filter((f) => !a.has(f));
    if (added.length) p(`  opened during warm-up and kept (libuv's inotify fd, created by the first watch): ${added.join(', ')}`);
  }
  if (warm?.fds && samples.end?.fds) {
    const a = new Set(warm.fds), b = new Set(samples.end.fds);
    const added = samples.end.fds.filter((f) => !a.has(f));
    const gone = warm.fds.filter((f) => !b.has(f));
    if (added.length || gone.length) p(`  fds changed: +[${added.join(', ')}] -[${gone.join(', ')}]`);
  }
  if (stats.bad.length) {
    p(`problems (${stats.badCount}, first ${stats.bad.length}):`);
    for (const b of stats.bad) p(`  ${b}`);
  }
  if (crashed || hung || broken) {
    if (crashed) p(`heatls ${crashed.afterExit ? 'ended badly' : 'died'}: exit code ${crashed.code}, signal ${crashed.signal}`);
    if (hung) p(`hang: ${hung}`);
    p('last lines of its stderr:');
    for (const l of server.stderrTail.slice(-30)) p(`  ${l}`);
  }
  p();
  const goals = [];
  const goal = (name, ok, detail, advisory = false) => {
    if (advisory) {
      p(`INFO  ${name}: ${detail} (not a goal here)`);
      return;
    }
    goals.push(ok);
    p(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
  };
  const how = (e) => `exit code ${e.code}${e.signal ? `, signal ${e.signal}` : ''}`;
  goal('no crash', !crashed && !hung && server?.exited?.code === 0,
       crashed && !crashed.afterExit ? `heatls died during the run (${how(crashed)}) after ${opsDone} operations`
         : hung ? 'heatls hung (killed)'
           : broken ? 'the run stopped: heatls broke the protocol on stdout (killed)'
           : server?.exited ? `${how(server.exited)} after shutdown/exit` : 'still running');
  const unanswered = server ? server.inflight.size : 0;
  goal('no unanswered request', unanswered === 0 && stats.unknownAnswers === 0 && !hung,
       `${stats.served}/${stats.sent} answered, ${unanswered} unanswered, ${stats.unknownAnswers} answered twice or unknown`);
  goal('answers valid', stats.badCount === 0 && !broken && stats.statusAfterFail.ok === stats.statusAfterFail.sent &&
       stats.settingsRefused === stats.invalidSettingsSent,
       `${stats.badCount} problems; status kept the last good profile after ${stats.statusAfterFail.ok}/${stats.statusAfterFail.sent} failed loads`);
  const mid = samples.middle?.rssKB, end = samples.end?.rssKB;
  const growth = mid && end ? (end - mid) / mid * 100 : NaN;
  goal('RSS growth < 5%', Number.isFinite(growth) && growth < 5,
       (Number.isFinite(growth) ? `${(mid / 1024).toFixed(1)} MB -> ${(end / 1024).toFixed(1)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(2)}%)` : 'not measured') +
       (opt.rssAdvisory ? '; a sanitizer build: its RSS is mostly quarantine and shadow memory' : ''),
       opt.rssAdvisory);
  const first = samples['start (after initialize)']?.fds;
  const fdStart = warm?.fds?.length, fdEnd = samples.end?.fds?.length;
  let warmOk = true;
  if (first && warm?.fds) {
    const a = new Set(first);
    const added = warm.fds.filter((f) => !a.has(f));
    warmOk = added.every((f) => f.endsWith('anon_inode:inotify')) && added.length <= 1 &&
      first.every((f) => warm.fds.includes(f));
  }
  goal('fd count unchanged', fdStart !== undefined && fdStart === fdEnd && warmOk,
       `${fdStart ?? 'n/a'} after the warm-up -> ${fdEnd ?? 'n/a'} at the end` +
       (first ? ` (${first.length} after initialize${warmOk ? ', + the inotify fd' : ', and the warm-up opened more than the inotify fd'})` : ''));
  console.log(out.join('\n'));
  return goals.every(Boolean);
}

let ok = false;
try {
  await run();
} catch (e) {
  if (!(e instanceof Abort)) {
    console.error(e.stack);
    problem(`the soak script failed: ${e.message}`);
  }
} finally {
  if (server && !server.exited) {
    server.exitExpected = true;
    server.proc.kill('SIGKILL');
    await server.exitPromise;
  }
  if (server) await new Promise((r) => server.logStream.end(r));
  ok = report();
  if (opt.keep || !ok) console.log(`kept ${tmp} (the server's stderr is ${logPath})`);
  else rmSync(tmp, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
