/**
 * The card reader as the screens see it: the reader's state (status bar), and what the last
 * `card.inspect` said about the card in it (card panel, top-up). The shell owns it and keeps it
 * current from `reader.changed`; screens read it through CardContext.
 */
import { createContext, useContext } from 'react';
import type { CardInspection, ReaderStateView, TopupRefusal } from '../../core/contract/cards.js';
import type { StationError } from '../../core/contract/result.js';
import type { Role } from '../../core/schema/primitives.js';

export type CardSlot =
  /** No card seen since login (or since it was removed before it could be read). */
  | { readonly kind: 'none' }
  | { readonly kind: 'reading' }
  /** `present` turns false when the card is pulled: the panel keeps what it showed, marked 卡已拔出. */
  | { readonly kind: 'read'; readonly inspection: CardInspection; readonly present: boolean }
  | { readonly kind: 'failed'; readonly error: StationError; readonly present: boolean };

export interface CardState {
  readonly reader: ReaderStateView | null;
  readonly slot: CardSlot;
  /** Read the card again (after a top-up, a resume, a cancel). */
  readonly reinspect: () => void;
}

export const CardContext = createContext<CardState | null>(null);

export function useCard(): CardState {
  const value = useContext(CardContext);
  if (value === null) throw new Error('useCard outside CardContext');
  return value;
}

/** Roles that serve customers: only they may read cards (`card.inspect` is a serving command). */
export function servesCustomers(role: Role): boolean {
  switch (role) {
    case 'clerk':
    case 'van':
    case 'supervisor':
    case 'manager':
      return true;
    case 'admin':
      return false;
  }
}

/** Refusals a supervisor may lift at confirm: the top-up dialog may still open for them. */
export function refusalLiftable(refusal: TopupRefusal): boolean {
  switch (refusal) {
    case 'inspection-failed':
    case 'inspection-overdue':
      return true;
    case 'unloaded-purchase':
    case 'card-locked':
    case 'card-one-attempt':
    case 'foreign-utility':
    case 'stale-generation':
    case 'account-closed':
    case 'account-unknown':
    case 'not-prepaid':
    case 'damaged':
    case 'not-user-card':
    case 'clock-behind-card':
    case 'stale-or-foreign-return':
    case 'unfinished-topup':
      return false;
  }
}

const REFUSALS: Readonly<Record<TopupRefusal, true>> = {
  'unloaded-purchase': true,
  'inspection-failed': true,
  'inspection-overdue': true,
  'card-locked': true,
  'card-one-attempt': true,
  'foreign-utility': true,
  'stale-generation': true,
  'account-closed': true,
  'account-unknown': true,
  'not-prepaid': true,
  damaged: true,
  'not-user-card': true,
  'clock-behind-card': true,
  'stale-or-foreign-return': true,
  'unfinished-topup': true,
};

export function isTopupRefusal(value: unknown): value is TopupRefusal {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REFUSALS, value);
}

/** The inspection of this account's card, when that card is what the reader last read. */
export function inspectionFor(slot: CardSlot, accountNo: string): CardInspection | null {
  if (slot.kind !== 'read') return null;
  const { inspection } = slot;
  return inspection.account?.accountNo === accountNo && inspection.card !== null ? inspection : null;
}

/** Why `card.issue` / `card.replace` refused the card (CARD_REFUSED `details.reason`). */
export type CardIssueReason = 'not-blank' | 'spoiled' | 'psc-not-changed' | 'psc-unclear' | 'write-failed' | 'card-changed' | 'protect-failed' | 'generation-exhausted';

const CARD_ISSUE_REASONS: Readonly<Record<CardIssueReason, true>> = {
  'not-blank': true,
  spoiled: true,
  'psc-not-changed': true,
  'psc-unclear': true,
  'write-failed': true,
  'card-changed': true,
  'protect-failed': true,
  'generation-exhausted': true,
};

export function isCardIssueReason(value: unknown): value is CardIssueReason {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CARD_ISSUE_REASONS, value);
}

/** After these the card is no longer blank (or never opens again): another blank card is needed. */
export function cardUsedUp(reason: CardIssueReason): boolean {
  switch (reason) {
    case 'spoiled':
    case 'psc-not-changed':
    case 'psc-unclear':
    case 'write-failed':
    case 'protect-failed':
      return true;
    case 'not-blank':
    case 'card-changed':
    case 'generation-exhausted':
      return false;
  }
}

/**
 * A blank card in the reader: no header (all zero, so no serial and no account), nothing else
 * wrong that says otherwise. Issuing a card 发卡 / 补卡 writes it; the shell never leaves the
 * account page for it.
 */
export function isBlankCard(inspection: CardInspection): boolean {
  const card = inspection.card;
  return card !== null && inspection.account === null && card.accountNo === null && /^0*$/.test(card.serial) && card.problems.includes('bad-magic');
}

/** The blank card in the reader, as the last inspection saw it: 'blank', 'other' (some other card) or 'none'. */
export function blankCardState(slot: CardSlot): 'blank' | 'other' | 'none' {
  switch (slot.kind) {
    case 'none':
    case 'reading':
      return 'none';
    case 'failed':
      return slot.present ? 'other' : 'none';
    case 'read':
      if (!slot.present) return 'none';
      return isBlankCard(slot.inspection) ? 'blank' : 'other';
  }
}
