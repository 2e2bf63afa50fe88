/**
 * Schema upgrades: additive only. A document written at version n is brought to the current
 * version by the upgrades registered here, in order; each may only ADD fields (with defaults),
 * never rename, remove or change one, because vans on old builds keep reading documents that
 * newer stations wrote, and newer stations read the old ones. `upgrades.test.ts` checks every
 * registered upgrade against a sample of the version before it.
 *
 * A reader meeting a document NEWER than it knows keeps it as it is: the schemas are loose
 * objects, so the fields this build knows still parse and the unknown ones are carried along.
 */
import type { z } from 'zod';
import { CURRENT_SCHEMA_VERSION, documentSchemas, type DocumentType } from './documents.js';

type PlainDocument = Readonly<Record<string, unknown>>;

export interface SchemaUpgrade {
  readonly type: DocumentType;
  /** Upgrades a document at `from` to `from + 1`. */
  readonly from: number;
  readonly describe: string;
  readonly upgrade: (doc: PlainDocument) => PlainDocument;
  /** A document at version `from`, for the additivity test. */
  readonly sample: PlainDocument;
}

/** None yet: every document type is at version 1. Append here; never edit a shipped upgrade. */
export const schemaUpgrades: readonly SchemaUpgrade[] = [];

export function isDocumentType(value: unknown): value is DocumentType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(documentSchemas, value);
}

/** Applies the registered upgrades from the document's version to the current one. */
export function upgradeDocument(doc: PlainDocument, upgrades: readonly SchemaUpgrade[] = schemaUpgrades): PlainDocument {
  const type = doc['type'];
  if (!isDocumentType(type)) return doc;
  let current = doc;
  for (;;) {
    const version = current['schemaVersion'];
    if (typeof version !== 'number' || version >= CURRENT_SCHEMA_VERSION[type]) return current;
    const step = upgrades.find((u) => u.type === type && u.from === version);
    if (!step) throw new Error(`no upgrade for ${type} from version ${version}`);
    current = { ...step.upgrade(current), schemaVersion: version + 1 };
  }
}

/** What an upgrade changed that it may not: every field before must be there after, unchanged. */
export function additiveProblems(before: unknown, after: unknown, path = ''): string[] {
  if (typeof before !== 'object' || before === null || Array.isArray(before)) {
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [`${path || '(root)'} changed`];
  }
  if (typeof after !== 'object' || after === null || Array.isArray(after)) return [`${path || '(root)'} is no longer an object`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(before)) {
    if (path === '' && key === 'schemaVersion') continue;
    if (!(key in after)) problems.push(`${path}${key} was removed`);
    else problems.push(...additiveProblems(value, (after as Record<string, unknown>)[key], `${path}${key}.`));
  }
  return problems;
}

/** Reads a stored document of a known type: upgrades it, then parses it with the current schema. */
export function readDocument<T extends DocumentType>(type: T, raw: unknown): ReturnType<(typeof documentSchemas)[T]['safeParse']> {
  const upgraded = typeof raw === 'object' && raw !== null ? upgradeDocument(raw as PlainDocument) : raw;
  return documentSchemas[type].safeParse(upgraded) as ReturnType<(typeof documentSchemas)[T]['safeParse']>;
}

/** As `readDocument`, throwing when the document does not parse. */
export function parseDocument<T extends DocumentType>(type: T, raw: unknown): z.output<(typeof documentSchemas)[T]> {
  const upgraded = typeof raw === 'object' && raw !== null ? upgradeDocument(raw as PlainDocument) : raw;
  return documentSchemas[type].parse(upgraded) as z.output<(typeof documentSchemas)[T]>;
}
