#!/usr/bin/env node
// A stand-in for `flowc lsp` in the Neovim check: answers `initialize` and `shutdown`,
// and appends what it saw (arguments, root, methods) to $FLOWC_FAKE_LOG.
'use strict';
const fs = require('fs');
const log = (line) => fs.appendFileSync(process.env.FLOWC_FAKE_LOG, line + '\n');
log('argv ' + process.argv.slice(2).join(' '));
let buffer = Buffer.alloc(0);
const send = (message) => {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }));
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
};
process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.slice(0, headerEnd).toString())[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buffer.slice(headerEnd + 4, headerEnd + 4 + length).toString());
    buffer = buffer.slice(headerEnd + 4 + length);
    log('method ' + message.method);
    if (message.method === 'initialize') {
      log('root ' + message.params.rootUri);
      send({ id: message.id, result: { capabilities: { textDocumentSync: 1 } } });
    } else if (message.method === 'shutdown') {
      send({ id: message.id, result: null });
    } else if (message.method === 'exit') {
      process.exit(0);
    }
  }
});
