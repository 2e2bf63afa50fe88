import { err, ok } from '../../../core/contract/result.js';
import { saveStationConfig } from '../config.js';
import { requireSession } from '../context.js';
import type { CommandHandlers } from './types.js';

export const printingHandlers = {
  'printer.state': (_input, _call, ctx) => Promise.resolve(ok(ctx.printQueue.state())),

  'printer.retry': (_input, _call, ctx) => Promise.resolve(ok(ctx.printQueue.retry())),

  'printer.resolve': ({ jobId, outcome }, call, ctx) => {
    const { operator } = requireSession(call);
    return ctx.printQueue.resolve(jobId, outcome, { staffNo: operator.staffNo, name: operator.name });
  },

  'printer.configure': async (settings, _call, ctx) => {
    if (ctx.dataDir !== null) saveStationConfig(ctx.dataDir, { ...ctx.config, printer: settings });
    ctx.config.printer = settings;
    return ok(await ctx.printQueue.reconfigure());
  },

  'printer.test': async (_input, _call, ctx) => {
    if (ctx.config.printer.interface.kind === 'none') return err('PRINTER_OFF', 'no printer is configured at this station');
    return ok(await ctx.printQueue.testPrint(ctx.config.stationName));
  },

  'receipts.list': ({ accountNo }, _call, ctx) => Promise.resolve(ok({ receipts: ctx.receipts.forAccount(accountNo) })),

  'receipts.reprint': async ({ receiptNo }, call, ctx) => {
    const { operator } = requireSession(call);
    const receipt = ctx.receipts.receipt(receiptNo);
    if (!receipt) return err('RECEIPT_NOT_FOUND', `no receipt ${receiptNo} at this station`);
    if (ctx.config.printer.interface.kind === 'none') return err('PRINTER_OFF', 'no printer is configured at this station');
    const by = { staffNo: operator.staffNo, name: operator.name };
    const job = await ctx.writer.run(async () => {
      // Numbered inside the writer: two clicks make 重打 1 and 2, never two 1s.
      const reprint = ctx.receipts.nextReprint(receiptNo);
      const doc = ctx.receipts.jobFor(receipt, reprint, by, ctx.clock.now().toISOString());
      const records = ctx.audit.prepare([{ kind: 'receipt-reprint', actor: operator.staffNo, subject: receiptNo, detail: { jobId: doc.jobId, reprint } }]);
      const results = await ctx.dbs.station.bulkDocs([doc, ...records]);
      const failed = results.find((result) => 'error' in result && result.error);
      if (failed) return null;
      ctx.audit.advance(records);
      ctx.receipts.addJob(doc);
      return doc;
    });
    if (!job) return err('STORAGE_FAILED', 'the reprint could not be recorded');
    ctx.printQueue.enqueue(job);
    return ok({ jobId: job.jobId, receiptNo: job.receiptNo, reprint: job.reprint });
  },

  'printer.previews': ({ afterJobNo }, _call, ctx) => {
    const previews = ctx.printQueue.previewsAfter(afterJobNo ?? 0);
    return Promise.resolve(previews.ok ? ok({ previews: previews.value }) : previews);
  },

  // The station's own virtual printer only (PRINTER_NOT_VIRTUAL otherwise): a real one is not ours to play with.
  'demo.printer': ({ state }, _call, ctx) => Promise.resolve(ctx.printQueue.setVirtualState(state)),
} satisfies Pick<
  CommandHandlers,
  'printer.state' | 'printer.retry' | 'printer.resolve' | 'printer.configure' | 'printer.test' | 'receipts.list' | 'receipts.reprint' | 'printer.previews' | 'demo.printer'
>;
