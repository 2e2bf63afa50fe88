/**
 * `npm run audit:check -- --data <dir>`: verifies a station's audit chain and the ledger entries
 * it seals, with the station stopped (LevelDB allows one process at a time). Prints the result
 * as JSON; exits 1 when anything was removed, edited or reordered.
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../../core/time/local-date.js';
import { AuditLog } from '../station/audit-log.js';
import { loadStationConfig } from '../station/config.js';
import { openStationDatabases } from '../station/database.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { data: { type: 'string', default: '.data/station' } } });
  const dataDir = values.data;
  const config = loadStationConfig(dataDir);
  const dbs = openStationDatabases(dataDir);
  try {
    const audit = new AuditLog(dbs.station, config.stationId, systemClock);
    const check = await audit.verify();
    process.stdout.write(`${JSON.stringify({ stationId: config.stationId, ...check }, null, 2)}\n`);
    process.stderr.write(check.ok ? `审计链完整 audit chain intact: ${check.records} records, head #${check.headSeq}\n` : `审计链异常 audit chain BROKEN: ${check.problems.length} problem(s)\n`);
    return check.ok ? 0 : 1;
  } finally {
    await dbs.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
