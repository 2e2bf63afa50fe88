/**
 * Operator password hashes for the operator directory that central serves. The format is the
 * station's (electron/station/passwords.ts, which sync/ may not import):
 * `scrypt$N$r$p$<salt base64>$<key base64>`, NFKC-normalised password, 32-byte key, so a
 * station verifies what central wrote. Keep the two in step.
 */
import { createHash, randomBytes, scrypt } from 'node:crypto';

const KEY_LENGTH = 32;
const PARAMS = { N: 16384, r: 8, p: 1 } as const;

/**
 * The demo operators' salt, made from the staff number: the demo station seeds its own operator
 * directory (so it works with no central) and the demo central seeds the same one, and PouchDB's
 * revisions are digests of the content, so both must write identical documents or every
 * operator would become a replication conflict. Real operators get random salts.
 */
export function demoOperatorSalt(staffNo: string): Buffer {
  return createHash('sha256').update(`tongda-demo-operator:${staffNo}`).digest().subarray(0, 16);
}

export function hashOperatorPassword(password: string, salt: Buffer = randomBytes(16)): Promise<string> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...PARAMS, maxmem: 64 * 1024 * 1024 }, (error, key) => {
      if (error) reject(error);
      else resolve(['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$'));
    });
  });
}
