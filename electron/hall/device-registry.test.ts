import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type PouchDB from 'pouchdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceCredentialSchema } from '../../core/hall/contract.js';
import { manualClock } from '../../core/time/local-date.js';
import { openDurable } from '../station/database.js';
import { DEVICE_DOC_PREFIX, DeviceRegistryInputError, openDeviceRegistry } from './device-registry.js';

let dir: string;
let db: PouchDB.Database;
let clock = manualClock('2026-03-02T01:00:00Z');

function openDb(): PouchDB.Database {
  return openDurable(join(dir, 'hall'));
}

beforeEach(async () => {
  clock = manualClock('2026-03-02T01:00:00Z');
  dir = await mkdtemp(join(tmpdir(), 'tongda-registry-'));
  db = openDb();
});

afterEach(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

const kiosk = { kind: 'kiosk', name: '取号机1', counterNo: null, printer: null, issuedBy: '0001' } as const;

describe('device registry', () => {
  it('issues a credential that authenticates, and stores only a hash of its secret', async () => {
    const registry = await openDeviceRegistry({ db, clock });
    const { device, credential } = await registry.issue(kiosk);
    expect(deviceCredentialSchema.safeParse(credential).success).toBe(true);
    expect(credential.startsWith(`tdh1.${device.deviceId}.`)).toBe(true);
    expect(device).toMatchObject({ kind: 'kiosk', name: '取号机1', issuedAt: '2026-03-02T01:00:00.000Z', issuedBy: '0001', revokedAt: null, online: false, lastSeenAt: null });

    const auth = registry.authenticate(credential);
    expect(auth).toEqual({ ok: true, device: { deviceId: device.deviceId, kind: 'kiosk', name: '取号机1', counterNo: null, printer: null } });

    const secret = credential.split('.')[2] ?? '';
    const stored = await db.get(`${DEVICE_DOC_PREFIX}${device.deviceId}`);
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored['secretSha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells malformed, unknown and wrong-secret credentials apart from good ones', async () => {
    const registry = await openDeviceRegistry({ db, clock });
    const { device, credential } = await registry.issue(kiosk);
    expect(registry.authenticate('nonsense')).toEqual({ ok: false, reason: 'malformed' });
    expect(registry.authenticate('')).toEqual({ ok: false, reason: 'malformed' });
    const secret = credential.split('.')[2] ?? '';
    expect(registry.authenticate(`tdh1.abcdef123456.${secret}`)).toEqual({ ok: false, reason: 'unknown' });
    const wrong = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(registry.authenticate(`tdh1.${device.deviceId}.${wrong}`)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('revokes durably and tells listeners; a restarted registry still refuses it', async () => {
    const registry = await openDeviceRegistry({ db, clock });
    const { device, credential } = await registry.issue(kiosk);
    const heard: string[] = [];
    registry.onRevoked((id) => heard.push(id));
    clock.advance(60_000);
    const revoked = await registry.revoke(device.deviceId);
    expect(revoked?.revokedAt).toBe('2026-03-02T01:01:00.000Z');
    expect(heard).toEqual([device.deviceId]);
    expect(registry.authenticate(credential)).toEqual({ ok: false, reason: 'revoked' });
    // Idempotent: the first revocation time stays.
    clock.advance(60_000);
    expect((await registry.revoke(device.deviceId))?.revokedAt).toBe('2026-03-02T01:01:00.000Z');
    expect(await registry.revoke('unknown1')).toBeNull();

    await db.close();
    db = openDb();
    const reopened = await openDeviceRegistry({ db, clock });
    expect(reopened.authenticate(credential)).toEqual({ ok: false, reason: 'revoked' });
    expect(reopened.list().map((d) => d.deviceId)).toEqual([device.deviceId]);
  });

  it('lists who is online from markSeen, counting each open connection', async () => {
    const registry = await openDeviceRegistry({ db, clock });
    const { device } = await registry.issue({ kind: 'board', name: '大屏', counterNo: null, printer: null, issuedBy: '0001' });
    registry.markSeen(device.deviceId, true);
    registry.markSeen(device.deviceId, true);
    registry.markSeen(device.deviceId, false);
    expect(registry.list()[0]).toMatchObject({ online: true, lastSeenAt: '2026-03-02T01:00:00.000Z' });
    clock.advance(1000);
    registry.markSeen(device.deviceId, false);
    expect(registry.list()[0]).toMatchObject({ online: false, lastSeenAt: '2026-03-02T01:00:01.000Z' });
  });

  it('refuses inconsistent devices: a counter without its number, a board with a printer', async () => {
    const registry = await openDeviceRegistry({ db, clock });
    await expect(registry.issue({ kind: 'counter', name: '3号窗口', counterNo: null, printer: null, issuedBy: '0001' })).rejects.toThrow(DeviceRegistryInputError);
    await expect(registry.issue({ kind: 'kiosk', name: 'k', counterNo: 3, printer: null, issuedBy: '0001' })).rejects.toThrow(DeviceRegistryInputError);
    await expect(
      registry.issue({
        kind: 'board',
        name: '大屏',
        counterNo: null,
        printer: { model: 'escpos', interface: { kind: 'virtual' }, paperColumns: 48, mode: 'text', kickDrawerOnCash: false },
        issuedBy: '0001',
      }),
    ).rejects.toThrow(DeviceRegistryInputError);
    const counter = await registry.issue({ kind: 'counter', name: '3号窗口', counterNo: 3, printer: null, issuedBy: '0001' });
    expect(registry.authenticate(counter.credential)).toMatchObject({ ok: true, device: { kind: 'counter', counterNo: 3 } });
  });
});
