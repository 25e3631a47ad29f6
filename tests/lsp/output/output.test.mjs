#!/usr/bin/env node
// output.test.mjs: how heatls writes to a client that reads slowly, or not
// at all (docs/protocol.md, "Output"). Plain Node 20, no packages.
//
//   node output.test.mjs HEATLS
//
// 1. A client that stops reading: heatls keeps serving until the output
//    waiting for the client passes --max-output, then ends the session
//    (exit 1, one line on stderr) instead of blocking or growing.
// 2. A client that reads late: nothing is lost and the answers come in the
//    order of the requests.
// The last line printed is "N passed, M failed".
import { spawn } from 'node:child_process';

const heatls = process.argv[2];
if (!heatls) {
  console.error('usage: node output.test.mjs HEATLS');
  process.exit(2);
}
let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}`);
}

function frame(obj) {
  const body = Buffer.from(JSON.stringify(obj));
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

// COUNT requests that heatls answers at once with an error (it is not
// initialized), about 100 bytes each.
const COUNT = 20000;
function requests() {
  const parts = [];
  for (let id = 1; id <= COUNT; id++)
    parts.push(frame({ jsonrpc: '2.0', id, method: 'textDocument/hover', params: {} }));
  return Buffer.concat(parts);
}

function exitOf(child, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ timeout: true }), ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

async function stalled() {
  const child = spawn(heatls, ['--max-output', '256K'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.pause(); // never read: the pipe and Node's buffer fill up
  child.stdin.on('error', () => {}); // heatls may be gone before all is written
  child.stdin.write(requests());
  const end = await exitOf(child, 15000);
  if (end.timeout) child.kill('SIGKILL');
  check(!end.timeout, 'heatls ends by itself when the client stops reading');
  check(end.code === 1, `it exits with status 1 (got ${end.code}, signal ${end.signal})`);
  check(/stopped reading/.test(stderr), 'stderr says the client stopped reading');
}

async function slow() {
  const child = spawn(heatls, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.resume();
  child.stdout.pause();
  child.stdin.write(requests());
  await new Promise((r) => setTimeout(r, 500)); // the client is busy
  const chunks = [];
  child.stdout.on('data', (d) => chunks.push(d));
  child.stdout.resume();
  // Every answer arrives; then a clean exit.
  const deadline = Date.now() + 15000;
  const ids = [];
  let buf = Buffer.alloc(0);
  while (ids.length < COUNT && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    buf = Buffer.concat([buf, ...chunks.splice(0)]);
    for (;;) {
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) break;
      const m = /Content-Length: (\d+)/.exec(buf.subarray(0, head).toString());
      const len = Number(m[1]);
      if (buf.length < head + 4 + len) break;
      ids.push(JSON.parse(buf.subarray(head + 4, head + 4 + len).toString()).id);
      buf = buf.subarray(head + 4 + len);
    }
  }
  check(ids.length === COUNT, `all ${COUNT} answers arrive (got ${ids.length})`);
  check(ids.every((id, i) => id === i + 1), 'in the order of the requests');
  child.stdin.end();
  const end = await exitOf(child, 5000);
  if (end.timeout) child.kill('SIGKILL');
  check(end.code === 1, `the end of input before initialize exits 1 (got ${end.code})`);
}

await stalled();
await slow();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
