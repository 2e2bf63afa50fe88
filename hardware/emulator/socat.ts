/**
 * A pty pair from socat (environment-notes.md, "Serial"): one end for the emulator, one for the
 * host. Ptys ignore the baud rate (the reader paces its own bytes), DTR/RTS ioctls fail on
 * them, and killing socat makes a port open on either end emit `close` with
 * `disconnected: true`: that is how the emulator plays "reader unplugged".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SOCAT_PATH = '/usr/bin/socat';

export interface SocatOptions {
  /** Where the links go (default: a new temp dir). */
  readonly dir?: string;
  readonly hostPath?: string;
  readonly readerPath?: string;
  readonly socatPath?: string;
  readonly timeoutMs?: number;
}

export interface SocatPair {
  readonly hostPath: string;
  readonly readerPath: string;
  readonly pid: number;
  /** Resolves when socat exits, however it exits. */
  readonly exited: Promise<void>;
  /** Kills socat (SIGTERM) and waits for it: the reader is unplugged. */
  stop(): Promise<void>;
}

export function socatAvailable(socatPath = SOCAT_PATH): boolean {
  return existsSync(socatPath);
}

export async function startSocat(options: SocatOptions = {}): Promise<SocatPair> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'tongda-gcr1-'));
  const hostPath = options.hostPath ?? path.join(dir, 'host');
  const readerPath = options.readerPath ?? path.join(dir, 'reader');
  // A link left by an earlier socat would make this one fail (or, worse, look ready at once).
  for (const link of [hostPath, readerPath]) rmSync(link, { force: true });
  const child: ChildProcess = spawn(options.socatPath ?? SOCAT_PATH, ['-d', '-d', `pty,raw,echo=0,link=${readerPath}`, `pty,raw,echo=0,link=${hostPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString('utf8');
  });
  let exitedFlag = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    });
    child.once('error', () => {
      exitedFlag = true;
      resolve();
    });
  });
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (!(isLink(hostPath) && isLink(readerPath))) {
    if (exitedFlag) throw new Error(`socat exited before the ptys existed: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`socat did not create ${hostPath} and ${readerPath} in time: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const pid = child.pid ?? -1;
  return {
    hostPath,
    readerPath,
    pid,
    exited,
    stop: async () => {
      if (!exitedFlag) child.kill('SIGTERM');
      await exited;
    },
  };
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
