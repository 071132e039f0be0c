import type { Config } from '../config/config';

/** What Node's net/fs and better-sqlite3 put on the errors a start can meet. */
interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
}

const SQLITE_DATA_DIR_CODES = /^SQLITE_(CANTOPEN|READONLY|IOERR|NOTADB|CORRUPT|FULL|PERM|AUTH)/;

/**
 * The one line that tells what to change when the embedded host cannot start for a reason the
 * operator can fix (a port in use, a folder it cannot write), or null for anything else (a bug:
 * those keep their details). Settings themselves are checked earlier, by loadConfig (ConfigError).
 */
export function explainStartFailure(err: unknown, config: Config): string | null {
  const e = err as SystemError;
  const code = e?.code ?? '';
  if (e?.syscall === 'listen' || e?.syscall === 'bind' || e?.syscall === 'getaddrinfo') {
    if (code === 'EADDRINUSE')
      return `PORT ${config.port} is already in use on ${config.host}: set PORT to a free port (or stop the process using it)`;
    if (code === 'EACCES') return `PORT ${config.port} needs privileges this user lacks: set PORT to a port from 1024 to 65535`;
    if (code === 'EADDRNOTAVAIL')
      return `HOST ${config.host} is not an address of this machine: set HOST to 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces)`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return `HOST ${config.host} does not resolve to an address: set HOST to 127.0.0.1 or 0.0.0.0`;
  }
  if (config.storage === 'sqlite') {
    const inDataDir =
      typeof e?.path === 'string' &&
      (e.path === config.dataDir || e.path.startsWith(`${config.dataDir}/`) || config.dataDir.startsWith(`${e.path}/`));
    if ((inDataDir && /^E[A-Z]+$/.test(code)) || SQLITE_DATA_DIR_CODES.test(code)) {
      return `DATA_DIR ${config.dataDir} cannot hold the database (${code}: ${e.message.split('\n')[0]}): set DATA_DIR to a folder this user can create and write`;
    }
  }
  return null;
}
