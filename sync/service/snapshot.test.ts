import { afterEach, describe, expect, it } from 'vitest';
import { dbName } from '../../core/sync/layout.js';
import { SNAPSHOT_ATTACHMENT, SNAPSHOTS_DB } from '../../core/sync/snapshot-format.js';
import { buildDistrictSnapshot, readDistrictSnapshot, snapshotDue, SNAPSHOT_STALE_UPDATES } from './snapshot.js';
import { accountDoc, localCentral, TestClock } from './testing.js';
import type { LocalCentral } from './testing.js';

let central: LocalCentral;
afterEach(async () => {
  await central.close();
});

describe('district snapshot', () => {
  it('round-trips: build, then parse, gives the same documents at the same revisions, with the seq read before the dump', async () => {
    central = localCentral();
    const master = central.db(dbName.master('SHUSHAN'));
    const snapshots = central.db(SNAPSHOTS_DB);
    const docs = Array.from({ length: 2345 }, (_, i) => accountDoc(String(3401000000 + i)));
    await master.bulkDocs(docs);
    await master.put({ ...(await master.get('account:3401000007')), ownerName: '李四' });
    await master.put({ _id: '_design/validate', validate_doc_update: 'function () {}' });
    const clock = new TestClock();
    expect(await snapshotDue(master, snapshots, 'SHUSHAN', 60_000, clock.now())).toBe(true);

    const seqBefore = (await master.info()).update_seq;
    const built = await buildDistrictSnapshot({ master, snapshots, district: 'SHUSHAN', now: () => clock.now(), pageSize: 500 });
    expect(built).toMatchObject({ district: 'SHUSHAN', seq: seqBefore, docCount: 2345 });

    const stored = await snapshots.get('snapshot:SHUSHAN');
    expect(stored).toMatchObject({ type: 'district-snapshot', seq: seqBefore, docCount: 2345, bytes: built.bytes });
    expect((stored['_attachments'] as Record<string, { content_type: string }>)[SNAPSHOT_ATTACHMENT]?.content_type).toBe('application/gzip');

    const parsed = await readDistrictSnapshot(snapshots, 'SHUSHAN');
    expect(parsed?.header).toEqual({ format: 'tongda-snapshot-1', district: 'SHUSHAN', db: 'td-master-shushan', seq: seqBefore, docCount: 2345, createdAt: clock.now().toISOString() });
    const all = (await master.allDocs({ include_docs: true })).rows.filter((row) => !row.id.startsWith('_design/'));
    expect(parsed?.docs).toEqual(all.map((row) => row.doc));
    expect(parsed?.docs.find((doc) => doc._id === 'account:3401000007')).toMatchObject({ ownerName: '李四', _rev: expect.stringMatching(/^2-/) as unknown });

    // Fresh until master moves and time passes, or master moves a lot.
    expect(await snapshotDue(master, snapshots, 'SHUSHAN', 60_000, clock.now())).toBe(false);
    await master.put(accountDoc('3409999999'));
    expect(await snapshotDue(master, snapshots, 'SHUSHAN', 60_000, clock.now())).toBe(false);
    clock.advance(60_000);
    expect(await snapshotDue(master, snapshots, 'SHUSHAN', 60_000, clock.now())).toBe(true);
    await buildDistrictSnapshot({ master, snapshots, district: 'SHUSHAN', now: () => clock.now() });
    await master.bulkDocs(Array.from({ length: SNAPSHOT_STALE_UPDATES + 1 }, (_, i) => accountDoc(String(3410000000 + i))));
    expect(await snapshotDue(master, snapshots, 'SHUSHAN', 60 * 60_000, clock.now())).toBe(true);
  });
});
