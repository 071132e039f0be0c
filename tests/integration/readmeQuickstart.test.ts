/**
 * The README's quick start, run as a user pastes it: its shell blocks, in order, in one bash, against
 * the embedded host started the way the README starts it (its settings, on a free port). Each curl's
 * HTTP status must be the one the `# → NNN` line after it announces, so the README cannot drift.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHostProcess, type HostProcess } from '../fixtures/hostProcess';

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const README_HOST = 'http://127.0.0.1:7071';
/** The local callback receiver's port, where it listens and where callbacks are sent. */
const README_RECEIVER = [/\.listen\(8080\b/g, /127\.0\.0\.1:8080\b/g] as const;

function quickStart(): { startEnv: Record<string, string>; script: string; expected: number[]; curls: number } {
  const from = README.indexOf('\n## Quick start\n');
  const to = README.indexOf('\n## ', from + 1);
  expect(from).toBeGreaterThan(-1);
  const section = README.slice(from, to);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  // Blocks of npm commands are the setup (run by this test its own way); the rest are the examples.
  const startBlock = blocks.find((b) => /\bnpm start\b/.test(b));
  expect(startBlock).toBeDefined();
  // The settings the start block exports (or puts before npm start) are the host's.
  const settings = startBlock!
    .split('\n')
    .filter((l) => /^export /.test(l) || /\bnpm start\b/.test(l))
    .map((l) => l.replace(/#.*$/, ''));
  const startEnv = Object.fromEntries(settings.flatMap((l) => [...l.matchAll(/\b([A-Z_]+)=(\S+)/g)]).map((m) => [m[1]!, m[2]!]));
  const examples = blocks.filter((b) => !/^npm /m.test(b) && !/\bnpm (start|test|install)\b/.test(b)).join('\n');
  const expected = [...examples.matchAll(/^# → (\d{3})\b/gm)].map((m) => Number(m[1]));
  const curls = [...examples.matchAll(/\bcurl -s\b/g)].length;
  return { startEnv, script: examples, expected, curls };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** bash with curl wrapped: every call's status goes to $STATUS_LOG, the body to stdout as usual. */
const PREAMBLE = `set -eo pipefail
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
curl() {
  local body code
  body=$(mktemp)
  code=$(command curl -o "$body" -w '%{http_code}' "$@") || { echo "curl failed: $*" >&2; rm -f "$body"; return 1; }
  echo "$code" >> "$STATUS_LOG"
  cat "$body"
  rm -f "$body"
}
`;

describe('README quick start', () => {
  let dir: string;
  let host: HostProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dfs-readme-'));
  });
  afterAll(async () => {
    await host?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('curl is installed (the quick start uses it)', () => {
    expect({ curl: spawnSync('bash', ['-c', 'command -v curl']).status === 0 }).toEqual({ curl: true });
  });

  test('every curl of the examples announces its status', () => {
    const { startEnv, expected, curls } = quickStart();
    expect(Object.keys(startEnv).sort()).toEqual(['ADMIN_API_KEY', 'DEV_API_KEY']);
    expect(curls).toBeGreaterThanOrEqual(15);
    expect(expected).toHaveLength(curls);
  });

  test('pasted in order, every command works and answers the status it announces', async () => {
    const { startEnv, script, expected } = quickStart();
    host = await startHostProcess({ DATA_DIR: dir, ...startEnv });
    const receiverPort = await freePort();
    const runnable = script
      .replaceAll(README_HOST, host.url)
      .replace(README_RECEIVER[0], `.listen(${receiverPort}`)
      .replace(README_RECEIVER[1], `127.0.0.1:${receiverPort}`);
    expect(runnable).not.toContain('8080');
    const statusLog = join(dir, 'statuses');
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', PREAMBLE + runnable], { env: { ...process.env, STATUS_LOG: statusLog } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
    const statuses = readFileSync(statusLog, 'utf8').trim().split('\n').map(Number);
    expect({ code: run.code, stderr: run.stderr, statuses }).toEqual({ code: 0, stderr: '', statuses: expected });
    // The local receiver got the per-message callback (offline: no outside domain).
    expect(run.stdout).toMatch(/callback: \{.*"order":"1042"/);
  }, 60_000);
});
