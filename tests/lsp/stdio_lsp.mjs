// stdio_lsp.mjs: a language server as a child process spoken to over its
// stdio, for the plain-Node tests (no packages): Content-Length frames both
// ways, each request of the server's answered with a null result. A test's
// client extends it and keeps the messages as it needs in received(msg).

import { spawn } from 'node:child_process';

export class StdioLsp {
  constructor(bin, args = []) {
    this.child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.buf = Buffer.alloc(0);
    this.stderr = '';
    this.nextId = 1;
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
    this.child.stderr.on('data', (d) => { this.stderr += d; });
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
