/**
 * The hall queue at this station: the counter's calls go to the hub through the station's hall
 * client (a request id made here per press, so a resend after a dropped connection is answered,
 * never acted on twice); the hub's settings and devices are handled where the hub runs.
 */
import { err, ok, type Result } from '../../../core/contract/result.js';
import type { HallCommandInput, HallCommandName, HallCommandOutput } from '../../../core/hall/contract.js';
import { requireSession, type StationContext } from '../context.js';
import { HallConfigError } from '../hall-station.js';
import type { CommandHandlers } from './types.js';
import type { QueueState } from '../../../core/contract/hall.js';

function requestId(ctx: StationContext): string {
  return `${ctx.config.stationId}-${ctx.randomHex(10)}`;
}

/** A counter command through the hub; the answer is this station's queue state after it. */
async function counterStep<C extends HallCommandName>(ctx: StationContext, command: C, input: HallCommandInput<C>): Promise<Result<QueueState>> {
  const result: Result<HallCommandOutput<C>> = await ctx.hall.counterCall(command, input);
  if (!result.ok) return result;
  return ok(ctx.hall.state());
}

function notHub(): Result<never> {
  return err('HALL_NOT_CONFIGURED', 'this station is not the hall hub');
}

async function audited(ctx: StationContext, actor: string, subject: string, detail: Readonly<Record<string, unknown>>): Promise<void> {
  await ctx.writer.run(() => ctx.audit.append([{ kind: 'settings-changed', actor, subject, detail }]));
}

export const hallHandlers = {
  'queue.state': (_input, _call, ctx) => Promise.resolve(ok(ctx.hall.state())),
  'queue.callNext': (_input, _call, ctx) => counterStep(ctx, 'hall.callNext', { requestId: requestId(ctx) }),
  'queue.recall': ({ ticketId }, _call, ctx) => counterStep(ctx, 'hall.recall', { requestId: requestId(ctx), ticketId }),
  'queue.start': ({ ticketId }, _call, ctx) => counterStep(ctx, 'hall.start', { requestId: requestId(ctx), ticketId }),
  'queue.finish': ({ ticketId }, _call, ctx) => counterStep(ctx, 'hall.finish', { requestId: requestId(ctx), ticketId }),
  'queue.noShow': ({ ticketId }, _call, ctx) => counterStep(ctx, 'hall.noShow', { requestId: requestId(ctx), ticketId }),
  'queue.transfer': ({ ticketId, to }, _call, ctx) => counterStep(ctx, 'hall.transfer', { requestId: requestId(ctx), ticketId, to }),

  'queue.figures': async (_input, _call, ctx) => {
    const hub = ctx.hall.hub();
    // The hub answers from its own memory; another station asks it with its counter credential.
    if (hub !== null) return ok(hub.queue.figures(hub.server.connectedCounters()));
    if (ctx.hall.hasCounter()) return ctx.hall.counterCall('hall.figures', {});
    return notHub();
  },

  'queue.ticket': async ({ ticketId }, _call, ctx) => {
    const hub = ctx.hall.hub();
    const history = hub !== null ? hub.queue.ticket({ ticketId }) : ctx.hall.hasCounter() ? await ctx.hall.counterCall('hall.ticket', { ticketId }) : notHub();
    if (!history.ok) return history;
    // Entries of every station of the district that stamped it (pulled from central), and this one's.
    const entries = ctx.ledger.forTicket(ticketId).map((entry) => ({ ...entry, reversedByEntryId: ctx.ledger.reversalOf(entry.entryId)?.entryId ?? null }));
    return ok({ history: history.value, entries });
  },

  'hall.configure': async (input, call, ctx) => {
    const session = requireSession(call);
    const before = { hub: { ...ctx.config.hall.hub }, counter: ctx.config.hall.counter === null ? null : { hubUrl: ctx.config.hall.counter.hubUrl } };
    try {
      const state = await ctx.hall.configure(input);
      // Where the hall's queue listens and which hub this counter trusts are security settings.
      await audited(ctx, session.operator.staffNo, 'hall', { before, after: { hub: input.hub, counter: input.counter === null ? null : { hubUrl: input.counter.hubUrl, newCredential: input.counter.credential !== undefined } } });
      return ok(state);
    } catch (error) {
      if (error instanceof HallConfigError) return err('INVALID_INPUT', error.message, { issues: [{ path: ['counter', 'credential'], message: error.message }] });
      throw error;
    }
  },

  'hall.settings': (_input, _call, ctx) => {
    const hub = ctx.hall.hub();
    return Promise.resolve(hub === null ? notHub() : ok(hub.queue.settings()));
  },

  'hall.saveSettings': async (settings, call, ctx) => {
    const session = requireSession(call);
    const hub = ctx.hall.hub();
    if (hub === null) return notHub();
    const saved = await hub.queue.saveSettings(settings);
    if (saved.ok) await audited(ctx, session.operator.staffNo, 'hall.settings', { counters: settings.counters.length, services: settings.services.map((s) => s.code) });
    return saved;
  },

  'hall.devices': (_input, _call, ctx) => {
    const hub = ctx.hall.hub();
    return Promise.resolve(hub === null ? notHub() : ok({ devices: hub.registry.list() }));
  },

  'hall.issueDevice': async (input, call, ctx) => {
    const session = requireSession(call);
    const hub = ctx.hall.hub();
    if (hub === null) return notHub();
    const issued = await hub.registry.issue({ ...input, issuedBy: session.operator.staffNo });
    await audited(ctx, session.operator.staffNo, 'hall.device', { issued: issued.device.deviceId, kind: input.kind, counterNo: input.counterNo });
    const pageUrl = input.kind === 'counter' ? null : ctx.hall.pageUrl(input.kind, issued.credential);
    return ok({ device: issued.device, credential: issued.credential, pageUrl });
  },

  'hall.revokeDevice': async ({ deviceId }, call, ctx) => {
    const session = requireSession(call);
    const hub = ctx.hall.hub();
    if (hub === null) return notHub();
    const device = await hub.registry.revoke(deviceId);
    if (device === null) return err('HALL_UNKNOWN_TARGET', `no device ${deviceId}`);
    await audited(ctx, session.operator.staffNo, 'hall.device', { revoked: deviceId });
    return ok({ device });
  },
} satisfies Pick<
  CommandHandlers,
  | 'queue.state'
  | 'queue.callNext'
  | 'queue.recall'
  | 'queue.start'
  | 'queue.finish'
  | 'queue.noShow'
  | 'queue.transfer'
  | 'queue.figures'
  | 'queue.ticket'
  | 'hall.configure'
  | 'hall.settings'
  | 'hall.saveSettings'
  | 'hall.devices'
  | 'hall.issueDevice'
  | 'hall.revokeDevice'
>;
