/**
 * The setup command's work: databases, users, `_security`, design documents and the station
 * directory on any CouchDB-protocol server (Apache CouchDB 3 or the embedded central), over
 * plain HTTP as a server admin. Idempotent: it compares before it writes, so a second run with
 * the same plan writes nothing, and a changed plan (a new station, a changed password, a new
 * version of the validation) changes only what differs.
 */
import { z } from 'zod';
import { stationIdSchema } from '../../core/schema/primitives.js';
import { CENTRAL_DB, OPERATORS_DB, dbName, roleName, userName } from '../../core/sync/layout.js';
import { SNAPSHOTS_DB } from '../../core/sync/snapshot-format.js';
import { DESIGN_DOC_ID, designDocFor, type CentralDatabase } from '../central/design-docs.js';
import { basicAuthorization, couchClient, docPath, expectStatus, isRecord, type CouchClient, type CouchCredentials } from './couch-http.js';

/** One document per district, `snapshot:<district>`, with a gzip NDJSON attachment: written by the central service, read by every station. */
export { SNAPSHOTS_DB };

const districtCodeSchema = z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'district codes are upper-case letters, digits and underscores');

export const centralPlanSchema = z
  .object({
    districts: z.array(districtCodeSchema).min(1),
    stations: z.array(
      z.object({
        stationId: stationIdSchema,
        district: districtCodeSchema,
        name: z.string().min(1),
        kind: z.enum(['hall', 'van']),
        receiptPrefix: z.string().regex(/^[A-Z0-9]{1,12}$/),
        password: z.string().min(8),
      }),
    ),
    centralService: z.object({ password: z.string().min(8) }),
  })
  .superRefine((plan, context) => {
    const districts = new Set(plan.districts);
    const seen = new Set<string>();
    plan.stations.forEach((station, index) => {
      if (!districts.has(station.district)) {
        context.addIssue({ code: 'custom', path: ['stations', index, 'district'], message: `district ${station.district} is not in the plan's districts` });
      }
      // Database and user names are lower-cased: two ids differing in case would share them.
      const key = station.stationId.toLowerCase();
      if (seen.has(key)) context.addIssue({ code: 'custom', path: ['stations', index, 'stationId'], message: `station ${station.stationId} appears twice` });
      seen.add(key);
    });
  });

export type CentralPlan = z.infer<typeof centralPlanSchema>;
export type PlannedStation = CentralPlan['stations'][number];

export interface SetupReport {
  /** What did not exist and was made: `database td-station-hf-ss-01`, `user station-hf-ss-01`, … */
  readonly created: readonly string[];
  /** What existed and differed from the plan. */
  readonly updated: readonly string[];
  /** How many things already matched the plan. */
  readonly unchanged: number;
}

interface SecurityObject {
  readonly admins: { readonly names: readonly string[]; readonly roles: readonly string[] };
  readonly members: { readonly names: readonly string[]; readonly roles: readonly string[] };
}

interface PlannedDatabase {
  readonly name: string;
  readonly kind: CentralDatabase;
  /** Who may read (and, within the validation, write). Database admins: none; server admins only. */
  readonly memberRoles: readonly string[];
}

export function plannedDatabases(plan: CentralPlan): PlannedDatabase[] {
  const databases: PlannedDatabase[] = [
    { name: OPERATORS_DB, kind: { kind: 'operators' }, memberRoles: [roleName.anyStation, roleName.central] },
    { name: CENTRAL_DB, kind: { kind: 'central' }, memberRoles: [roleName.central] },
    { name: SNAPSHOTS_DB, kind: { kind: 'snapshots' }, memberRoles: [roleName.anyStation, roleName.central] },
  ];
  for (const district of plan.districts) {
    const members = [roleName.district(district), roleName.central];
    databases.push({ name: dbName.master(district), kind: { kind: 'master', district }, memberRoles: members });
    databases.push({ name: dbName.districtLedger(district), kind: { kind: 'district-ledger', district }, memberRoles: members });
  }
  for (const station of plan.stations) {
    const members = [roleName.station(station.stationId), roleName.central];
    databases.push({ name: dbName.station(station.stationId), kind: { kind: 'station', stationId: station.stationId }, memberRoles: members });
    databases.push({ name: dbName.inbox(station.stationId), kind: { kind: 'inbox', stationId: station.stationId }, memberRoles: members });
  }
  return databases;
}

