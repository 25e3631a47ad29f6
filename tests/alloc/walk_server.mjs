// walk_server.mjs: the allocation failure walk of the language server.
//
// Runs one fixed LSP session against the real heatls binary with
// failmalloc.so preloaded, once without failures (the reference, which
// also counts the process's allocations: T), then once for each N with
// allocation N failing: every N up to DENSE, then a stride over the rest of
// 1..T. For each N one check:
//   - the process never dies by a signal, and its stderr has no sanitizer
//     or glibc heap report;
//   - it exits on its own, with status 0 or 1, once the session is over;
//   - while it lives, every request gets exactly one answer (a result or
//     an error; -32603 "out of memory" is fine) within a timeout, every
//     message it writes is JSON, and no request is answered as if it were
//     another (-32601, -32602, a load error naming a file not sent);
//   - state: when heatls.loadProfile succeeded, heatls.status afterwards
//     reports that profile (after the bad load too); when it failed, the
//     failure was an error answer and status reports no profile; the bad
//     load is an error answer.
// Sessions that end early (heatls cannot start) pass when they end cleanly
// and are listed with their reason; so are answers that differ from the
// reference because of an earlier failure (a didOpen that could not be
// kept, say). Listed as known problems, and failed only with
// HEATLS_ALLOC_STRICT=1: a request lost on input (its body could not be
// buffered or parsed, so its id is unknown: heatls logs it or answers with
// id null), an abort inside libuv (it aborts when some of its own
// allocations fail), a result built incomplete in its handler, and the
// misleading messages tests/alloc/README.md lists.
//
// Usage: node walk_server.mjs HEATLS FAILMALLOC_SO TESTDATA
// Environment: HEATLS_ALLOC_DENSE (400), HEATLS_ALLOC_SPARSE (how many N
// to try above DENSE, 400), HEATLS_ALLOC_JOBS (the number of CPUs),
// HEATLS_ALLOC_ONLY=N[,N...] (just those), HEATLS_ALLOC_VERBOSE=1.
// Plain Node 20, no packages: frames JSON-RPC itself.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, readFileSync, readdirSync,
         rmSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const [heatlsArg, preloadArg, testdataArg] = process.argv.slice(2);
if (!heatlsArg || !preloadArg || !testdataArg) {
  console.error('usage: node walk_server.mjs HEATLS FAILMALLOC_SO TESTDATA');
  process.exit(2);
}
const heatls = path.resolve(heatlsArg);
const preload = path.resolve(preloadArg);
const testdata = path.resolve(testdataArg);
const env = process.env;
const flag = (v) => !!v && v !== '0';
const STRICT = flag(env.HEATLS_ALLOC_STRICT);
const VERBOSE = flag(env.HEATLS_ALLOC_VERBOSE);
const DENSE = Number(env.HEATLS_ALLOC_DENSE || 400);
const SPARSE = Number(env.HEATLS_ALLOC_SPARSE || 400);
const JOBS = Number(env.HEATLS_ALLOC_JOBS || cpus().length || 2);
const REQUEST_TIMEOUT_MS = 4000; // a live server answers in milliseconds
const GRACE_MS = 300;            // after evidence that a message was lost
const EXIT_TIMEOUT_MS = 4000;

for (const f of [heatls, preload]) {
  if (!existsSync(f)) {
    console.error(`walk_server: ${f} does not exist`);
    process.exit(2);
  }
}

// ---- the workspace: a copy of the wordfreq sources ----
const tmp = mkdtempSync(path.join(tmpdir(), 'heatls-alloc-'));
const ws = path.join(tmp, 'ws');
const src = path.join(ws, 'wordfreq');
mkdirSync(src, { recursive: true });
const wordfreq = path.join(testdata, 'programs', 'wordfreq');
for (const f of readdirSync(wordfreq))
  if (f.endsWith('.go') || f === 'go.mod') copyFileSync(path.join(wordfreq, f), path.join(src, f));
const profile = path.join(wordfreq, 'cpu.pb.gz');
const missing = path.join(tmp, 'missing', 'cpu.pb.gz');
const uri = (p) => pathToFileURL(p).href;
const countUri = uri(path.join(src, 'count.go'));
const mainUri = uri(path.join(src, 'main.go'));
const text = (f) => readFileSync(path.join(src, f), 'utf8');

