// net_lsp.mjs: what the language server's net tests share (plain Node, no
// packages): the checks and their count, a stand-in service started on
// 127.0.0.1, heatls over stdio with every message kept, and the end.
// HEATLS_NET_SLOW=1 (valgrind) waits longer.

import { spawn } from 'node:child_process';
import { StdioLsp } from '../lsp/stdio_lsp.mjs';

export const SLOW = process.env.HEATLS_NET_SLOW ? 10 : 1;
const count = { passed: 0, failed: 0 };
const children = [];

export function check(ok, what, detail = '') {
  if (ok) count.passed++;
  else { count.failed++; console.error(`FAIL: ${what}${detail ? ': ' + detail : ''}`); }
}

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// The service bin with args; resolves to its port. It ends when our stdin
// pipe to it closes (at exit) or after its -life.
export function startService(bin, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-life', '170s', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${bin} did not start`)), 10000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
}

// heatls with every message it sent kept in messages, each with the time
// it came (at, ms).
export class Server extends StdioLsp {
  constructor(bin) {
    super(bin, []);
    children.push(this.child);
    this.messages = [];
    this.waiters = [];
  }
  received(msg) {
    msg.at = Date.now();
    this.messages.push(msg);
    this.waiters = this.waiters.filter((w) => !w.test(msg) || (w.resolve(msg), false));
  }
  request(method, params) {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return id;
  }
  // The first message from index `from` on that passes test, or null after
  // ms (times SLOW).
  wait(test, ms = 10000, from = 0) {
    const seen = this.messages.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const w = { test, resolve };
      this.waiters.push(w);
      setTimeout(() => { this.waiters = this.waiters.filter((x) => x !== w); resolve(null); }, ms * SLOW);
    });
  }
  reply(id, ms) { return this.wait((m) => m.id === id && !m.method, ms); }
  async call(method, params, ms) { return this.reply(this.request(method, params), ms); }
  command(command, args, token) {
    const params = { command, arguments: args };
    if (token) params.workDoneToken = token;
    return this.request('workspace/executeCommand', params);
  }
  progress(token) {
    return this.messages.filter((m) => m.method === '$/progress' && m.params.token === token)
      .map((m) => m.params.value);
  }
}

// The path heatls.status names, or null.
export async function status(s) {
  const r = await s.call('workspace/executeCommand', { command: 'heatls.status', arguments: [] });
  return r && r.result ? r.result.path : null;
}

// Runs main, a throw a failed check; stops every child, runs cleanup, prints
// "N passed, M failed" and exits 1 on any failure.
export async function run(main, cleanup = () => {}) {
  try {
    await main();
  } catch (e) {
    check(false, 'exception', e.stack);
  }
  for (const c of children) c.kill();
  cleanup();
  console.log(`${count.passed} passed, ${count.failed} failed`);
  process.exit(count.failed ? 1 : 0);
}
