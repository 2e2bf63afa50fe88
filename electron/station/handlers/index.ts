import { accountHandlers } from './accounts.js';
import { cardHandlers } from './cards.js';
import { cardIssueHandlers } from './card-issue.js';
import { auditHandlers } from './audit.js';
import { ledgerHandlers } from './ledger.js';
import { paymentHandlers } from './payments.js';
import { printingHandlers } from './printing.js';
import { sessionHandlers } from './session.js';
import { syncHandlers } from './sync.js';
import { transferHandlers } from './transfer.js';
import { hallHandlers } from './hall.js';
import type { CommandHandlers } from './types.js';

/** Every command of the contract, each feature's handlers declared in its own file. */
export const commandHandlers: CommandHandlers = {
  ...sessionHandlers,
  ...accountHandlers,
  ...paymentHandlers,
  ...ledgerHandlers,
  ...auditHandlers,
  ...cardHandlers,
  ...cardIssueHandlers,
  ...printingHandlers,
  ...syncHandlers,
  ...transferHandlers,
  ...hallHandlers,
};