// The fixed session. Requests wait for their answer; notifications do not.
const SESSION = [
  { name: 'initialize', method: 'initialize', params: {
    processId: process.pid, rootUri: uri(ws),
    workspaceFolders: [{ uri: uri(ws), name: 'ws' }],
    capabilities: {
      general: { positionEncodings: ['utf-16'] },
      window: { workDoneProgress: true },
      workspace: { configuration: false, inlayHint: { refreshSupport: true },
                   codeLens: { refreshSupport: true } },
      textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] } },
    } } },
  { name: 'initialized', notify: true, method: 'initialized', params: {} },
  { name: 'didOpen count.go', notify: true, method: 'textDocument/didOpen', params: {
    textDocument: { uri: countUri, languageId: 'go', version: 1, text: text('count.go') } } },
  { name: 'didOpen main.go', notify: true, method: 'textDocument/didOpen', params: {
    textDocument: { uri: mainUri, languageId: 'go', version: 1, text: text('main.go') } } },
  { name: 'load', method: 'workspace/executeCommand', params: {
    command: 'heatls.loadProfile', arguments: [profile] } },
  { name: 'inlayHint', method: 'textDocument/inlayHint', params: {
    textDocument: { uri: countUri },
    range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } } } },
  { name: 'hover', method: 'textDocument/hover', params: {
    textDocument: { uri: countUri }, position: { line: 23, character: 2 } } },
  { name: 'codeLens', method: 'textDocument/codeLens', params: {
    textDocument: { uri: countUri } } },
  { name: 'hotspots', method: 'workspace/executeCommand', params: {
    command: 'heatls.hotspots', arguments: [{ limit: 20 }] } },
  { name: 'didChange', notify: true, method: 'textDocument/didChange', params: {
    textDocument: { uri: countUri, version: 2 },
    contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
                       text: '// one\n// two\n' }] } },
  { name: 'bad load', method: 'workspace/executeCommand', params: {
    command: 'heatls.loadProfile', arguments: [missing] } },
  { name: 'status', method: 'workspace/executeCommand', params: {
    command: 'heatls.status', arguments: [] } },
  { name: 'didChangeConfiguration', notify: true, method: 'workspace/didChangeConfiguration',
    params: { settings: { heatls: { threshold: 0.3 } } } },
  { name: 'status 2', method: 'workspace/executeCommand', params: {
    command: 'heatls.status', arguments: [] } },
  { name: 'shutdown', method: 'shutdown' },
  { name: 'exit', notify: true, method: 'exit' },
];

