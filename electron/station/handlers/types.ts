import type { CommandName, CommandOutput, ParsedInput } from '../../../core/contract/commands.js';
import type { Result } from '../../../core/contract/result.js';
import type { CallContext, StationContext } from '../context.js';

export type CommandHandler<C extends CommandName> = (input: ParsedInput<C>, call: CallContext, ctx: StationContext) => Promise<Result<CommandOutput<C>>>;

/** One handler per command of the contract: a missing one is a compile error. */
export type CommandHandlers = { readonly [C in CommandName]: CommandHandler<C> };
