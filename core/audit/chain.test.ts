import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { auditRecordDocSchema, docId } from '../schema/documents.js';
import type { AuditKind, AuditRecordDoc } from '../schema/documents.js';
import { GENESIS_HASH, auditHashInput, canonicalJson, sealAuditRecord, verifyAuditChain } from './chain.js';
import type { UnsealedAuditRecord } from './chain.js';

const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const STATION = 'HALL-01';

function buildChain(length: number, stationId = STATION): AuditRecordDoc[] {
  const kinds: readonly AuditKind[] = ['station-start', 'login', 'ledger-entry', 'approval', 'logout'];
  const chain: AuditRecordDoc[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const unsealed: UnsealedAuditRecord = {
      _id: docId.audit(stationId, seq),
      type: 'audit-record',
      schemaVersion: 1,
      stationId,
      seq,
      at: new Date(Date.UTC(2026, 0, 2, 1, 0, seq)).toISOString(),
      kind: kinds[(seq - 1) % kinds.length] ?? 'login',
      actor: seq === 1 ? null : '1001',
      subject: seq % 2 === 0 ? `account:31010${seq}` : null,
      detail: { amount: seq * 100, note: '缴费', nested: { b: [1, 2, { z: true, a: null }], a: 'x' } },
      prevHash,
    };
    const sealed = sealAuditRecord(unsealed, sha);
    chain.push(sealed);
    prevHash = sealed.hash;
  }
  return chain;
}

function at(chain: readonly AuditRecordDoc[], index: number): AuditRecordDoc {
  const record = chain[index];
  if (record === undefined) throw new Error(`no record at ${index}`);
  return record;
}

