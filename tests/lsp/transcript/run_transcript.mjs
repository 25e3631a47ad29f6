#!/usr/bin/env node
// run_transcript.mjs: runs one transcript (.test file) against the real heatls
// binary over pipes and checks what it answers. Plain Node 20, no packages.
//
//   node run_transcript.mjs HEATLS FILE.test TESTDATA_DIR
//
// The format is described in README.md beside this file. The last line printed
// is "N passed, M failed"; the exit status is 1 on any failure, 2 on a usage
// or transcript syntax error. HEATLS_TRANSCRIPT_TIMEOUT (seconds, default 5)
// is how long one expectation or one exit waits; HEATLS_TRANSCRIPT_VERBOSE=1
// also prints every byte sent and every message received.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const IGNORABLE = new Set(['window/logMessage', '$/progress']);
const TIMEOUT_MS = 1000 * Number(process.env.HEATLS_TRANSCRIPT_TIMEOUT || 5);
const MAX_HEADER = 8192;
const VERBOSE = Boolean(process.env.HEATLS_TRANSCRIPT_VERBOSE);

// ---------------------------------------------------------------------------
// The transcript: a list of steps, each with the line it starts on.

class SyntaxError_ extends Error {}

function parseTranscript(text, file) {
  const steps = [];
  let open = null; // the directive whose text may continue on the next lines
  const lines = text.split('\n');
  const fail = (n, msg) => { throw new SyntaxError_(`${file}:${n}: ${msg}`); };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const n = i + 1;
    if (!/^(#|>>>|<<<|===)/.test(line)) {
      if (open) open.text += '\n' + line;
      else if (line.trim() !== '') fail(n, `text outside a directive: ${line}`);
      continue;
    }
    open = null;
    let m;
    if (line.startsWith('#')) {
      if ((m = /^#\s*(args|stdin):(.*)$/.exec(line))) {
        const value = m[2].trim();
        if (m[1] === 'stdin' && value !== 'pipe' && value !== 'file')
          fail(n, `# stdin: takes pipe or file, not "${value}"`);
        steps.push({ kind: 'option', name: m[1], value, line: n });
      }
      continue; // a comment
    }
    if ((m = /^>>>(raw|body)(?:[ \t](.*))?$/.exec(line))) {
      steps.push({ kind: m[1], text: m[2] ?? '', line: n });
    } else if ((m = /^>>>(?:[ \t](.*))?$/.exec(line))) {
      open = { kind: 'send', text: m[1] ?? '', line: n };
      steps.push(open);
    } else if ((m = /^<<<([~!]?)(?:[ \t](.*))?$/.exec(line))) {
      const kind = { '': 'expect', '~': 'expectAny', '!': 'expectNot' }[m[1]];
      open = { kind, text: m[2] ?? '', line: n };
      steps.push(open);
    } else if ((m = /^===[ \t]*exit[ \t]+(\d+)[ \t]*$/.exec(line))) {
      steps.push({ kind: 'exit', code: Number(m[1]), line: n });
    } else if (/^===[ \t]*close[ \t]*$/.test(line)) {
      steps.push({ kind: 'close', line: n });
    } else {
      fail(n, `unknown directive: ${line}`);
    }
  }
  // Every session must end with "=== exit N".
  let inSession = false;
  for (const s of steps) {
    if (s.kind === 'exit') inSession = false;
    else if (s.kind !== 'option') inSession = true;
    else if (inSession) fail(s.line, `# ${s.name}: must come before a session starts`);
  }
  if (inSession) fail(lines.length, 'the transcript does not end with "=== exit N"');
  return steps;
}

// ${TESTDATA} ${TMP} ${REPEAT:n:text} and ${name} (a captured value, as JSON).
// Pattern tokens (${ANY}, ${ABSENT}, ${RE:...}, ${=name}) are left alone.
function substitute(text, vars, captures, inJson, where) {
  const esc = (s) => (inJson ? JSON.stringify(s).slice(1, -1) : s);
  return text
    .replace(/\$\{REPEAT:(\d+):([^}]*)\}/g, (_, n, t) => t.repeat(Number(n)))
    .replace(/\$\{(TESTDATA|TMP)\}/g, (_, name) => esc(vars[name]))
    .replace(/\$\{([a-z_][a-z0-9_]*)\}/g, (_, name) => {
      if (!(name in captures)) throw new Error(`${where}: \${${name}} was never captured`);
      return JSON.stringify(captures[name]);
    });
}

