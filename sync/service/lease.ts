/**
 * The one-active-instance lease: `lease:central-service` in td-central, `{ holder, expiresAt }`.
 * Taken when absent or expired; a conflicting write means another instance took it first. The
 * holder renews it well before it expires; an instance that cannot renew (lost the race, or
 * central unreachable past expiry) stops working. Every write the service makes is idempotent,
 * so two instances overlapping for a moment (a clock skew, a slow renewal) cost nothing but work.
 */
import type { Database } from './database.js';
import { getOrNull, isConflict } from './database.js';

export const LEASE_DOC_ID = 'lease:central-service';

export interface LeaseDoc {
  _id: string;
  _rev?: string;
  type: 'service-lease';
  holder: string;
  expiresAt: string;
  renewedAt: string;
}

export class Lease {
  private expiresAtMs = 0;
  private held = false;

  constructor(
    private readonly db: Database,
    private readonly instanceId: string,
    private readonly leaseMs: number,
    private readonly now: () => Date,
  ) {}

  /** Whether this instance may work now: it holds the lease and, as far as it knows, it has not expired. */
  get holding(): boolean {
    return this.held && this.now().getTime() < this.expiresAtMs;
  }

  /** Takes the lease if it is free or expired, or renews it if this instance holds it. Returns whether it is held. */
  async acquireOrRenew(): Promise<boolean> {
    const current = await getOrNull(this.db, LEASE_DOC_ID);
    const nowMs = this.now().getTime();
    if (current !== null) {
      const holder = current['holder'];
      const expires = typeof current['expiresAt'] === 'string' ? Date.parse(current['expiresAt']) : 0;
      if (holder !== this.instanceId && nowMs < expires) {
        this.held = false;
        return false;
      }
    }
    const expiresAtMs = nowMs + this.leaseMs;
    const doc: LeaseDoc = {
      _id: LEASE_DOC_ID,
      type: 'service-lease',
      holder: this.instanceId,
      expiresAt: new Date(expiresAtMs).toISOString(),
      renewedAt: new Date(nowMs).toISOString(),
    };
    if (current !== null) doc._rev = current._rev;
    try {
      await this.db.put({ ...doc });
    } catch (error: unknown) {
      if (isConflict(error)) {
        this.held = false;
        return false;
      }
      throw error;
    }
    this.held = true;
    this.expiresAtMs = expiresAtMs;
    return true;
  }

  /** Lets the next instance take over at once instead of waiting for expiry. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    const current = await getOrNull(this.db, LEASE_DOC_ID);
    if (current === null || current['holder'] !== this.instanceId) return;
    try {
      await this.db.put({ ...current, expiresAt: new Date(0).toISOString() });
    } catch (error: unknown) {
      if (!isConflict(error)) throw error;
    }
  }

  /** Forget the lease locally (after an error renewing it past its expiry). */
  drop(): void {
    this.held = false;
  }
}
