/**
 * Our own checkpoints, one per replicated pair, in a `_local/td-sync-<name>` document of the
 * LOCAL database (local documents never replicate): the source's sequence up to which every
 * change is known to be in the target. PouchDB's own checkpoints would be written on central
 * too, where a station user may not write in read-only databases; keeping ours local also lets
 * the engine count what is pending and resume after a restart without asking central.
 */
import type PouchDB from 'pouchdb';
import { errorMessage, isNotFound } from './errors.js';

export type Seq = number | string;

const localId = (name: string): string => `_local/td-sync-${name}`;

export async function readLocal(db: PouchDB.Database, name: string): Promise<PouchDB.ExistingDocument | null> {
  try {
    return await db.get(localId(name));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Writes `fields` over the local document, creating it if needed (one writer per name: the engine). */
export async function writeLocal(db: PouchDB.Database, name: string, fields: Record<string, unknown>): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const existing = await readLocal(db, name);
    try {
      await db.put({ ...fields, _id: localId(name), ...(existing ? { _rev: existing._rev } : {}) });
      return;
    } catch (error) {
      // A conflict can only come from a write racing ours (a previous engine being stopped): read again.
      if (attempt < 3 && typeof error === 'object' && error !== null && 'status' in error && error.status === 409) continue;
      throw error;
    }
  }
}

export async function readCheckpoint(db: PouchDB.Database, name: string): Promise<Seq | null> {
  const doc = await readLocal(db, name);
  const seq = doc?.last_seq;
  return typeof seq === 'number' || typeof seq === 'string' ? seq : null;
}

export async function writeCheckpoint(db: PouchDB.Database, name: string, seq: Seq, at: string): Promise<void> {
  await writeLocal(db, name, { last_seq: seq, at });
}

/**
 * Checkpoint writes in the order they were asked for, never two at once: batches finish faster
 * than LevelDB writes the previous checkpoint, and an older sequence must never land last.
 */
export function checkpointWriter(db: PouchDB.Database, name: string, now: () => string): { write(seq: Seq): void; flush(): Promise<void>; close(): void } {
  let chain: Promise<void> = Promise.resolve();
  let latest: Seq | null = null;
  let written: Seq | null = null;
  let failure: Error | null = null;
  let closed = false;
  return {
    write(seq) {
      // A failed replication's last batches can still report after it failed, when the next
      // pass has already moved the checkpoint on: they must not move it back.
      if (closed) return;
      latest = seq;
      chain = chain.then(async () => {
        if (latest === null || latest === written) return;
        const target = latest;
        try {
          await writeCheckpoint(db, name, target, now());
          written = target;
        } catch (error) {
          failure = error instanceof Error ? error : new Error(errorMessage(error));
        }
      });
    },
    close() {
      closed = true;
    },
    async flush() {
      await chain;
      if (failure !== null) {
        const error = failure;
        failure = null;
        throw error;
      }
    },
  };
}
