// search_bench.mjs: profile-guided search and hot-path diagnostics in the
// language server, each next to a baseline measured in the same run. It
// prints; it never passes or fails on time.
//
//   diagnostics   the delay from a textDocument/didChange to the
//                 publishDiagnostics of that version (the debounce is
//                 300 ms), EDITS times, on testdata/programs/hoterr/main.go
//                 with its profile; each edit adds or removes the constant
//                 fmt.Errorf of line 27, so the list changes every time.
//                 Baseline: the debounce itself
//   search        heatls.search over a workspace of GOROOT_SRC (the whole Go
//                 standard library) with PROFILE, RUNS times (0 skips it),
//                 for two code patterns and a query, next to `heatls search`
//                 (the CLI) on the same folder, pattern and profile
//
// Usage: node search_bench.mjs HEATLS REPO GOROOT_SRC PROFILE [RUNS] [EDITS]
// Plain Node (no packages): frames JSON-RPC itself.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AnsweredLsp } from '../lsp/stdio_lsp.mjs';

const [heatlsArg, repoArg, gorootArg, profileArg, runsArg, editsArg] = process.argv.slice(2);
if (!heatlsArg || !repoArg || !gorootArg || !profileArg) {
  console.error('usage: node search_bench.mjs HEATLS REPO GOROOT_SRC PROFILE [RUNS] [EDITS]');
  process.exit(2);
}
const heatls = path.resolve(heatlsArg);
const repo = path.resolve(repoArg);
const goroot = path.resolve(gorootArg);
const profile = path.resolve(profileArg);
const RUNS = Number(runsArg || 3);
const EDITS = Number(editsArg || 20);

class Server extends AnsweredLsp {
  constructor() {
    super(heatls, ['--stdio', '--log-level', 'warn'], { stderr: 'inherit' });
  }
  async start(root) {
    await this.request('initialize', {
      processId: process.pid, rootUri: root ? `file://${root}` : null, capabilities: {},
      workspaceFolders: root ? [{ uri: `file://${root}`, name: 'bench' }] : null,
    });
    this.notify('initialized', {});
  }
  async load(file) {
    const answer = await this.request('workspace/executeCommand',
      { command: 'heatls.loadProfile', arguments: [file] });
    if (answer.error) throw new Error(`loadProfile ${file}: ${answer.error.message}`);
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const fmt = (x) => x.toFixed(0).padStart(7);

async function diagnostics() {
  const file = path.join(repo, 'testdata/programs/hoterr/main.go');
  const uri = `file://${file}`;
  const original = readFileSync(file, 'utf8');
  const lines = original.split('\n');
  const line = lines.findIndex((l) => l.includes('fmt.Errorf("empty field")'));
  if (line < 0) throw new Error(`no fmt.Errorf in ${file}`);
  const s = new Server();
  let last = { version: 0, count: 0, at: 0 };
  const seen = [];
  s.onNotification = (msg, at) => {
    if (msg.method === 'textDocument/publishDiagnostics' && msg.params.uri === uri) {
      last = { version: msg.params.version, count: msg.params.diagnostics.length, at };
      seen.push(last);
    }
  };
  await s.start(path.dirname(file));
  s.notify('textDocument/didOpen',
    { textDocument: { uri, languageId: 'go', version: 1, text: original } });
  await s.load(path.join(repo, 'testdata/programs/hoterr/cpu.pb.gz'));
  while (last.count === 0) await new Promise((r) => setTimeout(r, 5));
  const delays = [];
  let version = 1;
  for (let i = 0; i < EDITS; i++) {
    version++;
    const text = i % 2 === 0 ? lines[line].replace('fmt.Errorf("empty field")', 'errEmpty') : lines[line];
    const sent = performance.now();
    s.notify('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: lines[line].length } }, text }],
    });
    const v = version;
    while (last.version !== v) await new Promise((r) => setTimeout(r, 1));
    delays.push(last.at - sent);
    lines[line] = text;
  }
  await s.close();
  console.log(`didChange -> publishDiagnostics (${EDITS} edits)   median ${fmt(median(delays))} ms` +
    `  min ${fmt(Math.min(...delays))} ms  max ${fmt(Math.max(...delays))} ms` +
    `   | baseline: the 300 ms debounce; over it ${fmt(median(delays) - 300)} ms`);
}

async function search() {
  const cases = [
    { name: 'pattern $x = append($x, $*_), hot', args: { pattern: '$x = append($x, $*_)', kind: 'pattern', minLevel: 1 },
      cli: ['$x = append($x, $*_)'] },
    { name: 'pattern append($*_), every match', args: { pattern: 'append($*_)', kind: 'pattern', minLevel: 0, limit: 100000 },
      cli: ['--min-level', '0', 'append($*_)'] },
    { name: 'query #eq? @a @b',
      args: { pattern: '((call_expression function: (selector_expression operand: (identifier) @a field: (field_identifier) @b)) (#eq? @a @b))', kind: 'query', language: 'go', minLevel: 0 },
      cli: ['--lang', 'go', '--min-level', '0', '--query', '((call_expression function: (selector_expression operand: (identifier) @a field: (field_identifier) @b)) (#eq? @a @b))'] },
  ];
  const s = new Server();
  await s.start(goroot);
  await s.load(profile);
  for (const c of cases) {
    const lsp = [];
    const cli = [];
    let found = 0;
    let cliFound = 0;
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      const answer = await s.request('workspace/executeCommand',
        { command: 'heatls.search', arguments: [{ scope: 'workspace', ...c.args }] });
      lsp.push(performance.now() - t);
      if (answer.error) throw new Error(`heatls.search ${c.name}: ${answer.error.message}`);
      found = answer.result.length;
      t = performance.now();
      const r = spawnSync(heatls, ['search', ...c.cli.slice(0, -1), profile, c.cli[c.cli.length - 1], goroot],
        { encoding: 'utf8', maxBuffer: 1 << 28 });
      cli.push(performance.now() - t);
      if (r.status > 1) throw new Error(`heatls search ${c.name}: ${r.stderr}`);
      cliFound = r.stdout.split('\n').filter(Boolean).length;
    }
    console.log(`${c.name.padEnd(36)} heatls.search median ${fmt(median(lsp))} ms (${found} matches)` +
      `   | heatls search (CLI) median ${fmt(median(cli))} ms (${cliFound} lines)`);
  }
  await s.close();
}

await diagnostics();
if (RUNS > 0) await search();
