/**
 * The design documents of central's databases: one `validate_doc_update` each, generated per
 * database, in ES5 (CouchDB's JavaScript engine may be older than Node's; a test parses every
 * one with acorn at ecmaVersion 5 and runs it beside `stationOwnsDocument`).
 *
 * `_security` decides who may read and write a database at all; these functions decide what a
 * writer may write. Both the embedded central (pouchdb-validation) and CouchDB 3 run them on
 * every write, replicated ones included; neither runs them for design documents, which only
 * database admins may write.
 */
import { roleName, userName } from '../../core/sync/layout.js';

export const DESIGN_DOC_ID = '_design/tongda';

export interface DesignDoc {
  readonly _id: string;
  readonly language: 'javascript';
  readonly validate_doc_update: string;
}

/** Which of central's databases a design document is for. */
export type CentralDatabase =
  | { readonly kind: 'station'; readonly stationId: string }
  | { readonly kind: 'district-ledger'; readonly district: string }
  | { readonly kind: 'master'; readonly district: string }
  | { readonly kind: 'inbox'; readonly stationId: string }
  | { readonly kind: 'operators' }
  | { readonly kind: 'central' }
  | { readonly kind: 'snapshots' };

/** The id prefixes whose next segment is the writing station's id (`stationOwnsDocument`). */
const STATION_SCOPED_PREFIXES = ['ledger', 'cardwrite', 'audit', 'receipt', 'print-job', 'print-attempt', 'transfer'] as const;

/** A string literal for the generated source (JSON's string syntax is ES5's, for these ASCII names). */
function literal(value: unknown): string {
  return JSON.stringify(value);
}

/** Shared opening: the role check. `allowed` are roles, `names` user names. */
function writerCheck(roles: readonly string[], names: readonly string[], refusal: string): string {
  return [
    '  var roles = (userCtx && userCtx.roles) || [];',
    `  var allowedRoles = ${literal(['_admin', ...roles])};`,
    `  var allowedNames = ${literal(names)};`,
    '  var allowed = false;',
    '  for (var i = 0; i < roles.length; i++) {',
    '    for (var j = 0; j < allowedRoles.length; j++) {',
    '      if (roles[i] === allowedRoles[j]) { allowed = true; }',
    '    }',
    '  }',
    '  for (var k = 0; k < allowedNames.length; k++) {',
    '    if (userCtx && userCtx.name === allowedNames[k]) { allowed = true; }',
    '  }',
    `  if (!allowed) { throw({forbidden: ${literal(refusal)}}); }`,
  ].join('\n');
}

const DESIGN_DOC_GUARD = "  if (String(newDoc._id).indexOf('_design/') === 0) { return; }";

/**
 * `td-station-<id>`: written by that station only (and, if ever needed, the central role or an
 * admin); every document is immutable and in the station's namespace.
 */
export function stationValidateSource(stationId: string): string {
  return [
    'function (newDoc, oldDoc, userCtx, secObj) {',
    DESIGN_DOC_GUARD,
    writerCheck([roleName.station(stationId), roleName.central], [userName.station(stationId)], `only station ${stationId} may write to its station database`),
    `  var stationId = ${literal(stationId)};`,
    `  var scoped = ${literal(STATION_SCOPED_PREFIXES)};`,
    '  var id = String(newDoc._id);',
    "  if (oldDoc) { throw({forbidden: 'station documents are immutable: ' + id + ' already exists and cannot be changed or deleted'}); }",
    "  if (newDoc._deleted) { throw({forbidden: 'station documents are immutable: ' + id + ' cannot be deleted'}); }",
    "  if (newDoc.stationId !== stationId) { throw({forbidden: 'document ' + id + ' does not belong to station ' + stationId + ' (its stationId is ' + newDoc.stationId + ')'}); }",
    "  var colon = id.indexOf(':');",
    "  if (colon <= 0) { throw({forbidden: 'document id ' + id + ' has no type prefix'}); }",
    '  var prefix = id.substring(0, colon);',
    '  var rest = id.substring(colon + 1);',
    "  if (prefix === 'account-opening') { return; }",
    '  for (var p = 0; p < scoped.length; p++) {',
    '    if (prefix === scoped[p]) {',
    "      if (rest.indexOf(stationId + ':') === 0) { return; }",
    "      throw({forbidden: 'document id ' + id + ' is not in station ' + stationId + \"'s namespace (expected \" + prefix + ':' + stationId + ':...)'});",
    '    }',
    '  }',
    "  throw({forbidden: 'a station database does not take documents of type ' + prefix + ' (' + id + ')'});",
    '}',
  ].join('\n');
}

/** `td-ledger-<district>`: copies made by the central service, never changed or deleted. */
export function districtLedgerValidateSource(district: string): string {
  return [
    'function (newDoc, oldDoc, userCtx, secObj) {',
    DESIGN_DOC_GUARD,
    writerCheck([roleName.central], [], `only the central service writes the ledger of district ${district}`),
    "  if (oldDoc) { throw({forbidden: 'ledger documents are immutable: ' + newDoc._id + ' already exists and cannot be changed or deleted'}); }",
    "  if (newDoc._deleted) { throw({forbidden: 'ledger documents are immutable: ' + newDoc._id + ' cannot be deleted'}); }",
    '}',
  ].join('\n');
}

/** `td-master-*`, `td-operators`, `td-inbox-*`, `td-central`, `td-snapshots`: central writes (and updates), stations only read. */
export function centralOnlyValidateSource(what: string): string {
  return [
    'function (newDoc, oldDoc, userCtx, secObj) {',
    DESIGN_DOC_GUARD,
    writerCheck([roleName.central], [], `only the central service writes ${what}`),
    '}',
  ].join('\n');
}

export function validateSourceFor(db: CentralDatabase): string {
  switch (db.kind) {
    case 'station':
      return stationValidateSource(db.stationId);
    case 'district-ledger':
      return districtLedgerValidateSource(db.district);
    case 'master':
      return centralOnlyValidateSource(`the master data of district ${db.district}`);
    case 'inbox':
      return centralOnlyValidateSource(`the inbox of station ${db.stationId}`);
    case 'operators':
      return centralOnlyValidateSource('the operator directory');
    case 'central':
      return centralOnlyValidateSource("central's own records");
    case 'snapshots':
      return centralOnlyValidateSource('the district snapshots');
    default: {
      const unreachable: never = db;
      throw new Error(`unknown database kind ${JSON.stringify(unreachable)}`);
    }
  }
}

export function designDocFor(db: CentralDatabase): DesignDoc {
  return { _id: DESIGN_DOC_ID, language: 'javascript', validate_doc_update: validateSourceFor(db) };
}