// \r \n \t \\ \xNN in >>>raw and >>>body text; the rest is sent as UTF-8.
function unescape(text) {
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(/\\(x[0-9a-fA-F]{2}|[rnt\\])/g)) {
    parts.push(Buffer.from(text.slice(last, m.index), 'utf8'));
    const e = m[1];
    parts.push(e[0] === 'x' ? Buffer.from([parseInt(e.slice(1), 16)])
      : Buffer.from({ r: '\r', n: '\n', t: '\t', '\\': '\\' }[e], 'latin1'));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

function frame(body) {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`, 'latin1'), b]);
}

// ---------------------------------------------------------------------------
// Patterns. match() returns null on a match, else where and why it differs.

function short(v) {
  const s = v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 160 ? s.slice(0, 157) + '...' : s;
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function match(pat, act, where, caps) {
  if (typeof pat === 'string') {
    if (pat === '${ANY}') return act === undefined ? `${where}: missing` : null;
    let m;
    if ((m = /^\$\{=([a-z_][a-z0-9_]*)\}$/.exec(pat))) {
      if (act === undefined) return `${where}: missing`;
      caps[m[1]] = act;
      return null;
    }
    if ((m = /^\$\{RE:(.*)\}$/s.exec(pat))) {
      if (typeof act !== 'string') return `${where}: expected a string matching /${m[1]}/, got ${short(act)}`;
      return new RegExp(m[1], 's').test(act) ? null
        : `${where}: ${short(act)} does not match /${m[1]}/`;
    }
  }
  if (Array.isArray(pat)) {
    if (!Array.isArray(act)) return `${where}: expected an array, got ${short(act)}`;
    const open = pat.length > 0 && pat[pat.length - 1] === '...';
    const want = open ? pat.slice(0, -1) : pat;
    if (open ? act.length < want.length : act.length !== want.length)
      return `${where}: expected ${open ? 'at least ' : ''}${want.length} elements, got ${act.length}: ${short(act)}`;
    for (let i = 0; i < want.length; i++) {
      const d = match(want[i], act[i], `${where}[${i}]`, caps);
      if (d) return d;
    }
    return null;
  }
  if (isObject(pat)) {
    if (!isObject(act)) return `${where}: expected an object, got ${short(act)}`;
    for (const [k, p] of Object.entries(pat)) {
      const w = `${where}.${k}`;
      if (p === '${ABSENT}') {
        if (k in act) return `${w}: expected absent, got ${short(act[k])}`;
        continue;
      }
      if (!(k in act)) return `${w}: missing (expected ${short(p)})`;
      const d = match(p, act[k], w, caps);
      if (d) return d;
    }
    return null;
  }
  return pat === act ? null : `${where}: expected ${short(pat)}, got ${short(act)}`;
}

function tryMatch(pat, act, captures) {
  const caps = {};
  const d = match(pat, act, '$', caps);
  if (!d) Object.assign(captures, caps);
  return d;
}

// A message is skipped by an expectation when it is an ignorable
// notification the pattern does not ask for.
function skippable(entry, pat) {
  return IGNORABLE.has(entry.msg.method) && !(isObject(pat) && pat.method === entry.msg.method);
}

// ---------------------------------------------------------------------------
// One run of the server: from the first step after "=== exit" to the next.

class Session {
  constructor(binary, args, stdinFile) {
    this.queue = [];      // {seq, msg, consumed}
    this.framingError = null;
    this.stderr = '';
    this.exit = null;     // {code, signal}
    this.ended = false;   // stdout closed and the process gone
    this.writeError = null;
    this.waiters = new Set();
    this.pending = [];    // bytes to send in the next write
    this.buf = Buffer.alloc(0);
    let stdin = 'pipe';
    if (stdinFile) stdin = fs.openSync(stdinFile, 'r');
    this.child = spawn(binary, ['--stdio', ...args], { stdio: [stdin, 'pipe', 'pipe'] });
    if (stdinFile) fs.closeSync(stdin);
    this.spawnError = null;
    this.child.on('error', (e) => { this.spawnError = e; this.exit = { code: null, signal: null }; this.finish(); });
    if (this.child.stdin) this.child.stdin.on('error', (e) => { this.writeError = e; });
    this.child.stdout.on('data', (d) => this.onData(d));
    this.child.stderr.on('data', (d) => {
      this.stderr += d.toString('utf8');
      if (this.stderr.length > 65536) this.stderr = this.stderr.slice(-65536);
    });
    let outClosed = false;
    this.child.stdout.on('close', () => { outClosed = true; this.maybeEnded(outClosed); });
    this.child.on('exit', (code, signal) => { this.exit = { code, signal }; this.maybeEnded(outClosed); });
  }

  maybeEnded(outClosed) {
    if (outClosed && this.exit) this.finish();
  }

  finish() {
    if (this.ended) return;
    this.ended = true;
    if (this.buf.length > 0 && !this.framingError)
      this.framingError = `output ends inside a message: ${short(this.buf.toString('latin1'))}`;
    this.wake();
  }

  wake() {
    for (const w of [...this.waiters]) w();
  }

  onData(d) {
    if (this.framingError) return;
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buf.length > MAX_HEADER) this.framingError = `no end of header in ${short(this.buf.toString('latin1'))}`;
        break;
      }
      const header = this.buf.subarray(0, end).toString('latin1');
      let length = null;
      for (const h of header.split('\r\n')) {
        const m = /^([A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(h);
        if (!m) { this.framingError = `bad header line ${short(h)} in ${short(header)}`; break; }
        const name = m[1].toLowerCase();
        if (name === 'content-length' && /^\d+$/.test(m[2]) && length === null) length = Number(m[2]);
        else if (name !== 'content-type') { this.framingError = `bad header line ${short(h)}`; break; }
      }
      if (this.framingError) break;
      if (length === null) { this.framingError = `no Content-Length in header ${short(header)}`; break; }
      if (this.buf.length < end + 4 + length) break;
      const body = this.buf.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buf = this.buf.subarray(end + 4 + length);
      let msg;
      try { msg = JSON.parse(body); } catch (e) {
        this.framingError = `body is not JSON (${e.message}): ${short(body)}`;
        break;
      }
      if (!isObject(msg) || msg.jsonrpc !== '2.0') {
        this.framingError = `body is not a JSON-RPC 2.0 message: ${short(body)}`;
        break;
      }
      if (VERBOSE) console.log(`<-- #${this.queue.length + 1} ${body}`);
      this.queue.push({ seq: this.queue.length, msg, consumed: false });
    }
    this.wake();
  }

  send(bytes) {
    this.pending.push(bytes);
  }

  // Consecutive sends go out in one write.
  flush() {
    if (this.pending.length === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    if (VERBOSE) console.log(`--> ${JSON.stringify(data.toString('utf8'))}`);
    if (this.child.stdin && !this.child.stdin.destroyed && !this.child.stdin.writableEnded)
      this.child.stdin.write(data);
  }

  closeStdin() {
    this.flush();
    if (this.child.stdin) this.child.stdin.end();
  }

  // Waits until check() returns something other than undefined, the output
  // ends or turns out invalid (returns 'ended', unless onlyCheck) or the time
  // is up (returns 'timeout').
  wait(check, ms = TIMEOUT_MS, onlyCheck = false) {
    return new Promise((resolve) => {
      let timer = null;
      const done = (v) => { this.waiters.delete(poll); clearTimeout(timer); resolve(v); };
      const poll = () => {
        const v = check();
        if (v !== undefined) done(v);
        else if (!onlyCheck && (this.ended || this.framingError)) done('ended');
      };
      this.waiters.add(poll);
      timer = setTimeout(() => done('timeout'), ms);
      poll();
    });
  }

  kill() {
    if (!this.exit) this.child.kill('SIGKILL');
  }

  describeEnd() {
    if (this.spawnError) return `the server could not be started: ${this.spawnError.message}`;
    if (this.framingError) return 'the server wrote something that is not a framed JSON-RPC message';
    if (!this.exit) return 'the server closed its output';
    return this.exit.signal ? `the server was killed by ${this.exit.signal}` : `the server exited with code ${this.exit.code}`;
  }
}

