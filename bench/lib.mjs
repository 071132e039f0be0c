// Shared helpers of the bench scripts: child-process servers and autocannon runs.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';

/** Starts a Node script as a child process and resolves once it prints its base URL. */
export function startServer(script, env, pattern = /running at (http:\/\/[^\s]+?)(\/api)?\s/) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m) resolve({ child, url: m[1], stop: () => stop(child) });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited (${code}): ${out}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

export function load(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export const fmt = (n, digits = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
