// heatls search on a C program of ours profiled for real
// (testdata/programs/cwords: gperftools, then `go tool pprof -proto`): the
// profile names /home/ci/work/cwords/cwords.c, the checkout has
// testdata/programs/cwords/cwords.c. For each pattern, the matches
// `heatls search` keeps must be exactly those of `--min-level 0` that have
// a line with a global level >= 1 in `heatls dump` (any function's point),
// at thresholds 0.5 and 0.1; and some must be kept, some dropped.
//
// usage: node c_profile.test.mjs HEATLS TESTDATA
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const [heatls, testdata] = process.argv.slice(2);
const dir = path.join(testdata, 'programs', 'cwords');
const profile = path.join(dir, 'cpu.pb.gz');
const cases = [
  ['pattern', 'while ($c) $body;'],
  ['pattern', 'for ($a; $b; $c) $body;'],
  ['pattern', '$x++'],
  ['pattern', '$f($*_)'],
  ['query', '((call_expression function: (identifier) @f) @call (#match? @f "^(memcpy|memcmp|strlen|hash)$"))'],
];

function run(args) {
  const r = spawnSync(heatls, args, { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`heatls ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  }
  return r.stdout;
}

function hotLines(threshold) {
  // dump: F lines name the function's file (column 6, a JSON string), P
  // lines are "P line flat cum local global".
  const hot = new Set();
  let file = '';
  for (const line of run(['dump', '-threshold', threshold, profile]).split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'F') file = JSON.parse(f[5]);
    if (f[0] === 'P' && Number(f[5]) >= 1 && file.endsWith('/cwords.c')) hot.add(Number(f[1]));
  }
  return hot;
}

let failed = 0, checked = 0;
for (const threshold of ['0.5', '0.1']) {
  const hot = hotLines(threshold);
  let kept = 0, dropped = 0;
  for (const [kind, pattern] of cases) {
    const flags = ['search', '--lang', 'c', '--format', 'json', '-threshold', threshold];
    if (kind === 'query') flags.push('--query');
    const all = JSON.parse(run([...flags, '--min-level', '0', profile, pattern, dir]));
    const got = JSON.parse(run([...flags, profile, pattern, dir]));
    const key = (m) => `${m.line}-${m.end_line}@${m.start}`;
    const want = all.filter((m) => {
      for (let l = m.line; l <= m.end_line; l++) if (hot.has(l)) return true;
      return false;
    }).map(key).sort();
    const have = got.map(key).sort();
    checked++;
    kept += want.length;
    dropped += all.length - want.length;
    if (JSON.stringify(want) !== JSON.stringify(have) || all.length === 0) {
      failed++;
      console.log(`FAIL t${threshold} ${kind} '${pattern}': want ${want.join(' ')}; got ${have.join(' ')} (of ${all.length})`);
    } else {
      console.log(`ok   t${threshold} ${kind} '${pattern}': ${have.length} hot of ${all.length}`);
    }
  }
  checked++;
  if (kept === 0 || dropped === 0) {
    failed++;
    console.log(`FAIL t${threshold}: the filter kept ${kept} and dropped ${dropped}`);
  }
}
console.log(`${checked - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