// ---- one session ----
function runSession(n) {
  return new Promise((done) => {
    const report = path.join(tmp, `report.${n}`);
    rmSync(report, { force: true });
    const childEnv = { ...env, LD_PRELOAD: preload, HEATLS_FAIL_ALLOC_REPORT: report,
                       UV_THREADPOOL_SIZE: '1' };
    if (n > 0) childEnv.HEATLS_FAIL_ALLOC_AT = String(n);
    else delete childEnv.HEATLS_FAIL_ALLOC_AT;
    const proc = spawn(heatls, ['--stdio'], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const rec = { n, steps: {}, notifications: [], nullErrors: [], unknown: [],
                  stderr: '', exit: null, signal: null, exited: false, lostEvidence: 0 };
    let buf = Buffer.alloc(0);
    let inflight = null; // { id, step, finish(status) }
    const answers = new Map(); // id -> count
    const late = new Map();    // id -> records an answer after 'lost' or 'timeout'

    proc.stdin.on('error', () => {}); // EPIPE once it is gone
    proc.stderr.on('data', (d) => {
      const s = d.toString();
      rec.stderr += s;
      if (/message skipped|cannot parse a message/.test(s)) evidence();
    });
    proc.stdout.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /Content-Length: *(\d+)/i.exec(buf.subarray(0, end).toString());
        if (!m) { rec.unknown.push('bad header'); buf = Buffer.alloc(0); return; }
        const len = Number(m[1]);
        if (buf.length < end + 4 + len) return;
        let msg;
        const body = buf.subarray(end + 4, end + 4 + len).toString();
        try { msg = JSON.parse(body); }
        catch (e) {
          rec.unknown.push(`a message that is not JSON: ${JSON.stringify(body.slice(0, 160))}` +
                           (body.length > 160 ? ` (${body.length} bytes)` : ''));
          msg = null;
          // A garbled answer to the request in flight ends its wait.
          const gid = /^\{"jsonrpc":"2\.0","id":(\d+),"(result|error)/.exec(body);
          if (inflight && gid && Number(gid[1]) === inflight.id) inflight.finish('garbled');
        }
        buf = buf.subarray(end + 4 + len);
        if (msg) onMessage(msg);
      }
    });
    proc.on('exit', (code, signal) => {
      rec.exited = true;
      rec.exit = code;
      rec.signal = signal;
      if (inflight) inflight.finish('dead');
    });
    const closed = new Promise((resolve) => proc.on('close', resolve));

    // Notifications wait for the next request and go out with it in one
    // write, so that heatls reads them in one read as often as possible
    // (fewer ways for the allocation count to vary between runs).
    let held = [];
    function frame(msg) {
      const body = Buffer.from(JSON.stringify(msg));
      return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
    }
    function send(msg, hold = false) {
      if (rec.exited) return;
      held.push(frame(msg));
      if (hold) return;
      proc.stdin.write(Buffer.concat(held));
      held = [];
    }
    function evidence() {
      rec.lostEvidence++;
      if (inflight) inflight.grace();
    }
    function onMessage(msg) {
      if (msg.method !== undefined && msg.id !== undefined) {
        send({ jsonrpc: '2.0', id: msg.id, result: null }); // a server request
        rec.notifications.push({ method: msg.method, request: true });
      } else if (msg.method !== undefined) {
        rec.notifications.push({ method: msg.method, params: msg.params });
      } else if (msg.id === null) {
        rec.nullErrors.push(msg.error);
        evidence();
      } else {
        answers.set(msg.id, (answers.get(msg.id) || 0) + 1);
        if (answers.get(msg.id) > 1) rec.unknown.push(`second answer to id ${msg.id}`);
        else if (inflight && inflight.id === msg.id) inflight.answer(msg);
        else if (late.has(msg.id)) late.get(msg.id)(msg); // slower than the grace
        else rec.unknown.push(`answer to unknown id ${JSON.stringify(msg.id)}`);
      }
    }

    function request(step, id) {
      return new Promise((resolve) => {
        let timer = null;
        const finish = (status, msg) => {
          if (!inflight || inflight.id !== id) return;
          clearTimeout(timer);
          inflight = null;
          rec.steps[step.name] = { status, msg };
          if (status === 'lost' || status === 'timeout')
            late.set(id, (m) => { rec.steps[step.name] = { status: 'answered', msg: m, late: status }; });
          resolve();
        };
        inflight = {
          id, step,
          answer: (msg) => finish('answered', msg),
          finish: (status) => finish(status),
          grace: () => {
            clearTimeout(timer);
            timer = setTimeout(() => finish('lost'), GRACE_MS);
          },
        };
        timer = setTimeout(() => finish('timeout'), REQUEST_TIMEOUT_MS);
        if (rec.exited) finish('dead');
        else send({ jsonrpc: '2.0', id, method: step.method, params: step.params });
      });
    }

    (async () => {
      let id = 0;
      for (const step of SESSION) {
        if (rec.exited) {
          if (!step.notify) rec.steps[step.name] = { status: 'dead' };
          continue;
        }
        if (step.notify) {
          send({ jsonrpc: '2.0', method: step.method, params: step.params }, step.name !== 'exit');
          rec.steps[step.name] = { status: 'sent' };
        } else {
          await request(step, ++id);
        }
      }
      proc.stdin.end();
      const killer = setTimeout(() => {
        rec.hung = true;
        proc.kill('SIGKILL');
      }, EXIT_TIMEOUT_MS);
      await closed;
      clearTimeout(killer);
      rec.report = existsSync(report) ? readFileSync(report, 'utf8') : '';
      rmSync(report, { force: true });
      done(rec);
    })();
  });
}