export function stationRoles(station: Pick<PlannedStation, 'stationId' | 'district'>): string[] {
  return [roleName.anyStation, roleName.station(station.stationId), roleName.district(station.district)];
}

export function stationDirectoryDoc(station: PlannedStation): Record<string, unknown> {
  return {
    _id: `station:${station.stationId}`,
    type: 'station-directory',
    stationId: station.stationId,
    district: station.district,
    name: station.name,
    kind: station.kind,
    receiptPrefix: station.receiptPrefix,
  };
}

function securityOf(database: PlannedDatabase): SecurityObject {
  return { admins: { names: [], roles: [] }, members: { names: [], roles: [...database.memberRoles] } };
}

function sortedStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string').sort() : [];
}

function sameSecurity(actual: unknown, wanted: SecurityObject): boolean {
  const section = (name: 'admins' | 'members'): unknown => (isRecord(actual) ? actual[name] : undefined);
  const field = (value: unknown, name: 'names' | 'roles'): string[] => sortedStrings(isRecord(value) ? value[name] : undefined);
  return (['admins', 'members'] as const).every(
    (name) =>
      JSON.stringify(field(section(name), 'names')) === JSON.stringify([...wanted[name].names].sort()) &&
      JSON.stringify(field(section(name), 'roles')) === JSON.stringify([...wanted[name].roles].sort()),
  );
}

