/** What every screen needs from the app shell: the station call, who is logged in, the station info. */
import { createContext, useContext } from 'react';
import type { StationClient } from '../../core/contract/client.js';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { Result } from '../../core/contract/result.js';
import type { OperatorView, StationInfo } from '../../core/contract/views.js';

/** A station call that also reacts to session errors (locked, ended) before the screen sees them. */
export type Call = <C extends CommandName>(command: C, input: CommandInput<C>) => Promise<Result<CommandOutput<C>>>;

export interface Station {
  readonly client: StationClient;
  readonly call: Call;
  readonly info: StationInfo | null;
  readonly operator: OperatorView | null;
  /** The zone the station keeps its calendar in; every date and time is shown in it. */
  readonly timeZone: string;
  /** Station clock minus this screen's clock, from station.info. */
  readonly clockOffsetMs: number;
}

export const StationContext = createContext<Station | null>(null);

export function useStation(): Station {
  const value = useContext(StationContext);
  if (value === null) throw new Error('useStation outside StationContext');
  return value;
}