describe('canonicalJson', () => {
  it('sorts keys recursively and leaves out whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'é' } })).toBe('{"a":{"c":"é","d":[3,{"x":2,"y":1}]},"b":1}');
  });

  it('does not depend on key insertion order', () => {
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('keeps array order and writes scalars as JSON does', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson('a"b\n')).toBe('"a\\"b\\n"');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson(Object.create(null) as object)).toBe('{}');
  });

  it('omits undefined object properties', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('rejects what JSON cannot carry faithfully', () => {
    expect(() => canonicalJson([1, undefined])).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson({ n: 10n })).toThrow(TypeError);
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(TypeError);
    expect(() => canonicalJson({ s: Symbol('x') })).toThrow(TypeError);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(TypeError);
    expect(() => canonicalJson(new Map())).toThrow(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(TypeError);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('survives a JSON round trip unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sealing', () => {
  it('produces schema-valid records linked from the genesis hash', () => {
    const chain = buildChain(3);
    for (const record of chain) expect(auditRecordDocSchema.parse(record)).toEqual(record);
    expect(at(chain, 0).prevHash).toBe(GENESIS_HASH);
    expect(at(chain, 1).prevHash).toBe(at(chain, 0).hash);
    expect(at(chain, 0).hash).toBe(sha(auditHashInput(at(chain, 0))));
  });

  it('hashes exactly the listed fields', () => {
    const record = at(buildChain(1), 0);
    const input = JSON.parse(auditHashInput(record)) as Record<string, unknown>;
    expect(Object.keys(input)).toEqual(['actor', 'at', 'detail', 'kind', 'prevHash', 'schemaVersion', 'seq', 'stationId', 'subject', 'type']);
    // Storage fields do not change the hash.
    expect(auditHashInput({ ...record, _rev: '3-abc' })).toBe(auditHashInput(record));
  });

  it('refuses a record whose _id does not match its station and seq', () => {
    const record = at(buildChain(1), 0);
    expect(() => sealAuditRecord({ ...record, _id: 'audit:HALL-01:1' }, sha)).toThrow();
  });

  it('refuses a hash function that does not return lower-case hex', () => {
    const record = at(buildChain(1), 0);
    expect(() => sealAuditRecord(record, (text) => sha(text).toUpperCase())).toThrow();
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain in any order', () => {
    const chain = buildChain(6);
    const check = verifyAuditChain([...chain].reverse(), sha);
    expect(check).toEqual({ ok: true, records: 6, headSeq: 6, headHash: at(chain, 5).hash, problems: [] });
    expect(verifyAuditChain(chain, sha, { seq: 6, hash: at(chain, 5).hash }).ok).toBe(true);
    expect(verifyAuditChain(chain, sha, { seq: 3, hash: at(chain, 2).hash }).ok).toBe(true);
  });

  it('accepts an empty log', () => {
    expect(verifyAuditChain([], sha)).toEqual({ ok: true, records: 0, headSeq: 0, headHash: GENESIS_HASH, problems: [] });
    expect(verifyAuditChain([], sha, { seq: 0, hash: GENESIS_HASH }).ok).toBe(true);
  });

  it('finds an edited detail', () => {
    const chain = buildChain(5);
    const edited = { ...at(chain, 2), detail: { ...at(chain, 2).detail, amount: 1 } };
    const check = verifyAuditChain([...chain.slice(0, 2), edited, ...chain.slice(3)], sha);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([{ seq: 3, problem: expect.stringContaining('edited') as unknown }]);
  });

  it('finds an edited record whose hash was recomputed, by the broken link after it', () => {
    const chain = buildChain(5);
    const { hash: _hash, ...rest } = at(chain, 2);
    const forged = sealAuditRecord({ ...rest, actor: '9999' }, sha);
    const check = verifyAuditChain([...chain.slice(0, 2), forged, ...chain.slice(3)], sha);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([{ seq: 4, problem: expect.stringContaining('prevHash') as unknown }]);
  });

  it('finds a removed middle record', () => {
    const chain = buildChain(5);
    const check = verifyAuditChain([...chain.slice(0, 2), ...chain.slice(3)], sha);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([{ seq: 4, problem: 'record 3 is missing' }]);
    expect(check.records).toBe(4);
  });

  it('finds removed first records', () => {
    const chain = buildChain(5);
    const check = verifyAuditChain(chain.slice(2), sha);
    expect(check.problems).toEqual([{ seq: 3, problem: 'records 1–2 are missing' }]);
  });

  it('finds a duplicated seq', () => {
    const chain = buildChain(4);
    const check = verifyAuditChain([...chain, at(chain, 1)], sha);
    expect(check.ok).toBe(false);
    expect(check.problems).toContainEqual({ seq: 2, problem: '2 records share this seq' });
  });

  it('finds two records whose seq were swapped', () => {
    const chain = buildChain(5);
    const swapped = [at(chain, 0), { ...at(chain, 1), seq: 3 }, { ...at(chain, 2), seq: 2 }, at(chain, 3), at(chain, 4)];
    const check = verifyAuditChain(swapped, sha);
    expect(check.ok).toBe(false);
    const seqs = new Set(check.problems.map((p) => p.seq));
    expect(seqs.has(2)).toBe(true);
    expect(seqs.has(3)).toBe(true);
  });

  it('finds a forged _id and a record from another station', () => {
    const chain = buildChain(3);
    const badId = { ...at(chain, 1), _id: 'audit:HALL-01:2' };
    expect(verifyAuditChain([at(chain, 0), badId, at(chain, 2)], sha).problems).toEqual([{ seq: 2, problem: expect.stringContaining('_id') as unknown }]);

    const other = buildChain(3, 'VAN-07');
    const mixed = verifyAuditChain([at(chain, 0), at(other, 1), at(chain, 2)], sha);
    expect(mixed.problems.some((p) => p.seq === 2 && p.problem.includes('VAN-07'))).toBe(true);
  });

  it('finds a first record not starting from genesis', () => {
    const { hash: _hash, ...first } = at(buildChain(1), 0);
    const resealed = sealAuditRecord({ ...first, prevHash: 'f'.repeat(64) }, sha);
    expect(verifyAuditChain([resealed], sha).problems).toEqual([{ seq: 1, problem: expect.stringContaining('genesis') as unknown }]);
  });

  it('finds removal of the tail only with an anchor', () => {
    const chain = buildChain(6);
    const cut = chain.slice(0, 4);
    const anchor = { seq: 6, hash: at(chain, 5).hash };

    const withoutAnchor = verifyAuditChain(cut, sha);
    expect(withoutAnchor.ok).toBe(true);
    expect(withoutAnchor.headSeq).toBe(4);

    const withAnchor = verifyAuditChain(cut, sha, anchor);
    expect(withAnchor.ok).toBe(false);
    expect(withAnchor.problems).toEqual([{ seq: 6, problem: expect.stringContaining('missing') as unknown }]);
  });

  it('finds a tail replaced after the anchor point', () => {
    const chain = buildChain(4);
    const anchor = { seq: 4, hash: at(chain, 3).hash };
    const { hash: _hash, ...last } = at(chain, 3);
    const replaced = sealAuditRecord({ ...last, detail: { rewritten: true } }, sha);
    const check = verifyAuditChain([...chain.slice(0, 3), replaced], sha, anchor);
    expect(check.problems).toEqual([{ seq: 4, problem: 'anchored record has a different hash' }]);
  });

  it('reports any single removal or edit in a random chain', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.nat(), fc.boolean(), (length, pick, remove) => {
        const chain = buildChain(length);
        const index = pick % length;
        const anchor = { seq: length, hash: at(chain, length - 1).hash };
        const tampered = remove
          ? chain.filter((_, i) => i !== index)
          : chain.map((r, i) => (i === index ? { ...r, subject: 'tampered' } : r));
        expect(verifyAuditChain(tampered, sha, anchor).ok).toBe(false);
        expect(verifyAuditChain(chain, sha, anchor).ok).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
