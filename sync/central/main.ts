/**
 * `node dist/central/main.mjs [--demo] [--port 5985] [--data .data/central] [--admin admin:tongda-demo]`
 * (`npm run central` passes --demo): the embedded central on 127.0.0.1, set up with the demo
 * plan, the demo master data loaded when the SHUSHAN master is empty, and the central service
 * running beside it. Prints `TONGDA_CENTRAL_READY <url>` on stdout when everything is up; exits 0
 * after closing on SIGTERM or SIGINT.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { localDateOf, systemClock } from '../../core/time/local-date.js';
import { dbName, userName } from '../../core/sync/layout.js';
import { startCentralService } from '../service/central-service.js';
import { couchClient, expectStatus, isRecord } from '../setup/couch-http.js';
import { DEMO_CENTRAL_PASSWORD, demoCentralPlan, demoMasterDocs, demoOperatorDocs } from '../setup/demo-plan.js';
import { loadMasterData, setupCentral } from '../setup/setup.js';
import { startEmbeddedCentral } from './server.js';

const USAGE = 'usage: central [--demo] [--port 5985] [--data .data/central] [--admin admin:tongda-demo]\n';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function fail(problem: string): never {
  process.stderr.write(`central: ${problem}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { demo?: boolean | undefined; port?: string | undefined; data?: string | undefined; admin?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { demo: { type: 'boolean' }, port: { type: 'string' }, data: { type: 'string' }, admin: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const port = Number(values.port ?? '5985');
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${values.port ?? ''} is not a port`);
  const adminText = values.admin ?? 'admin:tongda-demo';
  const colon = adminText.indexOf(':');
  if (colon <= 0) fail('--admin must be user:password');
  const admin = { username: adminText.slice(0, colon), password: adminText.slice(colon + 1) };

  const central = await startEmbeddedCentral({ dataDir: values.data ?? '.data/central', port, admin, log });
  let service: { close(): Promise<void> } | null = null;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`central: ${signal}, closing`);
    void (async () => {
      try {
        await service?.close();
      } finally {
        await central.close();
      }
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  if (values.demo) {
    const plan = demoCentralPlan();
    await setupCentral(central.url, admin, plan, log);
    const shushan = dbName.master('SHUSHAN');
    // Not doc_count: the design document is in every database.
    const accounts = await expectStatus(couchClient(central.url, admin), 'GET', `/${shushan}/_all_docs?startkey=%22account%3A%22&endkey=%22account%3A%EF%BF%B0%22&limit=1`, [200]);
    const empty = isRecord(accounts.body) && Array.isArray(accounts.body.rows) && accounts.body.rows.length === 0;
    if (empty) {
      const started = Date.now();
      const today = localDateOf(systemClock.now());
      const operators = await demoOperatorDocs();
      const report = await loadMasterData(central.url, admin, [...operators, ...demoMasterDocs({ today })]);
      const total = Object.values(report.written).reduce((sum, count) => sum + count, 0);
      log(`central: loaded ${total} demo master documents in ${Date.now() - started} ms`);
    }
    service = await startCentralService({
      url: central.url,
      auth: { username: userName.centralService, password: DEMO_CENTRAL_PASSWORD },
      instanceId: `embedded-${randomUUID().slice(0, 8)}`,
      log: (line) => log(`[central-service] ${line}`),
    });
  }
  if (stopping) return;
  process.stdout.write(`TONGDA_CENTRAL_READY ${central.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`central: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
