// heatls search on a C program of ours profiled for real
// (testdata/programs/cwords: gperftools, then `go tool pprof -proto`): the
// profile names /home/ci/work/cwords/cwords.c, the checkout has
// testdata/programs/cwords/cwords.c. For each pattern, the matches
// `heatls search` keeps must be exactly those of `--min-level 0` that have
// a line with a global level >= 1 in `heatls dump` (any function's point),
// at thresholds 0.5 and 0.1; and some must be kept, some dropped. --cold
// must keep the others, --local --min-level 3 those with a line of local
// level >= 3, --hot $c those whose condition has a hot line.
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

function hotLines(threshold, column = 5, min = 1) {
  // dump: F lines name the function's file (column 6, a JSON string), P
  // lines are "P line flat cum local global" (local: column 4, global: 5).
  const hot = new Set();
  let file = '';
  for (const line of run(['dump', '-threshold', threshold, profile]).split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'F') file = JSON.parse(f[5]);
    if (f[0] === 'P' && Number(f[column]) >= min && file.endsWith('/cwords.c')) hot.add(Number(f[1]));
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
    const isHot = (set) => (m) => {
      for (let l = m.line; l <= m.end_line; l++) if (set.has(l)) return true;
      return false;
    };
    const want = all.filter(isHot(hot)).map(key).sort();
    const have = got.map(key).sort();
    // --cold is the rest; --local --min-level 3 uses local levels.
    const cold = JSON.parse(run([...flags, '--cold', profile, pattern, dir])).map(key).sort();
    const wantCold = all.filter((m) => !isHot(hot)(m)).map(key).sort();
    const local3 = hotLines(threshold, 4, 3);
    const local = JSON.parse(run([...flags, '--local', '--min-level', '3', profile, pattern, dir])).map(key).sort();
    const wantLocal = all.filter(isHot(local3)).map(key).sort();
    if (JSON.stringify(cold) !== JSON.stringify(wantCold) ||
        JSON.stringify(local) !== JSON.stringify(wantLocal)) {
      failed++;
      console.log(`FAIL t${threshold} ${kind} '${pattern}' --cold: ${cold.join(' ')} (want ${wantCold.join(' ')}); --local: ${local.join(' ')} (want ${wantLocal.join(' ')})`);
    }
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
  // --hot $c: only the condition's lines count. A while's condition starts
  // on its first line ("while (" + c), and spans c's newlines.
  {
    const flags = ['search', '--lang', 'c', '--format', 'json', '-threshold', threshold];
    const pattern = 'while ($c) $body;';
    const all = JSON.parse(run([...flags, '--min-level', '0', profile, pattern, dir]));
    const got = JSON.parse(run([...flags, '--hot', '$c', profile, pattern, dir]));
    const want = all.filter((m) => {
      if (!m.text.startsWith(`while (${m.captures.c}`)) throw new Error(`unexpected match ${m.text}`);
      const last = m.line + (m.captures.c.match(/\n/g) ?? []).length;
      for (let l = m.line; l <= last; l++) if (hot.has(l)) return true;
      return false;
    }).map((m) => m.line).sort();
    const wholeHot = all.filter((m) => {
      for (let l = m.line; l <= m.end_line; l++) if (hot.has(l)) return true;
      return false;
    }).length;
    const have = got.map((m) => m.line).sort();
    checked++;
    if (JSON.stringify(want) !== JSON.stringify(have) || want.length === wholeHot) {
      failed++;
      console.log(`FAIL t${threshold} --hot $c: want ${want.join(' ')}; got ${have.join(' ')} (whole-match hot: ${wholeHot})`);
    } else {
      console.log(`ok   t${threshold} --hot $c '${pattern}': ${have.length} hot conditions, ${wholeHot} hot loops`);
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
