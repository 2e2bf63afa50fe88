/**
 * What the station pulls, into which local database, under which checkpoint name. Three sources
 * share the local `master` (district master data, the operator directory, this station's inbox):
 * their ids never collide, and each has its own checkpoint, since each has its own sequence.
 */
import { dbName, OPERATORS_DB } from '../../core/sync/layout.js';
import { MASTER_PULL_CHECKPOINT } from './snapshot.js';

export type PullSource = 'master' | 'operators' | 'inbox' | 'district';

export interface PullPlan {
  readonly source: PullSource;
  readonly remoteDb: string;
  readonly local: 'master' | 'district';
  readonly checkpointName: string;
}

export function pullPlan(target: { readonly stationId: string; readonly district: string }): readonly PullPlan[] {
  return [
    { source: 'operators', remoteDb: OPERATORS_DB, local: 'master', checkpointName: 'pull-operators' },
    { source: 'inbox', remoteDb: dbName.inbox(target.stationId), local: 'master', checkpointName: 'pull-inbox' },
    { source: 'master', remoteDb: dbName.master(target.district), local: 'master', checkpointName: MASTER_PULL_CHECKPOINT },
    { source: 'district', remoteDb: dbName.districtLedger(target.district), local: 'district', checkpointName: 'pull-district' },
  ];
}

/**
 * Roughly how many changes a pull has ahead, for the progress bar: the distance between the
 * checkpoint and the source's update_seq. PouchDB's sequences are numbers; CouchDB 3's are
 * opaque strings that begin with a number, which is close enough for a bar. Null when unknown.
 */
export function estimateChanges(since: number | string, updateSeq: number | string): number | null {
  const from = typeof since === 'number' ? since : Number.parseInt(since, 10);
  const to = typeof updateSeq === 'number' ? updateSeq : Number.parseInt(updateSeq, 10);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
  return Math.max(0, to - from);
}
