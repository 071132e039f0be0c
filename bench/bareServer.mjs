// Baseline: a bare node:http server that reads the body and answers 202 with a small JSON body.
import http from 'node:http';

const body = JSON.stringify({ id: 'msg_baseline', status: 'queued' });
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`running at http://127.0.0.1:${server.address().port} \n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
