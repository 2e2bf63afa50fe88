/**
 * 查询 (home): one box finds an account by any number the customer brings, or by name or address.
 * Searches as the clerk types; a slow answer to an older query never replaces a newer one.
 * 开户 (F7) opens a new account here.
 */
import { useEffect, useRef, useState, type Dispatch, type KeyboardEvent as ReactKeyboardEvent, type SetStateAction } from 'react';
import type { StationError } from '../../core/contract/result.js';
import type { AccountSummary, SearchMatch, SearchResult } from '../../core/contract/views.js';
import { useI18n } from '../i18n/i18n.js';
import { useCard, type CardSlot } from './card.js';
import { CardPanel } from './CardPanel.js';
import { ErrorBanner } from './ErrorBanner.js';
import { OpenAccountDialog } from './OpenAccountDialog.js';
import { useStation } from './station.js';

export interface SearchState {
  readonly query: string;
  readonly result: SearchResult | null;
  readonly selected: number;
}

export const emptySearch: SearchState = { query: '', result: null, selected: 0 };

const DEBOUNCE_MS = 150;
const LIMIT = 20;

/** Which column shows the field the search matched on; meter and card numbers have no column. */
function matchedColumn(match: SearchMatch): 'accountNo' | 'name' | 'phone' | 'address' | null {
  switch (match) {
    case 'accountNo':
    case 'name':
    case 'phone':
    case 'address':
      return match;
    case 'meterNo':
    case 'cardSerial':
      return null;
  }
}

/** The card panel shows here for a card that names no known account or cannot be read (and for a known card still in the reader). */
function showsOnSearch(slot: CardSlot): boolean {
  switch (slot.kind) {
    case 'none':
      return false;
    case 'reading':
    case 'failed':
      return true;
    case 'read':
      return slot.inspection.account === null || slot.present;
  }
}

function StatusBadge({ status }: { readonly status: AccountSummary['status'] }) {
  const { t } = useI18n();
  if (status === 'active') return null;
  return <span className={`badge badge--${status}`}>{t(`accountStatus.${status}`)}</span>;
}

