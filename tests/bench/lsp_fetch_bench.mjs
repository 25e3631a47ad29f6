#!/usr/bin/env node
// lsp_fetch_bench.mjs: the language server loading one profile from a URL
// and, in a second session, from disk: the time from the request to the
// answer (decorations go out just before it) and heatls's peak RSS
// (VmHWM) after each. Figures only, never a pass/fail.
//
//   node lsp_fetch_bench.mjs HEATLS URL FILE
// (tools/bench-fetch.sh runs it with the large benchmark profile.)

import { spawn } from 'node:child_process';
import fs from 'node:fs';

const [heatls, url, file] = process.argv.slice(2);

function session(path) {
  return new Promise((resolve) => {
    const child = spawn(heatls, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = Buffer.alloc(0);
    let sent = 0;
    const send = (msg) => {
      const body = Buffer.from(JSON.stringify(msg));
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    child.stdout.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(buf.slice(0, end).toString())[1]);
        if (buf.length < end + 4 + len) return;
        const msg = JSON.parse(buf.slice(end + 4, end + 4 + len).toString());
        buf = buf.slice(end + 4 + len);
        if (msg.id === 1) {
          send({ jsonrpc: '2.0', method: 'initialized', params: {} });
          sent = Date.now();
          send({ jsonrpc: '2.0', id: 2, method: 'workspace/executeCommand',
                 params: { command: 'heatls.loadProfile', arguments: [path] } });
        } else if (msg.id === 2) {
          const ms = Date.now() - sent;
          const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const hwm = /VmHWM:\s+(\d+)/.exec(status)[1];
          send({ jsonrpc: '2.0', id: 3, method: 'shutdown', params: null });
          send({ jsonrpc: '2.0', method: 'exit', params: null });
          resolve({ ms, hwm: Number(hwm), ok: Boolean(msg.result),
                    error: msg.error && msg.error.message });
        }
      }
    });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize',
           params: { processId: null, rootUri: null, capabilities: {} } });
  });
}

for (const [what, path] of [['url', url], ['file', file]]) {
  const r = await session(path);
  console.log(`language server, ${what}: ${r.ok ? 'loaded' : 'failed: ' + r.error} ` +
    `in ${r.ms} ms, peak RSS ${(r.hwm / 1024).toFixed(1)} MiB`);
}
