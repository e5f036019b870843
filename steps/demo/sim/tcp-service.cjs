// The demo lab's stand-in for a network service such as smbd: a tiny TCP server on 127.0.0.1.
//   node tcp-service.cjs TAG PORT PIDFILE
// Writes its pid to PIDFILE once it listens (so "pid file there" means "accepting connections"),
// answers every connection with one line, and exits by itself after 15 minutes, so that an
// interrupted demo leaves nothing running for long.
const fs = require('node:fs');
const net = require('node:net');

const [tag, port, pidFile] = process.argv.slice(2);
if (!tag || !Number.isInteger(Number(port)) || !pidFile) {
  console.error('usage: node tcp-service.cjs TAG PORT PIDFILE');
  process.exit(2);
}
const server = net.createServer((socket) => {
  socket.on('error', () => {});
  socket.end(`${tag} ready\n`);
});
server.on('error', (error) => {
  console.error(`${tag}: ${error.message}`);
  process.exit(1);
});
server.listen(Number(port), '127.0.0.1', () => {
  fs.writeFileSync(`${pidFile}.new`, String(process.pid));
  fs.renameSync(`${pidFile}.new`, pidFile);
  console.log(`${tag}: listening on 127.0.0.1:${port}`);
});
setTimeout(() => process.exit(0), 15 * 60 * 1000);