// ---------------------------------------------------------------------------
// Running the steps.

class Runner {
  constructor(binary, file, testdata) {
    this.binary = binary;
    this.file = file;
    this.name = path.basename(file);
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heatls-transcript-'));
    this.vars = { TESTDATA: path.resolve(testdata), TMP: this.tmp };
    this.captures = {};
    this.passed = 0;
    this.failed = 0;
    this.args = [];
    this.stdinMode = 'pipe';
    this.session = null;
    this.negatives = [];
  }

  pass(step, what) {
    this.passed++;
    console.log(`ok   ${this.name}:${step.line}: ${what}`);
  }

  fail(line, what, details = []) {
    this.failed++;
    console.log(`FAIL ${this.file}:${line}: ${what}`);
    for (const [title, value] of details) {
      console.log(`  ${title}:`);
      const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
      for (const l of text.split('\n')) console.log(`    ${l}`);
    }
    if (this.session) this.session.failedHere = true;
  }

  parseJson(step, text, what) {
    try { return JSON.parse(text); } catch (e) {
      this.fail(step.line, `the ${what} is not valid JSON: ${e.message}`, [['text', text]]);
      return undefined;
    }
  }

  subst(step, text, inJson) {
    try { return substitute(text, this.vars, this.captures, inJson, `${this.name}:${step.line}`); } catch (e) {
      this.fail(step.line, e.message);
      return undefined;
    }
  }

