/**
 * The card in the reader, in one strip: which card, its current purchase and whether the meter
 * loaded it, what the meter wrote back (with its alarms as warnings), whether a purchase may be
 * made now and why not, and top-ups whose card write is unfinished (继续写卡).
 */
import { useState } from 'react';
import type { CardInspection, CardView, MeterReturnView, UnfinishedTopup } from '../../core/contract/cards.js';
import type { StationError } from '../../core/contract/result.js';
import type { CardProblem, DamageReason } from '../../core/card/layout.js';
import { formatCubicMetres, formatYuan } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import { isBlankCard, refusalLiftable, useCard, type CardSlot } from './card.js';
import { ErrorBanner } from './ErrorBanner.js';
import { formatInstant } from './format.js';
import { useStation } from './station.js';
import { canSettle, TopupSettleDialog } from './TopupSettleDialog.js';

type MeterFlag = 'valveClosed' | 'batteryLow' | 'caseOpened' | 'magneticAttack' | 'meterFault';
const METER_FLAGS: readonly MeterFlag[] = ['valveClosed', 'batteryLow', 'caseOpened', 'magneticAttack', 'meterFault'];

const PROBLEMS: Readonly<Record<CardProblem, true>> = {
  'bad-magic': true,
  'unsupported-layout': true,
  'not-user-card': true,
  'header-reserved-not-zero': true,
  'account-crc': true,
  'account-bcd': true,
  'account-reserved-not-zero': true,
  'slots-damaged': true,
  'slot-torn': true,
  'return-block-torn': true,
  'return-block-stale-or-foreign': true,
  'reserved-not-zero': true,
};
const DAMAGES: Readonly<Record<DamageReason, true>> = { 'both-torn': true, 'torn-and-empty': true, 'not-successive': true };

function isProblem(value: string): value is CardProblem {
  return Object.prototype.hasOwnProperty.call(PROBLEMS, value);
}

function isDamage(value: string): value is DamageReason {
  return Object.prototype.hasOwnProperty.call(DAMAGES, value);
}

function canResume(outcome: UnfinishedTopup['outcome']): boolean {
  switch (outcome) {
    case 'confirmed':
    case 'rewrite':
      return true;
    case 'other-digest':
    case 'moved-past':
    case 'out-of-step':
    case 'card-damaged':
    case 'card-not-present':
      return false;
  }
}

function Presence({ present }: { readonly present: boolean }) {
  const { t } = useI18n();
  return <span className={present ? 'card-panel__presence' : 'card-panel__presence card-panel__presence--out'}>{present ? t('card.present') : t('card.removed')}</span>;
}

/**
 * The loaded line. Whether a purchase may be made is the station's `inspection.refusal`, never
 * `loaded` alone: a cancel record not yet in the meter is 'not-loaded' but allows a new purchase
 * at once (rule 1), so the line only says 不能购气 / 可购气 when the refusal agrees.
 */
function loadedLine(card: CardView, refusal: CardInspection['refusal'], t: ReturnType<typeof useI18n>['t']): { readonly variant: string; readonly text: string } {
  const cancelRecord = card.purchase.state === 'current' && card.purchase.record.cancel;
  if (card.loaded === 'not-loaded') {
    if (cancelRecord) return refusal === null ? { variant: 'cancel', text: t('card.loaded.cancel') } : { variant: 'no-purchase', text: t('card.loaded.cancelOnly') };
    return { variant: 'not-loaded', text: refusal === 'unloaded-purchase' ? t('card.loaded.not-loaded') : t('card.loaded.notLoadedOnly') };
  }
  return { variant: card.loaded, text: t(`card.loaded.${card.loaded}`) };
}

function Purchase({ card, inspection }: { readonly card: CardView; readonly inspection: CardInspection }) {
  const { t } = useI18n();
  const { timeZone } = useStation();
  const purchase = card.purchase;
  const cancelRecord = purchase.state === 'current' && purchase.record.cancel;
  const loaded = loadedLine(card, inspection.refusal, t);
  return (
    <div className="card-panel__col">
      <div className="card-panel__label">{t('card.purchase')}</div>
      {purchase.state === 'none' && <div className="muted">{t('card.purchase.none')}</div>}
      {purchase.state === 'damaged' && <div className="text-danger">{t('card.purchase.damaged', { reason: isDamage(purchase.reason) ? t(`damage.${purchase.reason}`) : purchase.reason })}</div>}
      {purchase.state === 'current' && (
        <>
          <div className="num nowrap">
            {t('card.purchase.line', { sequence: purchase.record.sequence, volume: formatCubicMetres(purchase.record.volume), amount: formatYuan(purchase.record.amount) })}
          </div>
          <div className="small muted num nowrap">
            {formatInstant(purchase.record.purchaseTime, timeZone)}
            <span className={purchase.record.cancel ? 'tag tag--reversal card-panel__tag' : 'tag tag--bill-payment card-panel__tag'}>
              {purchase.record.cancel ? t('card.cancelRecord') : t('card.written')}
            </span>
          </div>
        </>
      )}
      <div className={`card-panel__loaded card-panel__loaded--${loaded.variant}`} data-testid="card-loaded" data-loaded={card.loaded} data-cancel={cancelRecord}>
        {loaded.text}
      </div>
      <div className="small">
        <span className="muted">{t('card.ytd', { year: inspection.tariffYear })}</span> <b className="num">{formatCubicMetres(inspection.yearToDateBefore)}</b>
      </div>
    </div>
  );
}

