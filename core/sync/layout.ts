/**
 * Where every document lives on central (Apache CouchDB 3, or the embedded server in `sync/`),
 * who may write it, and which station database each one replicates with. `sync/README.md`
 * explains the layout; this file is its single source for names, so the setup command, the
 * central service, the station's replication and the tests cannot disagree.
 *
 * CouchDB database names must match ^[a-z][a-z0-9_$()+/-]*$, so station ids and district codes
 * (upper-case) are lower-cased here.
 */

/** The operator directory: `operator:<staffNo>`; every station pulls it. Written by setup/central. */
export const OPERATORS_DB = 'td-operators';
/** Central's own bookkeeping: the service lease, the station directory, audit heads, range allocators. Central only. */
export const CENTRAL_DB = 'td-central';

export const dbName = {
  /** Accounts, tariff versions and bills of one district: written by central only, pulled by the district's stations. */
  master: (districtCode: string) => `td-master-${districtCode.toLowerCase()}`,
  /** Every ledger entry and card-write for the district's accounts: copies made by the central service under the same ids and revisions. */
  districtLedger: (districtCode: string) => `td-ledger-${districtCode.toLowerCase()}`,
  /** One station's own documents (ledger, audit, receipts, openings, transfers…): pushed by that station only. */
  station: (stationId: string) => `td-station-${stationId.toLowerCase()}`,
  /** What central tells one station: event outcomes and number-range grants. Written by central, pulled by that station. */
  inbox: (stationId: string) => `td-inbox-${stationId.toLowerCase()}`,
} as const;

/** Users and roles in CouchDB's `_users`. */
export const userName = {
  station: (stationId: string) => `station-${stationId.toLowerCase()}`,
  centralService: 'td-central-service',
} as const;

export const roleName = {
  /** Every station: may read the operator directory. */
  anyStation: 'td-station',
  /** One station: writes its own station database, reads its inbox. */
  station: (stationId: string) => `td-station-${stationId.toLowerCase()}`,
  /** Reads the district's master data and ledger. */
  district: (districtCode: string) => `td-district-${districtCode.toLowerCase()}`,
  /** The central service: writes master, district ledgers and inboxes. */
  central: 'td-central',
} as const;

/**
 * Which station database documents are pushed to central. Everything the station makes is
 * immutable and pushed, except its own counters (`station-range:`), which it updates in place
 * and which central learns from the receipts and openings instead.
 */
export function isPushedDocId(id: string): boolean {
  return !id.startsWith('station-range:') && !id.startsWith('_design/');
}

/**
 * Whether a document belongs to `stationId`'s namespace: its `stationId` field is that station
 * and, where the id carries a station id, it is that one. The same rule, written in ES5, is the
 * `validate_doc_update` of every station database (sync/central/design-docs.ts), and a test
 * holds the two to the same answers.
 */
export function stationOwnsDocument(stationId: string, doc: { readonly _id: string; readonly stationId?: unknown }): boolean {
  if (doc.stationId !== stationId) return false;
  const id = doc._id;
  const colon = id.indexOf(':');
  if (colon <= 0) return false;
  const prefix = id.slice(0, colon);
  const rest = id.slice(colon + 1);
  switch (prefix) {
    case 'ledger':
    case 'cardwrite':
    case 'audit':
    case 'receipt':
    case 'print-job':
    case 'print-attempt':
    case 'transfer':
      return rest.startsWith(`${stationId}:`);
    // The account number is the id; the station is in the document (and its range).
    case 'account-opening':
      return true;
    default:
      return false;
  }
}
