// Baseline for bench:webhooks: a bare node:http sender POSTing the same number of signed JSON
// bodies to the same receivers over keep-alive connections, with nothing stored and no queue.
// Reads RECEIVER_URLS (comma separated), EVENTS and CONCURRENCY; prints "done" when finished.
import { createHmac } from 'node:crypto';
import http from 'node:http';

const urls = process.env.RECEIVER_URLS.split(',');
const events = Number(process.env.EVENTS);
const concurrency = Number(process.env.CONCURRENCY ?? 256);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const secret = 'baseline-secret';

function post(url, i) {
  const body = JSON.stringify({
    id: `evt_${i}`,
    type: 'sms.received',
    timestamp: new Date().toISOString(),
    data: { from: '+14155559999', text: 'STATUS please' },
  });
  const ts = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', secret).update(`evt_${i}.${ts}.${body}`).digest('base64');
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'webhook-id': `evt_${i}`,
          'webhook-timestamp': String(ts),
          'webhook-signature': `v1,${signature}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const jobs = [];
for (let e = 0; e < events; e++) for (const url of urls) jobs.push([url, e]);
let next = 0;
async function lane() {
  while (next < jobs.length) {
    const [url, e] = jobs[next++];
    await post(url, e);
  }
}
process.stdout.write('running at http://baseline \n');
await Promise.all(Array.from({ length: concurrency }, lane));
agent.destroy();
process.stdout.write('done\n');
