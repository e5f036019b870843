// A lab guest "booted" by the qm/pct stand-ins: a tiny HTTP server on the guest's address, so a
// client can tell the guest is up. Home Assistant answers /manifest.json like the real one.
//   node http-guest.mjs NAME ADDRESS PORT
import http from 'node:http';

const [name, address, port] = process.argv.slice(2);
if (!name || !address || !port) {
  console.error('usage: http-guest.mjs NAME ADDRESS PORT');
  process.exit(2);
}

const manifest = JSON.stringify({
  name: 'Home Assistant',
  short_name: 'Home Assistant',
  start_url: '/?homescreen=1',
  display: 'standalone',
  theme_color: '#03A9F4',
  background_color: '#FFFFFF',
});

const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (name === 'homeassistant' && path === '/manifest.json') {
    res.writeHead(200, { 'content-type': 'application/manifest+json' });
    res.end(manifest);
  } else if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${name}: lab guest running\n`);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404: Not Found\n');
  }
});
server.listen(Number(port), address, () => console.log(`${name} listening on ${address}:${port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
