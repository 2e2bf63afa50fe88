import { describe, expect, it } from 'vitest';
import { encodeSnapshotDoc, encodeSnapshotHeader, parseSnapshot, SNAPSHOT_FORMAT } from './snapshot-format.js';

describe('snapshot format', () => {
  const header = { format: SNAPSHOT_FORMAT, district: 'SHUSHAN', db: 'td-master-shushan', seq: 17, docCount: 2, createdAt: '2026-01-01T00:00:00.000Z' } as const;
  const docs = [
    { _id: 'account:3401000001', _rev: '1-abc', type: 'account', ownerName: '王芳', _revisions: { start: 1, ids: ['abc'] } },
    { _id: 'bill:3401000001:2026-09', _rev: '2-def', type: 'bill', _conflicts: ['2-aaa'], amount: 5180 },
  ];

  it('round-trips the header and the documents, without storage fields but _id and _rev', () => {
    const text = encodeSnapshotHeader(header) + docs.map(encodeSnapshotDoc).join('');
    expect(text.split('\n')).toHaveLength(4);
    const parsed = parseSnapshot(text);
    expect(parsed.header).toEqual(header);
    expect(parsed.docs).toEqual([
      { _id: 'account:3401000001', _rev: '1-abc', type: 'account', ownerName: '王芳' },
      { _id: 'bill:3401000001:2026-09', _rev: '2-def', type: 'bill', amount: 5180 },
    ]);
  });

  it('keeps a CouchDB sequence string as it is', () => {
    const text = encodeSnapshotHeader({ ...header, seq: '17-g1AAAA', docCount: 0 });
    expect(parseSnapshot(text).header.seq).toBe('17-g1AAAA');
  });

  it('refuses a cut-off snapshot, another format, and a document without a revision', () => {
    const text = encodeSnapshotHeader(header) + encodeSnapshotDoc(docs[0] ?? { _id: 'x', _rev: '1-a' });
    expect(() => parseSnapshot(text)).toThrow(/header says 2/);
    expect(() => parseSnapshot(JSON.stringify({ ...header, format: 'other' }))).toThrow();
    expect(() => parseSnapshot(`${encodeSnapshotHeader({ ...header, docCount: 1 })}{"_id":"a"}\n`)).toThrow();
    expect(() => parseSnapshot('')).toThrow(/empty/);
  });
});