/** Whether `name`/`password` can log in: `GET /_session` with Basic answers the user when it can. */
async function canLogIn(url: string, credentials: CouchCredentials): Promise<boolean> {
  const response = await fetch(`${url}/_session`, {
    headers: { Authorization: basicAuthorization(credentials), Accept: 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 200) return false;
  const body: unknown = await response.json();
  return isRecord(body) && isRecord(body.userCtx) && body.userCtx.name === credentials.username;
}

export async function setupCentral(url: string, admin: CouchCredentials, plan: CentralPlan, log?: (line: string) => void): Promise<SetupReport> {
  const checked = centralPlanSchema.parse(plan);
  const client = couchClient(url, admin);
  const say = log ?? (() => undefined);
  const created: string[] = [];
  const updated: string[] = [];
  let unchanged = 0;
  const record = (what: 'created' | 'updated' | 'unchanged', label: string): void => {
    if (what === 'unchanged') {
      unchanged += 1;
      return;
    }
    (what === 'created' ? created : updated).push(label);
    say(`setup: ${what} ${label}`);
  };

  const session = await expectStatus(client, 'GET', '/_session', [200]);
  const roles = isRecord(session.body) && isRecord(session.body.userCtx) ? sortedStrings(session.body.userCtx.roles) : [];
  if (!roles.includes('_admin')) throw new Error(`setup: ${admin.username} is not a server admin of ${client.url}`);

  // A single-node CouchDB 3 has no _users until someone makes it.
  record((await ensureDatabase(client, '_users')) ? 'created' : 'unchanged', 'database _users');

  for (const database of plannedDatabases(checked)) {
    record((await ensureDatabase(client, database.name)) ? 'created' : 'unchanged', `database ${database.name}`);
    record(await ensureSecurity(client, database.name, securityOf(database)), `_security of ${database.name}`);
    record(await ensureDesignDoc(client, database.name, database.kind), `design document of ${database.name}`);
  }

  for (const station of checked.stations) {
    record(await ensureUser(client, userName.station(station.stationId), station.password, stationRoles(station)), `user ${userName.station(station.stationId)}`);
  }
  record(await ensureUser(client, userName.centralService, checked.centralService.password, [roleName.central]), `user ${userName.centralService}`);

  for (const station of checked.stations) {
    record(await ensureDoc(client, CENTRAL_DB, stationDirectoryDoc(station)), `directory entry station:${station.stationId}`);
  }
  say(`setup: ${created.length} created, ${updated.length} updated, ${unchanged} unchanged on ${client.url}`);
  return { created, updated, unchanged };
}

/** True when it made the database. */
async function ensureDatabase(client: CouchClient, name: string): Promise<boolean> {
  const head = await client.request('GET', `/${encodeURIComponent(name)}`);
  if (head.status === 200) return false;
  // 412: made by someone else between the two requests, which is as good.
  const answer = await expectStatus(client, 'PUT', `/${encodeURIComponent(name)}`, [201, 202, 412]);
  return answer.status !== 412;
}

async function ensureSecurity(client: CouchClient, db: string, wanted: SecurityObject): Promise<'created' | 'updated' | 'unchanged'> {
  const path = `/${encodeURIComponent(db)}/_security`;
  const current = await expectStatus(client, 'GET', path, [200]);
  if (sameSecurity(current.body, wanted)) return 'unchanged';
  const wasEmpty = !isRecord(current.body) || Object.keys(current.body).length === 0;
  await expectStatus(client, 'PUT', path, [200], wanted);
  return wasEmpty ? 'created' : 'updated';
}

async function ensureDesignDoc(client: CouchClient, db: string, kind: CentralDatabase): Promise<'created' | 'updated' | 'unchanged'> {
  const wanted = designDocFor(kind);
  const path = docPath(db, DESIGN_DOC_ID);
  const current = await expectStatus(client, 'GET', path, [200, 404]);
  if (current.status === 404) {
    await expectStatus(client, 'PUT', path, [201, 202], wanted);
    return 'created';
  }
  const body = isRecord(current.body) ? current.body : {};
  if (body.validate_doc_update === wanted.validate_doc_update && body.language === wanted.language) return 'unchanged';
  await expectStatus(client, 'PUT', path, [201, 202], { ...wanted, _rev: body._rev });
  return 'updated';
}

async function ensureUser(client: CouchClient, name: string, password: string, roles: readonly string[]): Promise<'created' | 'updated' | 'unchanged'> {
  const path = docPath('_users', `org.couchdb.user:${name}`);
  const current = await expectStatus(client, 'GET', path, [200, 404]);
  if (current.status === 404) {
    await expectStatus(client, 'PUT', path, [201, 202], { _id: `org.couchdb.user:${name}`, type: 'user', name, roles: [...roles], password });
    return 'created';
  }
  const doc = isRecord(current.body) ? current.body : {};
  const rolesMatch = JSON.stringify(sortedStrings(doc.roles)) === JSON.stringify([...roles].sort());
  const passwordMatches = await canLogIn(client.url, { username: name, password });
  if (rolesMatch && passwordMatches) return 'unchanged';
  // Without `password` the stored hash is kept; with it, the server hashes the new one.
  await expectStatus(client, 'PUT', path, [201, 202], { ...doc, roles: [...roles], ...(passwordMatches ? {} : { password }) });
  return 'updated';
}

/** Creates `wanted`, or updates the fields it names when they differ (other fields are kept). */
async function ensureDoc(client: CouchClient, db: string, wanted: Record<string, unknown>): Promise<'created' | 'updated' | 'unchanged'> {
  const id = String(wanted._id);
  const path = docPath(db, id);
  const current = await expectStatus(client, 'GET', path, [200, 404]);
  if (current.status === 404) {
    await expectStatus(client, 'PUT', path, [201, 202], wanted);
    return 'created';
  }
  const doc = isRecord(current.body) ? current.body : {};
  const differs = Object.entries(wanted).some(([key, value]) => JSON.stringify(doc[key]) !== JSON.stringify(value));
  if (!differs) return 'unchanged';
  await expectStatus(client, 'PUT', path, [201, 202], { ...doc, ...wanted });
  return 'updated';
}

// --- Master data ------------------------------------------------------------------------------

export interface LoadReport {
  /** Documents written, per database. */
  readonly written: Readonly<Record<string, number>>;
  /** Documents that were there already (by id) and so were left alone. */
  readonly skipped: number;
}

export const MASTER_BATCH_SIZE = 2000;

/**
 * Puts accounts, bills and tariffs into the right `td-master-<district>` and operators into
 * `td-operators`: accounts by `districtCode`, bills by their account's district (the account must
 * come before its bills, as the demo generator yields them), tariffs into every district database
 * that exists. A document whose id is already there is skipped, so a second load writes nothing.
 */
export async function loadMasterData(url: string, admin: CouchCredentials, docs: Iterable<object>): Promise<LoadReport> {
  const client = couchClient(url, admin);
  const all = await expectStatus(client, 'GET', '/_all_dbs', [200]);
  const masterPrefix = dbName.master('');
  const masterDbs = sortedStrings(all.body).filter((name) => name.startsWith(masterPrefix));
  const districtOfAccount = new Map<string, string>();
  const pending = new Map<string, Record<string, unknown>[]>();
  const written: Record<string, number> = {};
  let skipped = 0;

  async function flush(db: string): Promise<void> {
    const batch = pending.get(db) ?? [];
    pending.set(db, []);
    if (batch.length === 0) return;
    const ids = batch.map((doc) => String(doc._id));
    const existing = await expectStatus(client, 'POST', `/${encodeURIComponent(db)}/_all_docs`, [200], { keys: ids });
    const rows = isRecord(existing.body) && Array.isArray(existing.body.rows) ? (existing.body.rows as unknown[]) : [];
    const present = new Set(rows.filter((row) => isRecord(row) && typeof row.id === 'string' && row.error === undefined && isRecord(row.value) && row.value.deleted !== true).map((row) => (row as { id: string }).id));
    const fresh = batch.filter((doc) => !present.has(String(doc._id)));
    skipped += batch.length - fresh.length;
    if (fresh.length === 0) return;
    const answer = await expectStatus(client, 'POST', `/${encodeURIComponent(db)}/_bulk_docs`, [201, 202], { docs: fresh });
    const failures = Array.isArray(answer.body) ? (answer.body as unknown[]).filter((result) => isRecord(result) && result.error !== undefined) : [];
    if (failures.length > 0) throw new Error(`loading ${db}: ${failures.length} documents refused, first: ${JSON.stringify(failures[0])}`);
    written[db] = (written[db] ?? 0) + fresh.length;
  }

  async function add(db: string, doc: Record<string, unknown>): Promise<void> {
    const batch = pending.get(db) ?? [];
    batch.push(doc);
    pending.set(db, batch);
    if (batch.length >= MASTER_BATCH_SIZE) await flush(db);
  }

  for (const item of docs) {
    if (!isRecord(item) || typeof item._id !== 'string') throw new Error(`loadMasterData: not a document: ${JSON.stringify(item).slice(0, 120)}`);
    const doc = item;
    const id = item._id;
    switch (doc.type) {
      case 'account': {
        if (typeof doc.districtCode !== 'string' || typeof doc.accountNo !== 'string') throw new Error(`loadMasterData: account ${id} has no districtCode or accountNo`);
        districtOfAccount.set(doc.accountNo, doc.districtCode);
        await add(dbName.master(doc.districtCode), doc);
        break;
      }
      case 'bill': {
        const district = typeof doc.accountNo === 'string' ? districtOfAccount.get(doc.accountNo) : undefined;
        if (district === undefined) throw new Error(`loadMasterData: bill ${id} comes before its account (or has none)`);
        await add(dbName.master(district), doc);
        break;
      }
      case 'tariff-version':
        for (const db of masterDbs) await add(db, doc);
        break;
      case 'operator':
        await add(OPERATORS_DB, doc);
        break;
      default:
        throw new Error(`loadMasterData: ${id} is of type ${String(doc.type)}, which is not master data`);
    }
  }
  for (const db of [...pending.keys()]) await flush(db);
  return { written, skipped };
}
