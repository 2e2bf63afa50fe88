/**
 * `node dist/central/setup.mjs --url http://host:5984 --admin user:pass --plan plan.json`
 * Sets up (or brings up to date) a central CouchDB for the plan: databases, users, _security,
 * design documents, the station directory. Safe to run again. Exit 0 done, 1 failed, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { centralPlanSchema, setupCentral } from './setup.js';

const USAGE = `usage: setup --url <http://host:port> --admin <user:password> --plan <plan.json>

  --url    the CouchDB (3.x) or embedded central to set up, without credentials
  --admin  a server admin's name and password, separated by the first colon
  --plan   JSON: { "districts": [..], "stations": [{ "stationId", "district", "name",
           "kind": "hall"|"van", "receiptPrefix", "password" }], "centralService": { "password" } }
`;

function usage(problem: string): never {
  process.stderr.write(`setup: ${problem}\n\n${USAGE}`);
  process.exit(2);
}

interface Arguments {
  readonly url: string;
  readonly admin: { readonly username: string; readonly password: string };
  readonly planPath: string;
}

function parseArguments(argv: readonly string[]): Arguments {
  let values: { url?: string | undefined; admin?: string | undefined; plan?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { url: { type: 'string' }, admin: { type: 'string' }, plan: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (!values.url) usage('--url is required');
  if (!values.admin) usage('--admin is required');
  if (!values.plan) usage('--plan is required');
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(values.url);
  } catch {
    usage(`--url ${values.url} is not a URL`);
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') usage('--url must be http or https');
  if (parsedUrl.username || parsedUrl.password) usage('--url must not carry credentials; use --admin');
  const colon = values.admin.indexOf(':');
  if (colon <= 0 || colon === values.admin.length - 1) usage('--admin must be user:password');
  return {
    url: values.url,
    admin: { username: values.admin.slice(0, colon), password: values.admin.slice(colon + 1) },
    planPath: values.plan,
  };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  let planJson: unknown;
  try {
    planJson = JSON.parse(readFileSync(args.planPath, 'utf8'));
  } catch (error) {
    usage(`cannot read the plan ${args.planPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const plan = centralPlanSchema.safeParse(planJson);
  if (!plan.success) usage(`the plan ${args.planPath} is not valid:\n${plan.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`);
  const report = await setupCentral(args.url, args.admin, plan.data, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify({ created: report.created.length, updated: report.updated.length, unchanged: report.unchanged })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`setup: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