function Meter({ card }: { readonly card: CardView }) {
  const { t } = useI18n();
  const { timeZone } = useStation();
  const meter: MeterReturnView | null = card.meter;
  const warnings = meter === null ? [] : METER_FLAGS.filter((flag) => meter[flag]);
  return (
    <div className="card-panel__col" data-testid="card-meter" data-return={card.returnBlock}>
      <div className="card-panel__label">{t('card.meter')}</div>
      {card.returnBlock === 'never-in-meter' && <div className="muted">{t('card.meter.never')}</div>}
      {card.returnBlock === 'torn' && <div className="text-danger">{t('card.meter.torn')}</div>}
      {meter !== null && (
        <>
          <div className="nowrap">
            <b className="num">{t('card.meter.remaining', { volume: formatCubicMetres(meter.remaining) })}</b>
          </div>
          <div className="small muted num nowrap">{t('card.meter.time', { time: formatInstant(meter.meterTime, timeZone) })}</div>
          <div className="small muted num nowrap">{t('card.meter.total', { volume: formatCubicMetres(meter.measuredTotal) })}</div>
        </>
      )}
      {warnings.length > 0 && (
        <div className="card-panel__warnings">
          {warnings.map((flag) => (
            <span key={flag} className="card-warning" data-testid="card-warning" data-flag={flag}>
              ⚠ {t(`card.warn.${flag}`)}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

function Unfinished({ rows, present, onSettle }: { readonly rows: readonly UnfinishedTopup[]; readonly present: boolean; readonly onSettle: (row: UnfinishedTopup) => void }) {
  const { t } = useI18n();
  const { call, timeZone } = useStation();
  const { reinspect } = useCard();
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ readonly entryId: string; readonly text: string; readonly ok: boolean } | null>(null);
  const [error, setError] = useState<StationError | null>(null);

  const resume = async (entryId: string) => {
    if (busy !== null) return;
    setBusy(entryId);
    setError(null);
    setOutcome(null);
    const result = await call('topup.resume', { entryId });
    setBusy(null);
    if (result.ok) {
      const onCard = result.value.card === 'on-card';
      setOutcome({ entryId, ok: onCard, text: onCard ? t('card.resumeDone') : t('card.resumePending') });
    } else {
      setError(result.error);
    }
    reinspect();
  };

  return (
    <div className="card-panel__unfinished">
      <div className="card-panel__label text-danger">{t('card.unfinished')}</div>
      {rows.map((row) => {
        const resumable = canResume(row.outcome);
        return (
          <div key={row.entryId} className="unfinished-row" data-testid="unfinished-row" data-entry-id={row.entryId} data-outcome={row.outcome}>
            <span className="num small nowrap">
              {t('card.unfinished.line', { at: formatInstant(row.at, timeZone), sequence: row.sequence, volume: formatCubicMetres(row.volume), amount: formatYuan(row.amount) })}
            </span>
            {resumable ? (
              <button type="button" className="button button--small button--primary" data-testid="resume-button" disabled={busy !== null || !present} onClick={() => void resume(row.entryId)}>
                {busy === row.entryId ? t('card.resuming') : t('card.resume')}
              </button>
            ) : canSettle(row.outcome) ? (
              <button type="button" className="button button--small button--danger" data-testid="settle-button" disabled={busy !== null || !present} title={t('card.needSupervisor')} onClick={() => onSettle(row)}>
                {t('card.settle')}
              </button>
            ) : row.outcome === 'card-not-present' ? null : (
              <span className="tag tag--unpaid">{t('card.needSupervisor')}</span>
            )}
            <span className="small muted unfinished-row__why">{t(`unfinished.${row.outcome}`, { serial: row.serial })}</span>
          </div>
        );
      })}
      {outcome !== null && <div className={outcome.ok ? 'small text-ok' : 'small text-danger'}>{outcome.text}</div>}
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
    </div>
  );
}

function Verdict({ inspection, present }: { readonly inspection: CardInspection; readonly present: boolean }) {
  const { t } = useI18n();
  const { refusal } = inspection;
  if (!present) {
    return (
      <div className="card-panel__verdict card-panel__verdict--out" data-testid="card-refusal" data-refusal={refusal ?? ''}>
        {t('card.removed')}
        {refusal !== null && <span className="small"> · {t('card.refusal', { reason: t(`refusal.${refusal}`) })}</span>}
      </div>
    );
  }
  if (refusal === null) {
    return (
      <div className="card-panel__verdict card-panel__verdict--ok" data-testid="card-refusal" data-refusal="">
        ✓ {t('card.canBuy')}
      </div>
    );
  }
  return (
    <div className="card-panel__verdict" data-testid="card-refusal" data-refusal={refusal}>
      ✕ {t('card.refusal', { reason: t(`refusal.${refusal}`) })}
      {refusalLiftable(refusal) && <div className="small">{t('card.canBuyWithApproval')}</div>}
    </div>
  );
}

/**
 * The card panel for the slot; `showAccount` adds the account number read from the card (search
 * screen). `onChanged` runs after a refund 主管退款 (or a refused one): the account page reloads
 * the account and reads the card again; by default only the card is read again.
 */
export function CardPanel({ slot, showAccount, onChanged }: { readonly slot: CardSlot; readonly showAccount: boolean; readonly onChanged?: () => void }) {
  const { reinspect } = useCard();
  // Kept here, not in the row: the row goes away once the refund is made, the dialog stays to say so.
  const [settling, setSettling] = useState<UnfinishedTopup | null>(null);
  return (
    <>
      <CardPanelBody slot={slot} showAccount={showAccount} onSettle={setSettling} />
      {settling !== null && <TopupSettleDialog row={settling} onClose={() => setSettling(null)} onCommitted={onChanged ?? reinspect} />}
    </>
  );
}

function CardPanelBody({ slot, showAccount, onSettle }: { readonly slot: CardSlot; readonly showAccount: boolean; readonly onSettle: (row: UnfinishedTopup) => void }) {
  const { t } = useI18n();
  const { reader } = useCard();
  switch (slot.kind) {
    case 'none':
      return null;
    case 'reading':
      return (
        <section className="card-panel card-panel--reading" data-testid="card-panel" data-state="reading">
          <div className="card-panel__title">{t('card.title')}</div>
          <div className="muted">{t('card.reading')}</div>
        </section>
      );
    case 'failed':
      return (
        <section className="card-panel card-panel--bad" data-testid="card-panel" data-state="failed" data-present={slot.present}>
          <div className="card-panel__title">
            {t('card.title')} <Presence present={slot.present} />
          </div>
          <div className="card-panel__body card-panel__body--single">
            <ErrorBanner error={slot.error} />
            {reader?.problem != null && <div className="small text-danger">{t('card.readerProblem', { problem: reader.problem })}</div>}
          </div>
        </section>
      );
    case 'read': {
      const { inspection, present } = slot;
      const card = inspection.card;
      if (isBlankCard(inspection)) {
        // Nothing to read on it yet: 发卡 / 补卡 write it from an account page.
        return (
          <section className={`card-panel card-panel--blank${present ? '' : ' card-panel--out'}`} data-testid="card-panel" data-state="read" data-present={present} data-serial="" data-blank="true">
            <div className="card-panel__title">
              {t('card.title')}
              <span className="chip">{t('card.blank')}</span>
              <Presence present={present} />
              <span className="muted small">{t('card.blankHint')}</span>
            </div>
          </section>
        );
      }
      const bad = inspection.refusal !== null && !refusalLiftable(inspection.refusal);
      return (
        <section
          className={`card-panel${bad ? ' card-panel--bad' : ''}${present ? '' : ' card-panel--out'}`}
          data-testid="card-panel"
          data-state="read"
          data-present={present}
          data-serial={card?.serial ?? ''}
        >
          <div className="card-panel__title">
            {t('card.title')}
            {card !== null && (
              <>
                <b className="num" data-testid="card-serial">
                  {card.serial}
                </b>
                {card.generation !== null && <span className="chip">{t('card.generation', { n: card.generation })}</span>}
              </>
            )}
            <Presence present={present} />
            {showAccount && card?.accountNo != null && <span className="muted num">{t('card.cardAccount', { accountNo: card.accountNo })}</span>}
            {card !== null && !card.ours && <span className="tag tag--unpaid">{t('card.foreign')}</span>}
            {card !== null && card.attemptsLeft < 3 && <span className="tag tag--unpaid">{t('card.attempts', { n: card.attemptsLeft })}</span>}
          </div>
          {card === null ? (
            <div className="card-panel__body card-panel__body--single">
              <div className="text-danger">{t('card.unreadable')}</div>
              <Verdict inspection={inspection} present={present} />
            </div>
          ) : (
            <div className="card-panel__body">
              <Purchase card={card} inspection={inspection} />
              <Meter card={card} />
              <div className="card-panel__col card-panel__col--wide">
                <Verdict inspection={inspection} present={present} />
                {card.problems.length > 0 && <div className="small text-danger">{t('card.problems', { problems: card.problems.map((problem) => (isProblem(problem) ? t(`cardProblem.${problem}`) : problem)).join('；') })}</div>}
                {inspection.reader.problem !== null && <div className="small text-danger">{t('card.readerProblem', { problem: inspection.reader.problem })}</div>}
                {inspection.unfinished.length > 0 && <Unfinished rows={inspection.unfinished} present={present} onSettle={onSettle} />}
              </div>
            </div>
          )}
        </section>
      );
    }
  }
}
