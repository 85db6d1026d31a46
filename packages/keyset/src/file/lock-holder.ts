import { hostname } from 'node:os';

/**
 * What a keyset lock file says of its holder, for the error another writer gets: `pid token
 * host time` (older locks hold only `pid token`). On the same host the process is looked up:
 * " (process 4242 on host a, since 2026-12-02T09:00:00.000Z; no such process is running: the lock
 * is stale)". Lock contents are not secret; anything unreadable yields "".
 */
export function describeLockHolder(content: string): string {
  const [pidText, , host, since] = content.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return '';
  const where = host ? ` on host ${printable(host)}` : '';
  const when = since && !Number.isNaN(Date.parse(since)) ? `, since ${printable(since)}` : '';
  const sameHost = host === hostname();
  // A live pid may be another program that reused the number: only "not running" is conclusive.
  const state = sameHost
    ? `; ${isRunning(pid) ? 'a process with that id is running' : 'no such process is running: the lock is stale'}`
    : '';
  return ` (process ${pid}${where}${when}${state})`;
}

/** Signal 0 checks that the process exists; EPERM means it does, owned by another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A host name as written by another machine: never control characters in our message. */
function printable(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, '?').slice(0, 255);
}
