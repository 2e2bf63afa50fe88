import { describe, expect, it } from 'vitest';
import { compareRevs, describeConflict, listConflicts } from './conflicts.js';

describe('describeConflict', () => {
  it('lists nothing for a document with no other leaf', () => {
    expect(describeConflict({ database: 'master', docId: 'account:1', winningRev: '2-b', conflictingRevs: undefined })).toBeNull();
    expect(describeConflict({ database: 'master', docId: 'account:1', winningRev: '2-b', conflictingRevs: ['2-b'] })).toBeNull();
  });

  it('lists every other revision, highest first, for a manager; never picks one', () => {
    const listing = describeConflict({ database: 'master', docId: 'account:0101', winningRev: '3-c', conflictingRevs: ['2-a', '3-a', '3-a'] });
    expect(listing).toEqual({ database: 'master', docId: 'account:0101', shownRev: '3-c', otherRevs: ['3-a', '2-a'], kind: 'account', severity: 'versions-differ' });
  });

  it('marks a conflict on a written-once document as a fault', () => {
    const listing = describeConflict({ database: 'district', docId: 'ledger:S1:000001', winningRev: '1-b', conflictingRevs: ['1-a'] });
    expect(listing?.severity).toBe('immutable-document-changed');
    expect(listing?.kind).toBe('ledger');
  });
});

describe('listConflicts', () => {
  it('keeps only conflicted documents, in id order', () => {
    const listings = listConflicts('master', [
      { _id: 'tariff:R1:0002', _rev: '2-x', _conflicts: ['2-a'] },
      { _id: 'account:2', _rev: '1-a' },
      { _id: 'account:1', _rev: '4-z', _conflicts: ['4-y', 'junk', 7] },
    ]);
    expect(listings.map((l) => [l.docId, l.otherRevs])).toEqual([
      ['account:1', ['4-y', 'junk']],
      ['tariff:R1:0002', ['2-a']],
    ]);
  });

  it('orders revisions as CouchDB picks winners', () => {
    expect(['1-z', '10-a', '2-b', '2-c'].sort(compareRevs)).toEqual(['10-a', '2-c', '2-b', '1-z']);
  });
});
