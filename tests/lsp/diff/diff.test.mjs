#!/usr/bin/env node
// diff.test.mjs: several profiles merged and a diff against a base, through
// the language server (docs/protocol.md: heatls.loadProfile's paths and
// base, heatls.compare, the summary, heatls/decorations, inlay hints, hover,
// code lenses and hotspots in diff mode, the settings profile/base/
// normalize, and every error with the state it keeps). Plain Node 20.
//
//   node diff.test.mjs HEATLS TESTDATA_DIR TMP_DIR PROFILE_VARIANTS
//
// The oracle is the CLI on the same inputs: `heatls dump` in diff mode
// (levels and values of every point), `heatls top` (hotspots) and `heatls
// info`; nothing here is a number written down by hand. The last line
// printed is "N passed, M failed"; the exit status is 1 on any failure.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StdioLsp } from '../stdio_lsp.mjs';

const [HEATLS, TESTDATA_ARG, TMP, VARIANTS] = process.argv.slice(2);
if (!VARIANTS) {
  console.error('usage: diff.test.mjs HEATLS TESTDATA_DIR TMP_DIR PROFILE_VARIANTS');
  process.exit(2);
}
const G = path.join(path.resolve(TESTDATA_ARG), 'golden');
const prof = (name) => path.join(G, name, `${name}.pb.gz`);
const BYTES = prof('bytes'), STRINGS = prof('strings');
const FMT = prof('fmt'), STRCONV = prof('strconv'), JSONP = prof('json');
const HEAP = prof('json-heap');
// Documents: files of the Go tree the profiles name, by their own paths.
const DOCS = ['/usr/lib/go-1.19/src/runtime/proc.go',
              '/usr/lib/go-1.19/src/runtime/memmove_amd64.s'];
const TIMEOUT_MS = 20000;

let passed = 0, failed = 0;
function check(ok, what, detail) {
  if (ok) { passed++; return true; }
  failed++;
  console.error(`FAIL: ${what}${detail === undefined ? '' : `\n  ${detail}`}`);
  return false;
}
function checkEq(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  return check(g === w, what, `got  ${g.slice(0, 400)}\n  want ${w.slice(0, 400)}`);
}

// ---------------------------------------------------------------------------
// The CLI, the oracle.

