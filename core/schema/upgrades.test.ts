import { describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, documentSchemas, type DocumentType } from './documents.js';
import { v1Samples } from './samples.js';
import { additiveProblems, schemaUpgrades, upgradeDocument, type SchemaUpgrade } from './upgrades.js';

const types = Object.keys(documentSchemas) as DocumentType[];

describe('schema versions', () => {
  it('has exactly one upgrade for every version step of every type', () => {
    for (const type of types) {
      const steps = schemaUpgrades.filter((u) => u.type === type).map((u) => u.from).sort((a, b) => a - b);
      const expected = Array.from({ length: CURRENT_SCHEMA_VERSION[type] - 1 }, (_, i) => i + 1);
      expect(steps, type).toEqual(expected);
    }
  });

  it.each(schemaUpgrades.map((u) => [`${u.type} v${u.from}→v${u.from + 1}: ${u.describe}`, u] as const))('%s is additive', (_name, upgrade) => {
    const after = upgrade.upgrade(upgrade.sample);
    expect(additiveProblems(upgrade.sample, after)).toEqual([]);
  });

  it.each(types.map((type) => [type] as const))('a version-1 %s still reads at the current version', (type) => {
    const upgraded = upgradeDocument(v1Samples[type]);
    expect(documentSchemas[type].safeParse(upgraded).success).toBe(true);
    expect(additiveProblems(v1Samples[type], upgraded)).toEqual([]);
  });

  it.each(types.map((type) => [type] as const))('a %s from a newer build keeps its unknown fields and still reads', (type) => {
    const newer = { ...v1Samples[type], schemaVersion: CURRENT_SCHEMA_VERSION[type] + 3, addedLater: { note: '新字段' } };
    const parsed = documentSchemas[type].safeParse(upgradeDocument(newer));
    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({ addedLater: { note: '新字段' } });
  });
});

describe('the additivity check itself', () => {
  const sample = { _id: 'account:1', type: 'account', schemaVersion: 1, a: 1, nested: { b: 'x' } };
  const adds: SchemaUpgrade = { type: 'account', from: 1, describe: 'adds c', sample, upgrade: (d) => ({ ...d, c: null }) };
  const renames: SchemaUpgrade = {
    type: 'account',
    from: 1,
    describe: 'renames a',
    sample,
    upgrade: ({ a, ...rest }) => ({ ...rest, renamed: a }),
  };
  const retypes: SchemaUpgrade = { type: 'account', from: 1, describe: 'retypes b', sample, upgrade: (d) => ({ ...d, nested: { b: 2 } }) };

  it('accepts an added field and refuses a rename or a retype', () => {
    expect(additiveProblems(sample, adds.upgrade(sample))).toEqual([]);
    expect(additiveProblems(sample, renames.upgrade(sample))).toEqual(['a was removed']);
    expect(additiveProblems(sample, retypes.upgrade(sample))).toEqual(['nested.b. changed']);
  });
});