  startSession(fromIndex, steps) {
    let stdinFile = null;
    if (this.stdinMode === 'file') {
      // The whole session's input, framed, in a regular file.
      const parts = [];
      for (let i = fromIndex; i < steps.length && steps[i].kind !== 'exit'; i++) {
        const b = this.encodeSend(steps[i]);
        if (b) parts.push(b);
      }
      stdinFile = path.join(this.tmp, `session-${steps[fromIndex].line}.txt`);
      fs.writeFileSync(stdinFile, Buffer.concat(parts));
    }
    this.session = new Session(this.binary, this.args, stdinFile);
    this.session.fileMode = stdinFile !== null;
    this.negatives = [];
  }

  // The bytes a send step puts on the wire, or null (after a failure).
  encodeSend(step) {
    if (step.kind === 'send') {
      const text = this.subst(step, step.text, true);
      if (text === undefined) return null;
      const value = this.parseJson(step, text, 'message');
      return value === undefined ? null : frame(JSON.stringify(value));
    }
    if (step.kind === 'body' || step.kind === 'raw') {
      const text = this.subst(step, step.text, false);
      if (text === undefined) return null;
      const bytes = unescape(text);
      return step.kind === 'body' ? frame(bytes) : bytes;
    }
    return null;
  }

  async run(steps) {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step.kind === 'option') {
        if (step.name === 'args') this.args = step.value.split(/\s+/).filter(Boolean);
        else this.stdinMode = step.value;
        continue;
      }
      if (!this.session) this.startSession(i, steps);
      const s = this.session;
      switch (step.kind) {
        case 'send': case 'raw': case 'body':
          if (!s.fileMode) {
            const b = this.encodeSend(step);
            if (b) s.send(b);
          }
          break;
        case 'close':
          if (s.fileMode) this.fail(step.line, '=== close has no meaning with # stdin: file');
          else s.closeStdin();
          break;
        case 'expect': case 'expectAny':
          s.flush();
          await this.expect(step);
          break;
        case 'expectNot': {
          s.flush();
          const text = this.subst(step, step.text, true);
          const pat = text === undefined ? undefined : this.parseJson(step, text, 'pattern');
          if (pat !== undefined) {
            // Messages already consumed are not looked at again.
            const before = new Set(s.queue.filter((e) => e.consumed).map((e) => e.seq));
            this.negatives.push({ step, pat, before });
          }
          break;
        }
        case 'exit':
          s.flush();
          await this.endSession(step);
          break;
      }
    }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  // Checks the active <<<! patterns against messages [from, upTo).
  checkNegatives(upTo) {
    const s = this.session;
    for (const n of this.negatives) {
      let hit = null;
      for (const e of s.queue.slice(0, upTo)) {
        if (n.before.has(e.seq) || skippable(e, n.pat)) continue;
        if (!tryMatch(n.pat, e.msg, {})) { hit = e; break; }
      }
      if (hit) this.fail(n.step.line, '<<<! a message that should not have arrived did', [['pattern', n.pat], [`actual (message #${hit.seq + 1})`, hit.msg]]);
      else this.pass(n.step, `<<<! ${short(n.pat)}`);
    }
    this.negatives = [];
  }

  async expect(step) {
    const s = this.session;
    const text = this.subst(step, step.text, true);
    if (text === undefined) return;
    const pat = this.parseJson(step, text, 'pattern');
    if (pat === undefined) return;
    const any = step.kind === 'expectAny';
    const tag = any ? '<<<~' : '<<<';
    let seen = null; // the first message a strict expectation looked at
    const result = await s.wait(() => {
      for (const e of s.queue) {
        if (e.consumed) continue;
        if (any) {
          if (!tryMatch(pat, e.msg, this.captures)) return { hit: e };
          continue;
        }
        if (skippable(e, pat)) continue;
        seen = e;
        const diff = tryMatch(pat, e.msg, this.captures);
        if (!diff) return { hit: e };
        // Out of order: a later message that has already arrived matches.
        const later = s.queue.find((x) => !x.consumed && x.seq > e.seq && !skippable(x, pat) && !tryMatch(pat, x.msg, this.captures));
        if (later) return { hit: later, outOfOrder: e };
        return { diff, miss: e };
      }
      return undefined;
    });
    if (result === 'timeout' || result === 'ended') {
      const why = result === 'timeout' ? `no matching message within ${TIMEOUT_MS / 1000} s` : `${s.describeEnd()} before a matching message arrived`;
      const details = [['pattern', pat]];
      const left = s.queue.filter((e) => !e.consumed && !skippable(e, pat));
      if (left.length) details.push(['unconsumed messages', left.map((e) => e.msg)]);
      if (s.framingError) details.push(['invalid output', s.framingError]);
      this.fail(step.line, `${tag} ${why}`, details);
      this.checkNegatives(s.queue.length);
      return;
    }
    if (result.miss) {
      // Resynchronise: when the message looked for comes a little later, the
      // first one is reported as unexpected and the match is taken.
      const later = await s.wait(() => s.queue.find((x) => !x.consumed && x.seq > result.miss.seq &&
        !skippable(x, pat) && !tryMatch(pat, x.msg, this.captures)), Math.min(TIMEOUT_MS, 1000));
      if (later !== 'timeout' && later !== 'ended') Object.assign(result, { hit: later, outOfOrder: result.miss, miss: null });
    }
    if (result.miss) {
      result.miss.consumed = true;
      this.fail(step.line, `${tag} the next message does not match`, [['pattern', pat], [`actual (message #${result.miss.seq + 1})`, result.miss.msg], ['first difference', result.diff]]);
      this.checkNegatives(result.miss.seq);
      this.retireSkipped(result.miss.seq);
      return;
    }
    const e = result.hit;
    e.consumed = true;
    this.checkNegatives(e.seq);
    if (result.outOfOrder) {
      result.outOfOrder.consumed = true; // reported here, not again
      this.fail(step.line, `${tag} the matching message came after another one`, [['pattern', pat], [`first came (message #${result.outOfOrder.seq + 1})`, result.outOfOrder.msg], [`then the match (message #${e.seq + 1})`, e.msg]]);
      return;
    }
    if (!any) this.retireSkipped(e.seq);
    this.pass(step, `${tag} ${short(pat)}`);
  }

  // Ignorable messages before a strict match are not looked at again.
  retireSkipped(seq) {
    for (const x of this.session.queue) if (x.seq < seq && IGNORABLE.has(x.msg.method)) x.consumed = true;
  }

  async endSession(step) {
    const s = this.session;
    const r = await s.wait(() => (s.exit ? true : undefined), TIMEOUT_MS, true);
    if (r === 'timeout') {
      this.fail(step.line, `=== exit ${step.code}: the server did not exit within ${TIMEOUT_MS / 1000} s`);
      s.kill();
      await s.wait(() => (s.ended ? true : undefined), 2000, true);
    } else {
      await s.wait(() => (s.ended ? true : undefined), 2000, true); // let stdout drain
      if (s.spawnError || s.exit.signal || s.exit.code !== step.code)
        this.fail(step.line, `=== exit ${step.code}: ${s.describeEnd()}`);
      else this.pass(step, `=== exit ${step.code}`);
    }
    if (s.child.stdin && !s.child.stdin.destroyed) s.child.stdin.destroy();
    this.checkNegatives(s.queue.length);
    for (const e of s.queue) {
      if (e.consumed || IGNORABLE.has(e.msg.method)) continue;
      this.fail(step.line, `a message that no expectation consumed (message #${e.seq + 1})`, [['message', e.msg]]);
    }
    if (s.framingError) this.fail(step.line, 'the server wrote something that is not a framed JSON-RPC message', [['what', s.framingError]]);
    if (s.failedHere && s.stderr.trim()) {
      const tail = s.stderr.trimEnd().split('\n').slice(-40).join('\n');
      console.log(`  server stderr (last lines):\n${tail.replace(/^/gm, '    | ')}`);
    }
    this.session = null;
  }
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.length !== 3) {
    console.error('usage: node run_transcript.mjs HEATLS FILE.test TESTDATA_DIR');
    process.exit(2);
  }
  const [binary, file, testdata] = argv;
  let steps;
  try {
    steps = parseTranscript(fs.readFileSync(file, 'utf8'), file);
  } catch (e) {
    console.error(e instanceof SyntaxError_ ? e.message : `${file}: ${e.message}`);
    console.log('0 passed, 1 failed');
    process.exit(2);
  }
  const runner = new Runner(binary, file, testdata);
  await runner.run(steps);
  console.log(`${runner.passed} passed, ${runner.failed} failed`);
  process.exit(runner.failed ? 1 : 0);
}

main();
