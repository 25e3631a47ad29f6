// stdio_lsp.mjs: a language server as a child process spoken to over its
// stdio, for the plain-Node tests and benchmarks (no packages):
// Content-Length frames both ways, each request of the server's answered
// with a null result. A client extends StdioLsp and keeps the messages as
// it needs in received(msg), or uses AnsweredLsp.

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export class StdioLsp {
  // stderr: 'keep' (into this.stderr), 'pipe' (this.child.stderr, for the
  // caller to read) or 'inherit'.
  constructor(bin, args = [], { stderr = 'keep' } = {}) {
    this.child = spawn(bin, args, { stdio: ['pipe', 'pipe', stderr === 'inherit' ? 'inherit' : 'pipe'] });
    this.buf = Buffer.alloc(0);
    this.stderr = '';
    this.nextId = 1;
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
    if (stderr === 'keep') this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.child.stdout.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.parse(); });
  }
  parse() {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(this.buf.slice(0, end).toString())[1]);
      if (this.buf.length < end + 4 + len) return;
      const msg = JSON.parse(this.buf.slice(end + 4, end + 4 + len).toString());
      this.buf = this.buf.slice(end + 4 + len);
      if (msg.method && msg.id !== undefined) // a request of the server's
        this.send({ jsonrpc: '2.0', id: msg.id, result: null });
      this.received(msg);
    }
  }
  // Each message of the server's, in order; for the subclass.
  received(msg) {} // eslint-disable-line no-unused-vars
  send(msg) {
    const body = Buffer.from(JSON.stringify(msg));
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }
  notify(method, params) { this.send({ jsonrpc: '2.0', method, params }); }
}

// request() resolves to the answer; each notification of the server's goes
// to onNotification(msg, the performance.now() it came at).
export class AnsweredLsp extends StdioLsp {
  constructor(bin, args, options) {
    super(bin, args, options);
    this.waiting = new Map();
    this.onNotification = () => undefined;
  }
  received(msg) {
    if (msg.method && msg.id !== undefined) return; // answered already
    if (msg.method) this.onNotification(msg, performance.now());
    else if (this.waiting.has(msg.id)) {
      this.waiting.get(msg.id)(msg);
      this.waiting.delete(msg.id);
    }
  }
  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }
  async close() {
    await this.request('shutdown');
    this.notify('exit');
    await this.exited;
  }
}
