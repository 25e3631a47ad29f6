// heatls search against the real gogrep: for one package folder of
// HEATLS_SHARED_DIR/search (README.md there) and each pattern of
// patterns.tsv, `heatls search --min-level 0` over the package's Go
// sources must find exactly gogrep's matches (file, first line, last line),
// and `heatls search -threshold T` exactly the hot subset at T = 0.5 and
// 0.1. gogrep was told to skip _test.go files, testdata/ and dot folders;
// heatls walks the package folder itself and the same files are dropped
// from its output, so the walk is tested too.
//
// usage: node gogrep.test.mjs HEATLS SHARED_SEARCH_DIR GOLDEN_DIR GOROOT_SRC PKG
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [heatls, shared, golden, goroot, pkg] = process.argv.slice(2);
if (!pkg) {
  console.error('usage: gogrep.test.mjs HEATLS SHARED_SEARCH_DIR GOLDEN_DIR GOROOT_SRC PKG');
  process.exit(2);
}
const importPaths = {
  bytes: 'bytes', strings: 'strings', strconv: 'strconv', fmt: 'fmt',
  bufio: 'bufio', sort: 'sort', json: 'encoding/json', flate: 'compress/flate',
  big: 'math/big', utf8: 'unicode/utf8',
};
const dir = path.join(goroot, importPaths[pkg] ?? pkg);
const profile = path.join(golden, pkg, `${pkg}.pb.gz`);
const patterns = readFileSync(path.join(shared, 'patterns.tsv'), 'utf8')
  .split('\n').filter(Boolean).map((l) => {
    const tab = l.indexOf('\t');
    return { id: l.slice(0, tab), text: l.slice(tab + 1) };
  });

// Rows are (file, first line, last line, first line's text); gogrep's
// recorded output has one row per distinct row, so heatls's rows are
// collapsed the same way before comparing (docs/search.md).
function expected(file) {
  return [...new Set(readFileSync(path.join(shared, pkg, file), 'utf8').split('\n')
    .filter(Boolean))].sort();
}

const excluded = (rel) =>
  /_test\.go$/.test(rel) || /(^|\/)testdata\//.test(rel) || /(^|\/)\.[^/]+\//.test(rel);

function search(pattern, flags) {
  const r = spawnSync(heatls, ['search', '--format', 'json', ...flags, profile, pattern, dir],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`heatls search ${flags.join(' ')} '${pattern}': exit ${r.status}: ${r.stderr}`);
  }
  const rows = JSON.parse(r.stdout);
  if ((rows.length > 0) !== (r.status === 0)) {
    throw new Error(`exit ${r.status} with ${rows.length} matches`);
  }
  const out = rows.map((m) => [path.relative(dir, m.file), m.line, m.end_line,
    m.text.split('\n')[0].replace(/\r$/, '')])
    .filter(([rel]) => !excluded(rel)).map((m) => m.join('\t'));
  return [...new Set(out)].sort();
}

function diff(want, got) {
  const count = (xs) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map());
  const w = count(want), g = count(got), out = [];
  for (const [k, n] of w) if ((g.get(k) ?? 0) < n) out.push(`  missing: ${k}`);
  for (const [k, n] of g) if ((w.get(k) ?? 0) < n) out.push(`  extra:   ${k}`);
  return out;
}

let failed = 0, checked = 0;
for (const p of patterns) {
  const cases = [
    ['all', ['--min-level', '0'], `${p.id}.all.tsv`],
    ['hot t0.5', ['-threshold', '0.5'], `${p.id}.hot.t0.5.tsv`],
    ['hot t0.1', ['-threshold', '0.1'], `${p.id}.hot.t0.1.tsv`],
  ];
  for (const [what, flags, file] of cases) {
    const want = expected(file);
    const got = search(p.text, flags);
    const d = diff(want, got);
    checked++;
    if (d.length) {
      failed++;
      console.log(`FAIL ${pkg} #${p.id} ${what} '${p.text}': want ${want.length}, got ${got.length}`);
      console.log(d.slice(0, 20).join('\n'));
    } else {
      console.log(`ok   ${pkg} #${p.id} ${what} '${p.text}': ${got.length}`);
    }
  }
}
console.log(`${checked - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