export function SearchScreen({
  state,
  setState,
  focusToken,
  onOpen,
}: {
  readonly state: SearchState;
  readonly setState: Dispatch<SetStateAction<SearchState>>;
  /** Changes whenever the shell wants the box focused (F2, Ctrl+K, coming back from an account). */
  readonly focusToken: number;
  readonly onOpen: (accountNo: string) => void;
}) {
  const { t, count } = useI18n();
  const { call, info } = useStation();
  const { slot } = useCard();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const sequence = useRef(0);
  const timer = useRef<number | null>(null);
  /** Enter pressed before the answer came: open the best match as soon as it does. */
  const openWhenAnswered = useRef(false);
  const [opening, setOpening] = useState(false);

  // F7: 开户, from the search screen (no other dialog open).
  useEffect(() => {
    if (opening) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'F7' || document.querySelector('[aria-modal="true"]') !== null) return;
      event.preventDefault();
      setOpening(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [opening]);

  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, [focusToken]);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [state.selected, state.result]);

  const search = (query: string) => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    // Every keystroke takes a number; only the answer to the latest number is shown.
    sequence.current += 1;
    const mine = sequence.current;
    openWhenAnswered.current = false;
    const trimmed = query.trim();
    if (trimmed === '') {
      setLoading(false);
      setError(null);
      setState({ query, result: null, selected: 0 });
      return;
    }
    setState((previous) => ({ ...previous, query }));
    setLoading(true);
    timer.current = window.setTimeout(() => {
      timer.current = null;
      void call('accounts.search', { query: trimmed.slice(0, 64), limit: LIMIT }).then((result) => {
        if (mine !== sequence.current) return;
        setLoading(false);
        if (result.ok) {
          setError(null);
          setState((previous) => ({ ...previous, result: result.value, selected: 0 }));
          const best = result.value.results[0];
          if (openWhenAnswered.current && best !== undefined) onOpen(best.accountNo);
          openWhenAnswered.current = false;
        } else {
          setError(result.error);
        }
      });
    }, DEBOUNCE_MS);
  };

  const results = state.result?.results ?? [];

  const onKeyDown = (event: ReactKeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        setState((previous) => ({ ...previous, selected: Math.min(previous.selected + 1, Math.max(results.length - 1, 0)) }));
        break;
      case 'ArrowUp':
        event.preventDefault();
        setState((previous) => ({ ...previous, selected: Math.max(previous.selected - 1, 0) }));
        break;
      case 'Enter': {
        event.preventDefault();
        if (loading) {
          openWhenAnswered.current = true;
          break;
        }
        const chosen = results[state.selected] ?? results[0];
        if (chosen !== undefined) onOpen(chosen.accountNo);
        break;
      }
      case 'Escape':
        event.preventDefault();
        search('');
        break;
      default:
        break;
    }
  };

  const total = state.result?.total ?? 0;
  const totalText =
    state.result === null ? '' : total > results.length ? t('search.totalSome', { total: count(total), shown: results.length }) : t('search.totalAll', { total: count(total) });

  return (
    <main className="search" data-testid="search-screen">
      <div className="search__bar">
        <label className="search__label" htmlFor="search-input">
          {t('search.label')}
        </label>
        <input
          id="search-input"
          ref={inputRef}
          data-testid="search-input"
          className="input search__input"
          type="search"
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          placeholder={t('search.placeholder')}
          value={state.query}
          onChange={(event) => search(event.target.value)}
          onKeyDown={onKeyDown}
          aria-controls="search-results"
          aria-activedescendant={results[state.selected] === undefined ? undefined : `search-row-${state.selected}`}
        />
        <span className="search__shortcut">{t('search.shortcut')}</span>
        <button
          type="button"
          className="button search__open"
          data-testid="open-account-button"
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => setOpening(true)}
        >
          {t('open.button')}
        </button>
      </div>
      {showsOnSearch(slot) && <CardPanel slot={slot} showAccount />}
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      <div className="search__meta">
        <span data-testid="search-total">{loading && state.result === null ? t('search.searching') : totalText}</span>
        <span className="search__keys">{t('search.keys')}</span>
      </div>
      <div className="table-wrap search__results" ref={listRef} id="search-results" data-testid="search-results" role="listbox">
        {state.result === null ? (
          <div className="empty">{loading ? t('search.searching') : t('search.idle', { count: count(info?.accountsIndexed ?? 0) })}</div>
        ) : results.length === 0 ? (
          <div className="empty">{t('search.none')}</div>
        ) : (
          <table className="table table--rows">
            <thead>
              <tr>
                <th className="col-account">{t('search.col.accountNo')}</th>
                <th className="col-name">{t('search.col.name')}</th>
                <th className="col-id">{t('search.col.id')}</th>
                <th className="col-phone">{t('search.col.phone')}</th>
                <th>{t('search.col.address')}</th>
                <th className="col-district">{t('search.col.district')}</th>
                <th className="col-meter">{t('search.col.meterKind')}</th>
                <th className="col-match">{t('search.col.match')}</th>
              </tr>
            </thead>
            <tbody>
              {results.map((row, index) => {
                const column = matchedColumn(row.matchedOn);
                const cell = (name: typeof column) => (column === name ? 'cell--matched' : undefined);
                return (
                  <tr
                    key={row.accountNo}
                    id={`search-row-${index}`}
                    data-testid="search-result"
                    data-account-no={row.accountNo}
                    role="option"
                    aria-selected={index === state.selected}
                    className={index === state.selected ? 'row--selected' : undefined}
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={() => onOpen(row.accountNo)}
                  >
                    <td className={`num ${cell('accountNo') ?? ''}`}>{row.accountNo}</td>
                    <td className={cell('name')}>
                      <span className="search__name">{row.ownerName}</span>
                      <StatusBadge status={row.status} />
                    </td>
                    <td className="num">{row.idNumberMasked}</td>
                    <td className={`num ${cell('phone') ?? ''}`}>{row.phoneMasked}</td>
                    <td className={`ellipsis ${cell('address') ?? ''}`} title={row.address}>
                      {row.address}
                    </td>
                    <td className="ellipsis">{row.districtName}</td>
                    <td>{t(`meterKind.${row.meterKind}`)}</td>
                    <td>
                      <span className="chip">{t(`match.${row.matchedOn}`)}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      {opening && (
        <OpenAccountDialog
          onClose={() => {
            setOpening(false);
            inputRef.current?.focus();
          }}
          onOpen={(accountNo) => {
            setOpening(false);
            onOpen(accountNo);
          }}
        />
      )}
    </main>
  );
}
