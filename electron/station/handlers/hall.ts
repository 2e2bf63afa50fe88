import { err } from '../../../core/contract/result.js';
import type { CommandHandlers } from './types.js';

// Placeholder while the hall station is wired (issue 6, in progress).
const notYet = () => Promise.resolve(err('HALL_NOT_CONFIGURED', 'the hall queue is being wired'));

export const hallHandlers = {
  'queue.state': notYet,
  'queue.callNext': notYet,
  'queue.recall': notYet,
  'queue.start': notYet,
  'queue.finish': notYet,
  'queue.noShow': notYet,
  'queue.transfer': notYet,
  'queue.figures': notYet,
  'queue.ticket': notYet,
  'hall.configure': notYet,
  'hall.settings': notYet,
  'hall.saveSettings': notYet,
  'hall.devices': notYet,
  'hall.issueDevice': notYet,
  'hall.revokeDevice': notYet,
} satisfies Pick<CommandHandlers, `queue.${string}` & keyof CommandHandlers | `hall.${string}` & keyof CommandHandlers>;