function cli(...args) {
  return execFileSync(HEATLS, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}

// heatls dump: { header, points: [{file, fn, line, flat, cum, baseFlat,
// baseCum, flatDelta, cumDelta, local, global}] }, values in microseconds.
function dump(args) {
  const out = cli('dump', ...args).split('\n');
  const points = [];
  let fn = null;
  for (const l of out.slice(1)) {
    const t = l.split('\t');
    if (t[0] === 'F') {
      fn = { package: JSON.parse(t[1]), type: JSON.parse(t[2]), name: JSON.parse(t[3]),
             file: JSON.parse(t[5]) };
    } else if (t[0] === 'P') {
      const n = t.slice(1).map(Number);
      points.push(n.length === 9
        ? { fn, file: fn.file, line: n[0], flat: n[1], cum: n[2], baseFlat: n[3], baseCum: n[4],
            flatDelta: n[5], cumDelta: n[6], local: n[7], global: n[8] }
        : { fn, file: fn.file, line: n[0], flat: n[1], cum: n[2], local: n[3], global: n[4] });
    }
  }
  const h = /points=(\d+).*?(?:regressions=(\d+) improvements=(\d+))?$/.exec(out[0]);
  return { header: out[0], points: points, count: Number(h[1]),
           regressions: h[2] && Number(h[2]), improvements: h[3] && Number(h[3]) };
}

// C's printf rounding of a double to f places (ties to even on exact ties,
// which toFixed rounds up).
function cfixed(x, f) {
  const scaled = x * 10 ** f;
  if (Math.abs(scaled - Math.trunc(scaled)) === 0.5) {
    const down = Math.trunc(scaled);
    const even = down % 2 === 0 ? down : down + Math.sign(scaled);
    return (even / 10 ** f).toFixed(f);
  }
  return x.toFixed(f);
}
// Texts as format.c writes them, from dump's microseconds.
const secs = (us) => `${cfixed(Math.abs(us) / 1e6, 2)}s`;
const signed = (us) => `${us < 0 ? '-' : '+'}${secs(us)}`;
function own(cum, base) {
  if (base === 0) return 'new';
  if (cum === 0) return 'gone';
  const p = (100 * (cum - base)) / base;
  return `${p >= 0 ? '+' : ''}${cfixed(p, 1)}%`;
}
const lvl = (n) => (n === 0 ? '0' : n > 0 ? `+${n}` : `${n}`);
function hintText(p, mode) {
  const value = `${signed(p.cumDelta)} (${own(p.cum, p.baseCum)})`;
  if (mode === 'both') return (p.global || p.local) ? `G${lvl(p.global)} L${lvl(p.local)} · ${value}` : null;
  if (mode === 'global') return p.global ? `G${lvl(p.global)} · ${value}` : null;
  if (mode === 'local') return p.local ? `L${lvl(p.local)} · ${value}` : null;
  return null;
}

// The point a line shows in a diff: the largest |global|, then the largest
// |cum delta|; dump's order (the index's) breaks the remaining ties, as the
// server's annotations of a line come in the index's line order.
function linePoints(points, file) {
  const byLine = new Map();
  for (const p of points) {
    if (p.file !== file || p.line === 0) continue;
    if (!byLine.has(p.line)) byLine.set(p.line, []);
    byLine.get(p.line).push(p);
  }
  return byLine;
}
function winner(list) {
  let best = list[0];
  for (const p of list.slice(1)) {
    const a = Math.abs(p.global), b = Math.abs(best.global);
    if (a > b || (a === b && Math.abs(p.cumDelta) > Math.abs(best.cumDelta))) best = p;
  }
  return best;
}
// A line whose candidates tie on both keys: which one the server shows
// depends on an order dump does not print, so its texts are not compared.
function tied(list, best) {
  return list.filter((p) => Math.abs(p.global) === Math.abs(best.global) &&
    Math.abs(p.cumDelta) === Math.abs(best.cumDelta) &&
    (p.local !== best.local || p.global !== best.global || p.cum !== best.cum)).length > 1;
}

// ---------------------------------------------------------------------------
// A minimal LSP client over the binary's stdio: heatls --stdio; wait() takes the first kept message that matches out of
// the list.
class Client extends StdioLsp {
  constructor(initOptions) {
    super(HEATLS, ['--stdio']);
    this.messages = [];
    this.waiters = [];
    this.initOptions = initOptions;
  }
  received(msg) {
    this.messages.push(msg);
    this.wake();
  }
  wake() {
    for (const w of [...this.waiters]) {
      const i = this.messages.findIndex(w.match);
      if (i >= 0) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(this.messages.splice(i, 1)[0]);
      }
    }
  }
  wait(match, what) {
    return new Promise((resolve, reject) => {
      const w = { match, resolve };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timed out waiting for ${what}`));
      }, TIMEOUT_MS);
      this.waiters.push(w);
      this.wake();
    });
  }
  request(method, params) {
    const id = this.nextId++;
    if (process.env.HEATLS_DIFF_VERBOSE) console.error(`>>> ${id} ${method} ${JSON.stringify(params).slice(0, 200)}`);
    this.send({ jsonrpc: '2.0', id, method, params });
    return this.wait((m) => m.id === id && !m.method, `the answer to ${method}`);
  }
  command(command, args) {
    return this.request('workspace/executeCommand', { command, arguments: args });
  }
  // Drops what came so far (decorations of earlier states).
  drain() { this.messages = []; }
  decorations(uri) {
    return this.wait((m) => m.method === 'heatls/decorations' && m.params.uri === uri,
                     `decorations of ${uri}`).then((m) => m.params);
  }
  shows() { return this.messages.filter((m) => m.method === 'window/showMessage'); }
  async start() {
    const init = await this.request('initialize', {
      processId: null, rootUri: null, initializationOptions: this.initOptions,
      capabilities: { textDocument: { hover: { contentFormat: ['plaintext'] } } } });
    this.notify('initialized', {});
    return init;
  }
  async stop() {
    await this.request('shutdown', null);
    this.notify('exit', null);
    await this.exited;
  }
}

const uriOf = (p) => `file://${p}`;

function openDocs(c) {
  for (const p of DOCS)
    c.notify('textDocument/didOpen', { textDocument: {
      uri: uriOf(p), languageId: 'go', version: 1, text: fs.readFileSync(p, 'utf8') } });
}

// Decorations of a document checked against dump: the lines sent, the
// point each shows, both sides and the deltas.
function checkDecorations(deco, d, file, what) {
  const byLine = linePoints(d.points, file);
  const want = [];
  for (const [line, list] of [...byLine].sort((a, b) => a[0] - b[0])) {
    const p = winner(list);
    if (!p.local && !p.global) continue;
    want.push({ line: line - 1, tied: tied(list, p), p });
  }
  checkEq(deco.lines.map((l) => l.line), want.map((w) => w.line), `${what}: the lines painted`);
  let same = true, detail = '';
  for (const [i, w] of want.entries()) {
    const l = deco.lines[i];
    if (!l || w.tied) continue;
    const p = w.p;
    // dump prints microseconds, truncated toward zero.
    const us = (ns) => Math.trunc(ns / 1000);
    const got = [l.local, l.global, us(l.flat), us(l.cum), us(l.baseFlat),
                 us(l.baseCum), us(l.flatDelta), us(l.cumDelta)];
    const exp = [p.local, p.global, p.flat, p.cum, p.baseFlat, p.baseCum, p.flatDelta, p.cumDelta];
    if (JSON.stringify(got) !== JSON.stringify(exp)) {
      same = false;
      detail = `line ${w.line}: got ${JSON.stringify(got)} want ${JSON.stringify(exp)}`;
      break;
    }
  }
  check(same, `${what}: levels and values of each line equal dump's`, detail);
  check(want.some((w) => w.p.global > 0) && want.some((w) => w.p.global < 0),
        `${what}: the document has regressions and improvements`);
  return want;
}

async function checkHints(c, d, file, mode, what) {
  const text = fs.readFileSync(file, 'utf8');
  const hints = (await c.request('textDocument/inlayHint', {
    textDocument: { uri: uriOf(file) },
    range: { start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } },
  })).result;
  const want = [];
  for (const [line, list] of [...linePoints(d.points, file)].sort((a, b) => a[0] - b[0])) {
    const p = winner(list);
    const label = hintText(p, mode);
    if (label) want.push({ line: line - 1, label, tied: tied(list, p) });
  }
  checkEq(hints.map((h) => h.position.line), want.map((w) => w.line), `${what}: lines with hints`);
  const bad = want.filter((w, i) => !w.tied && hints[i] && hints[i].label !== w.label);
  check(bad.length === 0, `${what}: every hint text equals dump's values formatted`,
        bad.length && `line ${bad[0].line}: got "${hints[want.indexOf(bad[0])].label}" want "${bad[0].label}"`);
  return hints;
}

// heatls top's rows: [G, L, delta, %base, own, function, path, line].
function top(args) {
  return cli('top', ...args).split('\n').slice(2).filter(Boolean).map((l) => {
    const t = l.trim().split(/\s+/);
    const at = t[t.length - 1];
    const colon = at.lastIndexOf(':');
    return { global: Number(t[1]), local: Number(t[2]), delta: t[3], ofBase: t[4], own: t[5],
             function: t[8], path: at.slice(0, colon), line: Number(at.slice(colon + 1)) };
  });
}

// ---------------------------------------------------------------------------

async function main() {
  fs.mkdirSync(TMP, { recursive: true });
  const newArgs = [BYTES, STRINGS];
  const baseArgs = ['-base', FMT, '-base', STRCONV];
  const merged = dump(newArgs);
  const diff = dump([...newArgs, ...baseArgs]);
  const normalized = dump([...newArgs, ...baseArgs, '-normalize']);

  const c = new Client();
  const init = await c.start();
  check(init.result.capabilities.executeCommandProvider.commands.includes('heatls.compare'),
        'initialize lists heatls.compare');
  openDocs(c);

  // ---- several profiles merged ----
  let r = await c.command('heatls.loadProfile', [{ paths: newArgs }]);
  checkEq(r.result && r.result.paths, newArgs, 'loadProfile paths: the summary lists both');
  checkEq(r.result && r.result.lines, merged.count, 'loadProfile paths: lines equal dump of both');
  check(r.result && r.result.diff === undefined, 'loadProfile paths: not a diff');
  const plainSummary = r.result;
  // A glob, expanded by heatls.
  const globDir = path.join(TMP, 'glob');
  fs.mkdirSync(globDir, { recursive: true });
  fs.copyFileSync(BYTES, path.join(globDir, 'a-bytes.pb.gz'));
  fs.copyFileSync(STRINGS, path.join(globDir, 'b-strings.pb.gz'));
  r = await c.command('heatls.loadProfile', [{ paths: [path.join(globDir, '*.pb.gz')] }]);
  checkEq(r.result && r.result.paths, [path.join(globDir, 'a-bytes.pb.gz'), path.join(globDir, 'b-strings.pb.gz')],
          'loadProfile glob: expanded, sorted');
  checkEq(r.result && [r.result.total, r.result.lines], [plainSummary.total, plainSummary.lines],
          'loadProfile glob: the same merge');
  c.drain();
  r = await c.command('heatls.loadProfile', [{ paths: [path.join(globDir, '*.pprof')] }]);
  check(r.error && r.error.code === -32803 && /\*\.pprof: no file matches/.test(r.error.message),
        'loadProfile glob matching nothing: -32803 naming it', JSON.stringify(r));
  // Shown as every other failed load is (before the answer).
  check(c.shows().some((m) => m.params.type === 1 && /\*\.pprof: no file matches/.test(m.params.message)),
        'loadProfile glob matching nothing: window/showMessage naming it', JSON.stringify(c.shows()));

  // ---- compare with a base: the loaded profile is kept ----
  r = await c.command('heatls.loadProfile', [{ paths: newArgs }]);
  c.drain();
  r = await c.command('heatls.compare', [{ base: [FMT, STRCONV] }]);
  const info = cli('info', ...newArgs, ...baseArgs);
  const s = r.result || {};
  checkEq([s.diff, s.base, s.normalize, s.paths], [true, [FMT, STRCONV], false, newArgs],
          'compare: the summary says diff, the bases and the profiles');
  checkEq([s.regressions, s.improvements, s.lines], [diff.regressions, diff.improvements, diff.count],
          'compare: regressions, improvements and lines equal dump\'s');
  const baseLine = /^base total:\s+(\S+)/m.exec(info)[1];
  const netLine = /^net change:\s+(\S+) \((\S+)% of the base\)/m.exec(info);
  checkEq([s.baseTotalText, s.netText, `${s.netPercent >= 0 ? '+' : ''}${s.netPercent.toFixed(2)}`],
          [baseLine, netLine[1], netLine[2]], 'compare: base total, net and its share equal info\'s');
  checkEq(s.net, s.total - s.baseTotal, 'compare: net is total minus base total');
  const status = (await c.command('heatls.status', [])).result;
  checkEq(status, s, 'status answers the diff summary');

  for (const doc of DOCS) {
    const deco = await c.decorations(uriOf(doc));
    check(deco.diff === true, `compare: decorations of ${path.basename(doc)} say diff`);
    checkDecorations(deco, diff, doc, `compare: decorations of ${path.basename(doc)}`);
  }
  await checkHints(c, diff, DOCS[0], 'both', 'compare: hints of proc.go (both)');
  await checkHints(c, diff, DOCS[1], 'both', 'compare: hints of memmove_amd64.s (both)');

  // Hover: each function on a changed line, with both sides and the change.
  const byLine = linePoints(diff.points, DOCS[0]);
  const [hLine, hList] = [...byLine].find(([, l]) => l.some((p) => p.global < 0));
  const hover = (await c.request('textDocument/hover', {
    textDocument: { uri: uriOf(DOCS[0]) }, position: { line: hLine - 1, character: 0 } })).result;
  const hp = hList.find((p) => p.global < 0);
  const hoverText = hover ? hover.contents.value : '';
  check(hoverText.includes(`new: flat ${secs(hp.flat)}, cum ${secs(hp.cum)}`) &&
        hoverText.includes(`base: flat ${secs(hp.baseFlat)}, cum ${secs(hp.baseCum)}`) &&
        hoverText.includes(`cum ${signed(hp.cumDelta)}`) &&
        hoverText.includes(`own ${own(hp.cum, hp.baseCum)}`) &&
        hoverText.includes(`global level ${lvl(hp.global)}, local level ${lvl(hp.local)}`),
        'hover: new, base, change, own change and signed levels of an improved line', hoverText);

  // Code lenses: one per function of the document, its delta and both sides.
  const lenses = (await c.request('textDocument/codeLens', { textDocument: { uri: uriOf(DOCS[0]) } })).result;
  const fns = new Set(diff.points.filter((p) => p.file === DOCS[0] && p.line > 0).map((p) => p.fn));
  checkEq(lenses.length, fns.size, 'code lenses: one per function of proc.go');
  check(lenses.every((l) => /^cum [+-]\d+\.\d\ds \([+-]\d+\.\d% of base\) · new \d+\.\d\ds · base \d+\.\d\ds$/
    .test(l.command.title)), 'code lenses: "cum +D (+P% of base) · new N · base B"', lenses[0] && lenses[0].command.title);

  // Hotspots: the largest regressions, then drops, as heatls top lists them.
  for (const improvements of [false, true]) {
    const hs = (await c.command('heatls.hotspots', [{ limit: 15, improvements }])).result;
    const want = top(['-n', '15', ...(improvements ? ['-improvements'] : []), ...newArgs, ...baseArgs])
      .filter((t) => t.line > 0);
    const got = hs.map((h) => ({ global: h.global, local: h.local, delta: h.cumDeltaText, ofBase: h.ofBase,
                                 own: h.own, function: h.function, path: h.path, line: h.line + 1 }));
    checkEq(got, want.slice(0, got.length), `hotspots${improvements ? ' (improvements)' : ''}: equal heatls top`);
    check(got.length > 0, `hotspots${improvements ? ' (improvements)' : ''}: not empty`);
  }

  // The hints modes: global only.
  c.notify('workspace/didChangeConfiguration', { settings: { heatls: { hints: 'global' } } });
  await c.decorations(uriOf(DOCS[0]));
  await checkHints(c, diff, DOCS[0], 'global', 'hints mode global');
  c.notify('workspace/didChangeConfiguration', { settings: { heatls: { hints: 'both' } } });
  await c.decorations(uriOf(DOCS[0]));

  // ---- normalize: replaces the base ----
  c.drain();
  r = await c.command('heatls.compare', [{ base: [FMT, STRCONV], normalize: true }]);
  checkEq([r.result.normalize, r.result.baseTotal, r.result.regressions],
          [true, r.result.total, normalized.regressions], 'compare normalize: the base scaled to the total');
  checkDecorations(await c.decorations(uriOf(DOCS[0])), normalized, DOCS[0], 'compare normalize: decorations');
  await checkHints(c, normalized, DOCS[0], 'both', 'compare normalize: hints');

  // ---- errors keep the state ----
  const before = (await c.command('heatls.status', [])).result;
  const keeps = async (what) => checkEq((await c.command('heatls.status', [])).result, before,
                                        `${what}: the previous profile and base stay`);
  const failsWith = async (args, cmd, re, what) => {
    c.drain();
    const answer = await c.command(cmd, args);
    check(answer.error && answer.error.code === -32803 && re.test(answer.error.message),
          `${what}: -32803 naming the file and the reason`, JSON.stringify(answer));
    const shown = c.shows().concat(await Promise.race([
      c.wait((m) => m.method === 'window/showMessage', 'showMessage').then((m) => [m]).catch(() => [])]));
    check(shown.some((m) => m.params.type === 1 && re.test(m.params.message)),
          `${what}: window/showMessage with the same reason`);
    await keeps(what);
  };
  const esc = (p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await failsWith([{ paths: [BYTES, HEAP] }], 'heatls.loadProfile',
                  new RegExp(`${esc(HEAP)}: .*sample type "cpu"`), 'a sample type missing in one input');
  execFileSync(VARIANTS, ['--same', '--unit', 'nanoseconds=count', BYTES, path.join(TMP, 'count'), '1']);
  const count = path.join(TMP, 'count1.pb.gz');
  await failsWith([{ paths: [BYTES, count] }], 'heatls.loadProfile',
                  new RegExp(`${esc(count)}: .*sample type cpu is in count`), 'different units');
  const missing = path.join(TMP, 'missing.pb.gz');
  await failsWith([{ paths: [BYTES, STRINGS, missing, FMT, JSONP] }], 'heatls.loadProfile',
                  new RegExp(`${esc(missing)}: No such file or directory`), 'one unreadable input among five');
  await failsWith([{ base: HEAP }], 'heatls.compare',
                  new RegExp(`${esc(HEAP)}: .*sample type "cpu"`), 'a base of another sample type');
  await failsWith([{ paths: [BYTES], base: [FMT, HEAP] }], 'heatls.loadProfile',
                  new RegExp(`${esc(HEAP)}: .*sample type "cpu"`), 'loadProfile with a bad base');

  // Argument shapes.
  for (const [cmd, args] of [['heatls.compare', [42]], ['heatls.compare', [{ base: 7 }]],
                             ['heatls.compare', [{ base: [FMT], normalize: 'yes' }]],
                             ['heatls.loadProfile', [{ path: BYTES, paths: [STRINGS] }]],
                             ['heatls.loadProfile', [{ paths: [] }]],
                             ['heatls.loadProfile', [{ paths: [BYTES, ''] }]],
                             ['heatls.hotspots', [{ improvements: 1 }]]]) {
    const a = await c.command(cmd, args);
    check(a.error && a.error.code === -32602, `${cmd} ${JSON.stringify(args)}: -32602`, JSON.stringify(a));
  }
  await keeps('bad arguments');

  // ---- clearing the base keeps the loaded profile ----
  // (The first clears it; the others find none to clear.)
  c.drain();
  for (const clear of [[], [{}], [{ base: [] }]]) {
    r = await c.command('heatls.compare', clear);
    checkEq(r.result, { ...plainSummary, documents: r.result && r.result.documents },
            `compare ${JSON.stringify(clear)}: back to the merged profile`);
  }
  const deco = await c.decorations(uriOf(DOCS[0]));
  check(deco.diff === undefined && deco.lines.every((l) => l.local >= 0 && l.global >= 0 && l.cumDelta === undefined),
        'compare []: plain decorations again');
  const plainHints = (await c.request('textDocument/inlayHint', {
    textDocument: { uri: uriOf(DOCS[0]) }, range: { start: { line: 0, character: 0 }, end: { line: 99999, character: 0 } } })).result;
  check(plainHints.length > 0 && plainHints.every((h) => /^G\d L\d · \d+\.\d\ds$/.test(h.label)),
        'compare []: plain hints again', plainHints[0] && plainHints[0].label);

  // reloadProfile of a diff reads the profiles and the bases again.
  await c.command('heatls.compare', [{ base: FMT }]);
  r = await c.command('heatls.reloadProfile', []);
  checkEq([r.result.diff, r.result.base, r.result.paths], [true, [FMT], newArgs], 'reloadProfile keeps the base');

  // Without a loaded profile.
  await c.command('heatls.clearProfile', []);
  r = await c.command('heatls.compare', [{ base: FMT }]);
  check(r.error && r.error.code === -32803, 'compare without a loaded profile: -32803', JSON.stringify(r));
  await c.stop();

  // ---- the settings: profile as an array, base, normalize ----
  const s2 = new Client({ profile: newArgs, base: [FMT, STRCONV], normalize: true });
  await s2.start();
  openDocs(s2);
  const first = await s2.decorations(uriOf(DOCS[0])).catch(() => null);
  const waitSummary = async (pred, what) => {
    for (let i = 0; i < 200; i++) {
      const st = (await s2.command('heatls.status', [])).result;
      if (st && pred(st)) return st;
      await new Promise((res) => setTimeout(res, 50));
    }
    check(false, what);
    return null;
  };
  let st = await waitSummary((x) => x.diff, 'settings: the diff loads');
  if (st) checkEq([st.paths, st.base, st.normalize, st.regressions], [newArgs, [FMT, STRCONV], true, normalized.regressions],
                  'settings profile [..], base [..], normalize: the diff of the CLI');
  check(first !== null, 'settings: decorations sent');
  s2.notify('workspace/didChangeConfiguration', { settings: { heatls: { base: '' } } });
  st = await waitSummary((x) => !x.diff, 'settings base "": the base is cleared');
  if (st) checkEq([st.paths, st.lines], [newArgs, merged.count], 'settings base "": the merged profile stays');
  s2.notify('workspace/didChangeConfiguration', { settings: { heatls: { base: FMT, normalize: false } } });
  st = await waitSummary((x) => x.diff, 'settings base: a new base');
  if (st) checkEq([st.base, st.normalize, st.regressions], [[FMT], false, dump([...newArgs, '-base', FMT]).regressions],
                  'settings base FMT: the diff of the CLI');
  s2.drain();
  s2.notify('workspace/didChangeConfiguration', { settings: { heatls: { base: [1] } } });
  const warn = await s2.wait((m) => m.method === 'window/showMessage', 'a warning').catch(() => null);
  check(warn && /heatls\.base/.test(warn.params.message), 'settings base [1]: refused naming the key');
  await s2.stop();
}

main().then(() => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}, (e) => {
  console.error(`FAIL: ${e.stack || e}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
