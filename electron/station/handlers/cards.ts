import { err, ok } from '../../../core/contract/result.js';
import { listSerialPorts } from '../../../hardware/gcr1/driver.js';
import { cancelTopup, confirmTopup, inspectCard, prepareTopup, settleByRefund } from '../card-service.js';
import { saveStationConfig } from '../config.js';
import { requireSession } from '../context.js';
import { approve } from './session.js';
import type { CommandHandlers } from './types.js';
import { resumeTopup } from '../card-service.js';


export const cardHandlers = {
  'reader.state': (_input, _call, ctx) => Promise.resolve(ok(ctx.reader.state())),

  'reader.ports': async () => {
    const listed = await listSerialPorts();
    if (!listed.ok) return err('READER_UNAVAILABLE', listed.error.message);
    return ok({ ports: listed.value.map((port) => ({ path: port.path, manufacturer: port.manufacturer ?? null })) });
  },

  'reader.configure': async (input, _call, ctx) => {
    const reader = input.kind === 'serial' ? { kind: 'serial' as const, path: input.path, baudRate: input.baudRate } : { kind: input.kind, path: null, baudRate: ctx.config.reader.baudRate };
    if (ctx.dataDir !== null) saveStationConfig(ctx.dataDir, { ...ctx.config, reader });
    ctx.config.reader = reader;
    return ok(await ctx.reader.configure(reader));
  },

  'reader.test': async (_input, _call, ctx) => {
    const port = ctx.reader.port();
    if (!port) return ok({ ok: false, description: null, roundTripMs: null, problem: ctx.reader.state().problem ?? 'no reader connected' });
    const started = performance.now();
    const info = await port.info();
    const roundTripMs = Math.round((performance.now() - started) * 10) / 10;
    return ok(info.ok ? { ok: true, description: info.value.description, roundTripMs, problem: null } : { ok: false, description: null, roundTripMs, problem: `${info.error.code}: ${info.error.message}` });
  },

  'card.inspect': (_input, call, ctx) => {
    const { operator } = requireSession(call);
    return inspectCard(ctx, { staffNo: operator.staffNo, name: operator.name });
  },

  'topup.prepare': (input, call, ctx) => {
    const { operator } = requireSession(call);
    return prepareTopup(ctx, { staffNo: operator.staffNo, name: operator.name }, input);
  },

  'topup.confirm': async (input, call, ctx) => {
    const { operator } = requireSession(call);
    let approvedBy = null;
    if (input.approver) {
      approvedBy = await approve(ctx, input.approver, { requestedBy: operator.staffNo, subject: input.txnId, action: 'top-up-despite-inspection' });
      if (!approvedBy) return err('APPROVAL_REFUSED', 'the approving credentials are wrong or not a supervisor’s');
    }
    return confirmTopup(ctx, { staffNo: operator.staffNo, name: operator.name }, {
      txnId: input.txnId,
      method: input.method,
      tendered: input.tendered,
      reference: input.reference,
      approvedBy,
    });
  },

  'topup.resume': (input, call, ctx) => {
    const { operator } = requireSession(call);
    return resumeTopup(ctx, { staffNo: operator.staffNo, name: operator.name }, input.entryId);
  },

  'topup.cancel': async (input, call, ctx) => {
    const { operator } = requireSession(call);
    const entry = ctx.ledger.get(input.entryId);
    if (entry && entry.operator.staffNo === input.approver.staffNo) return err('APPROVER_IS_MAKER', 'the approver must be a supervisor other than the operator who made the top-up');
    const approvedBy = await approve(ctx, input.approver, { requestedBy: operator.staffNo, subject: input.entryId, action: 'top-up-cancel' });
    if (!approvedBy) return err('APPROVAL_REFUSED', 'the approving credentials are wrong or not a supervisor’s');
    return cancelTopup(ctx, { staffNo: operator.staffNo, name: operator.name }, { entryId: input.entryId, reason: input.reason, approvedBy });
  },

  'topup.settle': async (input, call, ctx) => {
    const { operator } = requireSession(call);
    const entry = ctx.ledger.get(input.entryId);
    if (entry && entry.operator.staffNo === input.approver.staffNo) return err('APPROVER_IS_MAKER', 'the approver must be a supervisor other than the operator who made the top-up');
    const approvedBy = await approve(ctx, input.approver, { requestedBy: operator.staffNo, subject: input.entryId, action: 'top-up-refund' });
    if (!approvedBy) return err('APPROVAL_REFUSED', 'the approving credentials are wrong or not a supervisor’s');
    return settleByRefund(ctx, { staffNo: operator.staffNo, name: operator.name }, { entryId: input.entryId, reason: input.reason, approvedBy });
  },

  'demo.cards': async (_input, _call, ctx) => {
    const demo = ctx.config.demo ? ctx.reader.demo() : null;
    if (!demo) return err('NOT_DEMO', 'demo cards exist only on a demo station with the emulated reader');
    return ok({ cards: await demo.cards() });
  },

  'demo.card': async (input, _call, ctx) => {
    const demo = ctx.config.demo ? ctx.reader.demo() : null;
    if (!demo) return err('NOT_DEMO', 'demo cards exist only on a demo station with the emulated reader');
    try {
      switch (input.action) {
        case 'insert':
          await demo.insert(input.card);
          break;
        case 'remove':
          await demo.remove();
          break;
        case 'use-in-meter':
          await demo.useInMeter();
          break;
        default: {
          const unreachable: never = input;
          return unreachable;
        }
      }
    } catch (error) {
      return err('INVALID_INPUT', error instanceof Error ? error.message : String(error));
    }
    return ok({ done: true as const });
  },
} satisfies Pick<
  CommandHandlers,
  'reader.state' | 'reader.ports' | 'reader.configure' | 'reader.test' | 'card.inspect' | 'topup.prepare' | 'topup.confirm' | 'topup.resume' | 'topup.cancel' | 'topup.settle' | 'demo.cards' | 'demo.card'
>;
