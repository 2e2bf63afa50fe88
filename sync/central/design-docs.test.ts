import { runInNewContext } from 'node:vm';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { stationOwnsDocument } from '../../core/sync/layout.js';
import { designDocFor, validateSourceFor, type CentralDatabase } from './design-docs.js';

type Validate = (newDoc: object, oldDoc: object | null, userCtx: { name: string | null; roles: string[] }, secObj: object) => void;

/** Evaluated in a fresh context, as CouchDB and pouchdb-validation do: no closure over our module. */
function compile(source: string): Validate {
  return runInNewContext(`(${source})`) as Validate;
}

/** The reason the function refuses with, or null when it accepts. */
function verdict(validate: Validate, newDoc: object, oldDoc: object | null, userCtx: { name: string | null; roles: string[] }): string | null {
  try {
    validate(newDoc, oldDoc, userCtx, {});
    return null;
  } catch (error: unknown) {
    if (typeof error === 'object' && error !== null && 'forbidden' in error && typeof error.forbidden === 'string') return error.forbidden;
    throw error;
  }
}

const ALL: CentralDatabase[] = [
  { kind: 'station', stationId: 'HF-SS-01' },
  { kind: 'district-ledger', district: 'SHUSHAN' },
  { kind: 'master', district: 'SHUSHAN' },
  { kind: 'inbox', stationId: 'VAN-01' },
  { kind: 'operators' },
  { kind: 'central' },
  { kind: 'snapshots' },
];

const STATION = { name: 'station-hf-ss-01', roles: ['td-station', 'td-station-hf-ss-01', 'td-district-shushan'] };
const OTHER_STATION = { name: 'station-hf-ss-02', roles: ['td-station', 'td-station-hf-ss-02', 'td-district-shushan'] };
const CENTRAL = { name: 'td-central-service', roles: ['td-central'] };
const ADMIN = { name: 'admin', roles: ['_admin'] };

describe('design documents', () => {
  it.each(ALL)('$kind: the validate function is ES5', (db) => {
    const source = validateSourceFor(db);
    expect(() => parse(`(${source})`, { ecmaVersion: 5 })).not.toThrow();
    // A sanity check that ecmaVersion 5 does refuse newer syntax, so the test above means something.
    expect(() => parse('(function () { const x = 1; return `${x}`; })', { ecmaVersion: 5 })).toThrow();
    expect(designDocFor(db).validate_doc_update).toBe(source);
  });

  const stationValidate = compile(validateSourceFor({ kind: 'station', stationId: 'HF-SS-01' }));
  const ids = [
    'ledger:HF-SS-01:000123',
    'ledger:HF-SS-02:000123',
    'ledger:HF-SS-01',
    'ledger:HF-SS-010:1',
    'cardwrite:HF-SS-01:9',
    'audit:HF-SS-01:00000001',
    'receipt:HF-SS-01:HFSS01-0001',
    'print-job:HF-SS-01:1',
    'print-attempt:HF-SS-01:1:1',
    'transfer:HF-SS-01:abc',
    'transfer:VAN-01:abc',
    'account-opening:1100001234',
    'account:1100001234',
    'bill:1100001234:2024-01',
    'station-range:HF-SS-01:receipt',
    'operator:1001',
    'nocolon',
    ':empty-prefix',
  ];
  const stationIds: unknown[] = ['HF-SS-01', 'HF-SS-02', 'hf-ss-01', undefined, 7];

  it('agrees with stationOwnsDocument on every id and stationId', () => {
    for (const id of ids) {
      for (const stationId of stationIds) {
        const doc = stationId === undefined ? { _id: id } : { _id: id, stationId };
        const expected = stationOwnsDocument('HF-SS-01', doc);
        const refusal = verdict(stationValidate, doc, null, STATION);
        expect({ id, stationId, accepted: refusal === null }).toEqual({ id, stationId, accepted: expected });
      }
    }
  });

  it('station database: refuses any update or delete, for everyone', () => {
    const doc = { _id: 'ledger:HF-SS-01:1', stationId: 'HF-SS-01' };
    for (const user of [STATION, CENTRAL, ADMIN]) {
      expect(verdict(stationValidate, { ...doc, amount: 2 }, doc, user)).toMatch(/immutable/);
      expect(verdict(stationValidate, { ...doc, _deleted: true }, doc, user)).toMatch(/immutable/);
      expect(verdict(stationValidate, { _id: doc._id, _deleted: true }, null, user)).toMatch(/immutable/);
    }
  });

  it('station database: refuses writers who are not that station or central', () => {
    const doc = { _id: 'ledger:HF-SS-01:1', stationId: 'HF-SS-01' };
    expect(verdict(stationValidate, doc, null, STATION)).toBeNull();
    expect(verdict(stationValidate, doc, null, { name: 'station-hf-ss-01', roles: [] })).toBeNull();
    expect(verdict(stationValidate, doc, null, CENTRAL)).toBeNull();
    expect(verdict(stationValidate, doc, null, ADMIN)).toBeNull();
    expect(verdict(stationValidate, doc, null, OTHER_STATION)).toMatch(/only station HF-SS-01/);
    expect(verdict(stationValidate, doc, null, { name: null, roles: [] })).toMatch(/only station HF-SS-01/);
  });

  it('district ledger: central only, never updated or deleted', () => {
    const validate = compile(validateSourceFor({ kind: 'district-ledger', district: 'SHUSHAN' }));
    const doc = { _id: 'ledger:HF-SS-01:1', stationId: 'HF-SS-01' };
    expect(verdict(validate, doc, null, CENTRAL)).toBeNull();
    expect(verdict(validate, doc, null, ADMIN)).toBeNull();
    expect(verdict(validate, doc, null, STATION)).toMatch(/only the central service/);
    expect(verdict(validate, { ...doc, x: 1 }, doc, CENTRAL)).toMatch(/immutable/);
    expect(verdict(validate, { ...doc, _deleted: true }, doc, ADMIN)).toMatch(/immutable/);
  });

  it.each([
    { kind: 'master', district: 'SHUSHAN' },
    { kind: 'inbox', stationId: 'VAN-01' },
    { kind: 'operators' },
    { kind: 'central' },
    { kind: 'snapshots' },
  ] satisfies CentralDatabase[])('$kind: central writes and updates, stations do not', (db) => {
    const validate = compile(validateSourceFor(db));
    const doc = { _id: 'account:1100001234', districtCode: 'SHUSHAN' };
    expect(verdict(validate, doc, null, CENTRAL)).toBeNull();
    expect(verdict(validate, { ...doc, owner: 'new' }, doc, CENTRAL)).toBeNull();
    expect(verdict(validate, doc, null, ADMIN)).toBeNull();
    expect(verdict(validate, doc, null, STATION)).toMatch(/only the central service/);
    expect(verdict(validate, doc, null, { name: 'station-van-01', roles: ['td-station', 'td-station-van-01'] })).toMatch(/only the central service/);
  });

  it('lets design documents through (only database admins can write them at all)', () => {
    for (const db of ALL) {
      expect(verdict(compile(validateSourceFor(db)), { _id: '_design/tongda' }, { _id: '_design/tongda' }, ADMIN)).toBeNull();
    }
  });
});
