/**
 * The hall's device credentials (kiosks, display boards, counters), kept in the hub's hall
 * database as one document per device, `hall-device:<deviceId>`.
 *
 * A credential is `tdh1.<deviceId>.<secret>`. The document keeps the SHA-256 of the secret, never
 * the secret: the admin sees the credential once, when it is issued. A plain hash (not scrypt)
 * is enough because the secret is 32 random bytes, not something a person chose: there is no
 * dictionary to try, and a slow hash only protects low-entropy secrets. A fast check also keeps
 * authenticate() synchronous and cheap on every WebSocket upgrade.
 *
 * Everything is loaded into memory at open; writes (issue, revoke) go to the database first and
 * change memory only once durable, so a hub that restarts refuses exactly what it refused.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type PouchDB from 'pouchdb';
import { z } from 'zod';
import { printerSettingsSchema, type PrinterSettings } from '../../core/contract/printing.js';
import { deviceCredentialSchema, deviceKindSchema, type DeviceKind, type DeviceView } from '../../core/hall/contract.js';
import { counterNoSchema, type CounterNo } from '../../core/hall/model.js';
import { instantSchema } from '../../core/schema/primitives.js';
import type { Clock } from '../../core/time/local-date.js';
import type { DeviceRegistry, HallDevice } from './types.js';

export const DEVICE_DOC_PREFIX = 'hall-device:';
const CREDENTIAL_VERSION = 'tdh1';
/** 32 bytes: 43 base64url characters, inside deviceCredentialSchema's 32 to 64. */
const SECRET_BYTES = 32;
/** 8 bytes as hex: 16 characters of [0-9a-f], inside the device id's [a-z0-9]{6,40}. */
const DEVICE_ID_BYTES = 8;