// ---- the failed allocation, as a stack with heatls's own frames named ----
const symbolCache = new Map();
function symbolize(reportText) {
  const lines = reportText.split('\n');
  const start = lines.findIndex((l) => l.startsWith('fail '));
  if (start < 0) return [];
  const out = [lines[start]];
  for (let i = start + 1; i < lines.length && lines[i] !== 'end'; i++) {
    const l = lines[i];
    if (l.includes('failmalloc.so')) continue;
    const m = /^(.*)\(\+0x([0-9a-f]+)\)\[/.exec(l);
    if (m && path.resolve(m[1]) === heatls) {
      const addr = (parseInt(m[2], 16) - 1).toString(16);
      if (!symbolCache.has(addr)) {
        try {
          const s = execFileSync('addr2line', ['-f', '-i', '-e', heatls, `0x${addr}`], { encoding: 'utf8' })
            .trim().split('\n');
          const parts = [];
          for (let k = 0; k + 1 < s.length; k += 2)
            parts.push(`${s[k]} (${s[k + 1].replace(/^.*\/(server|index|protocol)\//, '$1/')})`);
          symbolCache.set(addr, parts.join(' <- inlined in '));
        } catch { symbolCache.set(addr, `heatls+0x${addr}`); }
      }
      out.push(`    ${symbolCache.get(addr)}`);
    } else {
      out.push(`    ${l.replace(/^.*\//, '').replace(/\[0x[0-9a-f]+\]$/, '')}`);
    }
  }
  return out;
}
function failedStack(rec) { return symbolize(rec.report); }
function failedAt(rec) { return /^fail /m.test(rec.report); }
function countOf(rec) {
  const m = /^count (\d+)$/m.exec(rec.report);
  return m ? Number(m[1]) : null;
}

// ---- checks ----
// Where each request's answer is built: a failed allocation in there that
// still gives a result makes that result incomplete.
const HANDLERS = {
  inlayHint: /on_inlay_hint|hint \(server\/features\.c/,
  hover: /on_hover/,
  codeLens: /on_code_lens/,
  hotspots: /hotspots \(server\/commands\.c|srv_profile_file_local/,
};
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let ref = null;

function check(rec) {
  const problems = [], known = [], notes = [];
  let early = null;
  const st = rec.steps;
  const stderr = rec.stderr;
  if (rec.signal) {
    // libuv aborts when some of its own allocations fail (maybe_resize in
    // uv__io_start, pthread_create for the thread pool): an abort whose
    // failed allocation was made under libuv, before any heatls frame.
    const frames = failedStack(rec).slice(1);
    const firstOwn = frames.findIndex((l) => /\((server|index|protocol)\//.test(l));
    const underUv = frames.slice(0, firstOwn < 0 ? frames.length : firstOwn).some((l) => /libuv\.so/.test(l));
    if (rec.signal === 'SIGABRT' && underUv)
      known.push('abort inside libuv after an allocation of its own failed');
    else problems.push(`killed by ${rec.signal}`);
  }
  if (rec.hung) problems.push('did not exit after exit and the end of stdin');
  if (/AddressSanitizer|LeakSanitizer|runtime error:|Fatal glibc error|double free|corrupted/.test(stderr))
    problems.push('sanitizer or heap report on stderr');
  if (!rec.signal && !rec.hung && rec.exit !== 0 && rec.exit !== 1)
    problems.push(`exit status ${rec.exit}`);
  if (/event loop did not close/.test(stderr)) problems.push('uv_loop_close() failed: a handle was left open');
  for (const u of rec.unknown) problems.push(u);

  // Every request: exactly one answer while the process lived.
  const lostEvidence = rec.lostEvidence;
  for (const step of SESSION) {
    if (step.notify) continue;
    const s = st[step.name];
    if (!s) { problems.push(`${step.name}: never sent`); continue; }
    if (s.late === 'timeout') problems.push(`${step.name}: answered after more than ${REQUEST_TIMEOUT_MS} ms`);
    if (s.status === 'answered' || s.status === 'dead') continue;
    if ((s.status === 'lost' || s.status === 'timeout') && lostEvidence > 0)
      known.push(`${step.name}: request lost on input (${describeLoss(rec)})`);
    else
      problems.push(`${step.name}: no answer (${s.status})`);
  }
  const ended = SESSION.filter((s) => !s.notify).find((s) => st[s.name] && st[s.name].status === 'dead');
  if (ended && !rec.signal) {
    const last = stderr.trim().split('\n').filter((l) => l && !/^heatls (debug|info): /.test(l)).pop() || '(nothing on stderr)';
    early = `${ended.name}: ${last}`;
    // srv_session_new returns RPC_ENOMEM (-2), which lsp_main.c prints with
    // uv_strerror as UV_ENOENT.
    if (/cannot start: no such file or directory/.test(last))
      known.push('heatls: cannot start: out of memory (RPC_ENOMEM) printed as "no such file or directory"');
  }

  const ans = (name) => (st[name] && st[name].status === 'answered' ? st[name].msg : null);
  const errCode = (m) => (m && m.error ? m.error.code : null);
  // When initialize was lost, every later request is rightly answered
  // -32002 (server not initialized).
  const notInit = (m) => errCode(m) === -32002 && !(ans('initialize') && ans('initialize').result);
  const okError = (m) => [-32803, -32603].includes(errCode(m)) || notInit(m);

  // The load, the bad load and the state the status requests see.
  const load = ans('load');
  let loaded = null; // true, false, or null when unknown
  if (load) {
    if (load.error) {
      loaded = false;
      if (errCode(load) === -32600 && /already pending/.test(load.error.message))
        known.push('load: out of memory in rpc_cancel_add answered -32600 "a request with this id is already pending"');
      else if (!okError(load))
        problems.push(`load: error ${errCode(load)} ${load.error.message}`);
      else if (/protobuf: bad /.test(load.error.message))
        known.push('load: out of memory inside protobuf-c reported as a bad profile ("protobuf: bad ...")');
      else if (!notInit(load) && load.error.message.includes(profile) &&
               !/out of memory|not enough memory/i.test(load.error.message))
        notes.push(`load failed with "${load.error.message}"`);
    } else {
      loaded = true;
      if (!load.result || load.result.path !== profile || load.result.lines !== ref.lines)
        problems.push(`load: result ${JSON.stringify(load.result)}`);
    }
  } else if (st.load && (st.load.status === 'lost' || st.load.status === 'timeout')) {
    loaded = false;
  }
  const bad = ans('bad load');
  if (bad && !(bad.error && okError(bad)))
    problems.push(`bad load: not an error: ${JSON.stringify(bad)}`);
  for (const name of ['status', 'status 2']) {
    const s = ans(name);
    if (!s || s.error) {
      if (s && !okError(s)) problems.push(`${name}: error ${JSON.stringify(s.error)}`);
      continue;
    }
    if (loaded === true) {
      const r = s.result;
      if (!r || r.path !== profile || r.lines !== ref.lines || r.functions !== ref.functions)
        problems.push(`${name}: the loaded profile is gone: ${JSON.stringify(r)}`);
    } else if (loaded === false && s.result !== null) {
      problems.push(`${name}: a profile is loaded although the load failed: ${JSON.stringify(s.result)}`);
    }
  }
  // The threshold change: applied, or refused with a message, or lost.
  const s2 = ans('status 2');
  if (loaded === true && s2 && s2.result && s2.result.threshold !== 0.3) {
    const refused = rec.notifications.some((x) => x.method === 'window/showMessage' &&
      /settings not applied|cannot re-rank/.test(x.params.message));
    if (!refused && lostEvidence === 0)
      problems.push(`didChangeConfiguration: threshold ${s2.result.threshold}, and no message says why` +
                    (/json_loadb/.test(failedStack(rec).join('\n')) ? ' (json_loadb corrupted the notification)' : ''));
    else
      notes.push(`threshold change not applied (${refused ? 'showMessage' : describeLoss(rec)})`);
  }

  // Answers that are results but differ from the reference's: a handler
  // that built its answer with an element missing (the failed allocation
  // was in the handler), or the consequence of an earlier failure (a
  // didOpen lost on input, say).
  const stack = failedStack(rec).join('\n');
  // json_loadb failed inside but returned a value: jansson's lexer drops a
  // character when its buffer cannot grow (lex_save ignores the error).
  const corrupted = /json_loadb/.test(stack) && rec.nullErrors.length === 0;
  const after = [], unlit = [];
  if (loaded === true) {
    for (const name of ['inlayHint', 'hover', 'codeLens', 'hotspots']) {
      const a = ans(name);
      if (!a || a.error || same(a.result, ref.results[name])) continue;
      const diff = shortDiff(a.result, ref.results[name]);
      if (HANDLERS[name].test(stack))
        known.push(`${name}: an incomplete result, built while an allocation failed in its handler`);
      else if (corrupted)
        problems.push(`${name}: ${diff}: heatls acted on input that json_loadb corrupted (no parse error was reported)`);
      else if (/relink \(server\/paint\.c|srv_annos_build/.test(stack))
        unlit.push(name);
      else
        after.push(name);
    }
  }
  if (unlit.length)
    known.push(`${unlit.join(', ')}: count.go left without heat: an allocation failed while linking it to the new profile (paint.c), and the load answered success`);
  if (after.length)
    notes.push(`${after.join(', ')}: results unlike the reference's, after a failure in ${innermost(stack)}`);
  // A request answered as if it were another one: json_loadb dropped a
  // character of it and the rest of it was acted on.
  for (const step of SESSION) {
    const a = !step.notify && ans(step.name);
    if (a && a.error && [-32601, -32602].includes(a.error.code))
      problems.push(`${step.name}: answered ${a.error.code} "${a.error.message}": the request heatls acted on is not the one sent`);
  }
  const checkPath = (name, want) => {
    const a = ans(name);
    if (a && errCode(a) === -32803 && !a.error.message.includes(want))
      problems.push(`${name}: "${a.error.message}" names another file than the one sent: the request was corrupted`);
  };
  checkPath('load', profile);
  checkPath('bad load', missing);
  return { problems, known, notes, early };
}

// The innermost heatls frame of a symbolized stack.
function innermost(stack) {
  const m = /^\s*(\S+) \(((server|index|protocol)\/[^)]*)\)/m.exec(stack);
  return m ? `${m[1]} (${m[2]})` : 'a library';
}

function describeLoss(rec) {
  if (/message skipped/.test(rec.stderr)) return 'the framer could not buffer its body and skipped it';
  if (rec.nullErrors.length) return `json_loadb failed; answered with id null, ${rec.nullErrors[0].code}`;
  return 'logged as unparsable';
}
function shortDiff(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${a.length} items, reference ${b.length}`;
    const i = a.findIndex((x, k) => !same(x, b[k]));
    const ka = Object.keys(a[i] || {}), kb = Object.keys(b[i] || {});
    const missing = kb.filter((k) => !ka.includes(k));
    if (missing.length) return `item ${i} lacks ${missing.join(', ')}`;
    const changed = kb.filter((k) => !same(a[i][k], b[i][k]));
    return `item ${i}: ${changed.map((k) => `${k} ${JSON.stringify(a[i][k])}, reference ${JSON.stringify(b[i][k])}`).join('; ')}`;
  }
  if (a === null || b === null) return `${JSON.stringify(a)}, reference ${b === null ? 'null' : 'a value'}`;
  return `${JSON.stringify(a).length} bytes of JSON, reference ${JSON.stringify(b).length}`;
}

// ---- the walk ----
function ranges(ns) {
  const out = [];
  for (let i = 0; i < ns.length; i++) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j] + 1) j++;
    out.push(i === j ? `${ns[i]}` : `${ns[i]}-${ns[j]}`);
    i = j;
  }
  return out.join(' ');
}

const t0 = performance.now();
let exitStatus = 0;
try {
  const r = await runSession(0);
  const total = countOf(r);
  const refCheck = r.steps.load && r.steps.load.msg && r.steps.load.msg.result;
  if (!total || !refCheck || r.exit !== 0) {
    console.error('walk_server: the reference session failed');
    console.error(JSON.stringify({ exit: r.exit, signal: r.signal, steps: r.steps }, null, 1).slice(0, 4000));
    console.error(r.stderr);
    process.exit(1);
  }
  ref = { total, lines: refCheck.lines, functions: refCheck.functions, results: {} };
  for (const name of ['inlayHint', 'hover', 'codeLens', 'hotspots'])
    ref.results[name] = r.steps[name].msg.result;
  const hints = ref.results.inlayHint.length;
  console.log(`reference session: ${total} allocations; the profile has ${ref.lines} lines, ` +
              `${ref.functions} functions; ${hints} inlay hints in count.go`);

  let ns = [];
  if (env.HEATLS_ALLOC_ONLY) {
    ns = env.HEATLS_ALLOC_ONLY.split(',').map(Number).filter((x) => x > 0);
  } else {
    for (let n = 1; n <= Math.min(DENSE, total); n++) ns.push(n);
    if (total > DENSE) {
      const stride = Math.max(1, Math.ceil((total - DENSE) / SPARSE));
      for (let n = DENSE + stride; n < total; n += stride) ns.push(n);
      ns.push(total);
    }
  }
  const stride = total > DENSE ? Math.max(1, Math.ceil((total - DENSE) / SPARSE)) : 1;
  console.log(`N tried: 1..${Math.min(DENSE, total)} each` +
              (total > DENSE && !env.HEATLS_ALLOC_ONLY ? `, then every ${stride}th up to ${total}` : '') +
              ` (${ns.length} sessions, ${JOBS} at a time)`);

  const results = [];
  let next = 0;
  async function worker() {
    while (next < ns.length) {
      const n = ns[next++];
      const rec = await runSession(n);
      const c = check(rec);
      results.push({ n, rec, ...c, fired: failedAt(rec) });
      if (VERBOSE) {
        const st = failedStack(rec);
        console.log(`N=${n}: ${c.problems.length ? 'FAIL' : 'ok'}  ${st[0] || 'no failure'}  ` +
                    `${innermost(st.join('\n'))}`);
      }
    }
  }
  await Promise.all(Array.from({ length: JOBS }, worker));
  results.sort((a, b) => a.n - b.n);

  // ---- the summary ----
  const group = (pick) => {
    const g = new Map();
    for (const r of results)
      for (const k of pick(r)) {
        if (!g.has(k)) g.set(k, []);
        g.get(k).push(r.n);
      }
    return g;
  };
  const normalize = (s) => s.replaceAll(tmp, 'TMP').replaceAll(testdata, 'TESTDATA');
  const showStack = (n, lines) => {
    const stack = failedStack(results.find((r) => r.n === n).rec);
    for (const l of stack.slice(0, lines)) console.log(`      ${l}`);
  };
  const early = group((r) => (r.early ? [normalize(r.early)] : []));
  if (early.size) {
    console.log('\nsessions that ended early (the process exited cleanly before the session was over):');
    for (const [k, v] of early) {
      console.log(`  N=${ranges(v)}\n      ${k}`);
      showStack(v[0], VERBOSE ? 40 : 6);
    }
  }
  const notes = group((r) => r.notes.map(normalize));
  if (notes.size) {
    console.log('\nanswers that differ from the reference (not failures):');
    for (const [k, v] of notes) {
      console.log(`  N=${ranges(v)}\n      ${k}`);
      showStack(v[0], VERBOSE ? 40 : 10);
    }
  }
  const known = group((r) => r.known.map(normalize));
  if (known.size) {
    console.log(`\nknown problems (${STRICT ? 'failures: HEATLS_ALLOC_STRICT is set' : 'listed, not failures; HEATLS_ALLOC_STRICT=1 fails them'}):`);
    for (const [k, v] of known) {
      console.log(`  N=${ranges(v)}\n      ${k}`);
      showStack(v[0], VERBOSE ? 40 : 8);
    }
  }
  const notFired = results.filter((r) => !r.fired && !r.early).map((r) => r.n);
  if (notFired.length)
    console.log(`\nN where no allocation failed (the run made fewer allocations): ${ranges(notFired)}`);

  let passed = 0, failed = 0;
  for (const r of results) {
    const bad = r.problems.length > 0 || (STRICT && r.known.length > 0);
    if (!bad) { passed++; continue; }
    failed++;
    console.log(`\nFAIL N=${r.n}: ${[...r.problems, ...(STRICT ? r.known : [])].join('; ')}`);
    for (const l of failedStack(r.rec)) console.log(`  ${l}`);
    const tail = r.rec.stderr.trim().split('\n').slice(-6);
    for (const l of tail) console.log(`  stderr: ${l}`);
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`\n${ns.length} sessions in ${secs}s`);
  console.log(`${passed} passed, ${failed} failed`);
  exitStatus = failed ? 1 : 0;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitStatus);