const deviceDocSchema = z.object({
  _id: z.string(),
  _rev: z.string(),
  type: z.literal('hall-device'),
  deviceId: z.string().regex(/^[a-z0-9]{6,40}$/),
  kind: deviceKindSchema,
  name: z.string().min(1).max(32),
  counterNo: counterNoSchema.nullable(),
  printer: printerSettingsSchema.nullable(),
  issuedAt: instantSchema,
  issuedBy: z.string(),
  revokedAt: instantSchema.nullable(),
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
type DeviceDoc = z.infer<typeof deviceDocSchema>;

interface DeviceRecord {
  doc: DeviceDoc;
  readonly secretHash: Buffer;
  /** Open connections now: a board page can be open twice, and it is online while either is. */
  connections: number;
  lastSeenAt: string | null;
}

export class DeviceRegistryInputError extends Error {
  override readonly name = 'DeviceRegistryInputError';
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function viewOf(record: DeviceRecord): DeviceView {
  const { doc } = record;
  return {
    deviceId: doc.deviceId,
    kind: doc.kind,
    name: doc.name,
    counterNo: doc.counterNo,
    printer: doc.printer,
    issuedAt: doc.issuedAt,
    issuedBy: doc.issuedBy,
    revokedAt: doc.revokedAt,
    lastSeenAt: record.lastSeenAt,
    online: record.connections > 0,
  };
}

function deviceOf(doc: DeviceDoc): HallDevice {
  return { deviceId: doc.deviceId, kind: doc.kind, name: doc.name, counterNo: doc.counterNo, printer: doc.printer };
}

/** What issue() accepts: a counter names its counter, a kiosk may have a printer, a board has neither. */
function checkIssueInput(input: { kind: DeviceKind; name: string; counterNo: CounterNo | null; printer: PrinterSettings | null }): string | null {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 32) return 'a device name is 1 to 32 characters';
  if (input.kind === 'counter') {
    if (input.counterNo === null || !counterNoSchema.safeParse(input.counterNo).success) return 'a counter device needs a counter number 1 to 99';
  } else if (input.counterNo !== null) {
    return `a ${input.kind} has no counter number`;
  }
  if (input.kind !== 'kiosk' && input.printer !== null) return `a ${input.kind} has no printer (kiosks print tickets)`;
  if (input.printer !== null && !printerSettingsSchema.safeParse(input.printer).success) return 'invalid printer settings';
  return null;
}

export async function openDeviceRegistry(options: { readonly db: PouchDB.Database; readonly clock: Clock }): Promise<DeviceRegistry> {
  const { db, clock } = options;
  const records = new Map<string, DeviceRecord>();
  const listeners = new Set<(deviceId: string) => void>();

  const page = await db.allDocs({ startkey: DEVICE_DOC_PREFIX, endkey: `${DEVICE_DOC_PREFIX}\uffff`, include_docs: true });
  for (const row of page.rows) {
    const parsed = deviceDocSchema.safeParse(row.doc);
    // A document this version cannot read grants nothing: its device is refused as unknown.
    if (!parsed.success) continue;
    records.set(parsed.data.deviceId, { doc: parsed.data, secretHash: Buffer.from(parsed.data.secretSha256, 'hex'), connections: 0, lastSeenAt: null });
  }

  // One write at a time, so two revokes of one device never race on its revision.
  let writes: Promise<unknown> = Promise.resolve();
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = writes.then(run, run);
    writes = next.catch(() => undefined);
    return next;
  };

  const registry: DeviceRegistry = {
    list() {
      return [...records.values()].map(viewOf).sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.deviceId.localeCompare(b.deviceId));
    },

    issue(input) {
      return serial(async () => {
        const problem = checkIssueInput(input);
        if (problem !== null) throw new DeviceRegistryInputError(problem);
        let deviceId = randomBytes(DEVICE_ID_BYTES).toString('hex');
        while (records.has(deviceId)) deviceId = randomBytes(DEVICE_ID_BYTES).toString('hex');
        const secret = randomBytes(SECRET_BYTES).toString('base64url');
        const secretHash = sha256(secret);
        const body = {
          _id: `${DEVICE_DOC_PREFIX}${deviceId}`,
          type: 'hall-device' as const,
          deviceId,
          kind: input.kind,
          name: input.name.trim(),
          counterNo: input.counterNo,
          printer: input.printer,
          issuedAt: clock.now().toISOString(),
          issuedBy: input.issuedBy,
          revokedAt: null,
          secretSha256: secretHash.toString('hex'),
        };
        const written = await db.put(body);
        const record: DeviceRecord = { doc: { ...body, _rev: written.rev }, secretHash, connections: 0, lastSeenAt: null };
        records.set(deviceId, record);
        const credential = `${CREDENTIAL_VERSION}.${deviceId}.${secret}`;
        return { device: viewOf(record), credential };
      });
    },

    revoke(deviceId) {
      return serial(async () => {
        const record = records.get(deviceId);
        if (record === undefined) return null;
        if (record.doc.revokedAt === null) {
          const doc: DeviceDoc = { ...record.doc, revokedAt: clock.now().toISOString() };
          const written = await db.put(doc);
          record.doc = { ...doc, _rev: written.rev };
        }
        // Told again on a repeated revoke too: a socket that somehow outlived the first is closed now.
        for (const listener of listeners) {
          try {
            listener(deviceId);
          } catch {
            // One listener's failure must not keep the others from closing their sockets.
          }
        }
        return viewOf(record);
      });
    },

    authenticate(credential) {
      if (!deviceCredentialSchema.safeParse(credential).success) return { ok: false, reason: 'malformed' };
      const [, deviceId = '', secret = ''] = credential.split('.');
      const record = records.get(deviceId);
      // Hash even for an unknown device, so the time taken does not tell which ids exist.
      const offered = sha256(secret);
      if (record === undefined) return { ok: false, reason: 'unknown' };
      if (!timingSafeEqual(offered, record.secretHash)) return { ok: false, reason: 'unknown' };
      // Only a holder of the right secret learns that it was revoked.
      if (record.doc.revokedAt !== null) return { ok: false, reason: 'revoked' };
      return { ok: true, device: deviceOf(record.doc) };
    },

    markSeen(deviceId, online) {
      const record = records.get(deviceId);
      if (record === undefined) return;
      record.connections = Math.max(0, record.connections + (online ? 1 : -1));
      record.lastSeenAt = clock.now().toISOString();
    },

    onRevoked(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  return registry;
}
