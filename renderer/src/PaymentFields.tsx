/**
 * How the customer pays, as 缴费 and 购气 ask for it: the method (keys 1/2/3, Alt+1/2/3 inside a
 * field), the cash tendered (pre-filled with the amount due until the clerk types one) with the
 * change, or the reference of a card or QR payment. `usePayment` holds the fields and their
 * checks; `PaymentFields` draws them with the dialog's own test ids.
 *
 * Money is only ever integer fen: the tendered text goes through parseYuan, never parseFloat.
 */
import { useCallback, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { formatYuan, formatYuanPlain, parseYuan, subFen, type Fen } from '../../core/money/money.js';
import type { PaymentMethod } from '../../core/schema/primitives.js';
import { useI18n } from '../i18n/i18n.js';

const METHODS: readonly PaymentMethod[] = ['cash', 'bank-card', 'qr'];
const REFERENCE_MIN = 4;

export type Tendered = { readonly ok: true; readonly fen: Fen; readonly change: Fen } | { readonly ok: false; readonly problem: 'format' | 'low' };

export function readTendered(text: string, due: Fen): Tendered {
  let amount: Fen;
  try {
    amount = parseYuan(text);
  } catch {
    return { ok: false, problem: 'format' };
  }
  if (amount < 0) return { ok: false, problem: 'format' };
  if (amount < due) return { ok: false, problem: 'low' };
  return { ok: true, fen: amount, change: subFen(amount, due) };
}

function isTextField(target: EventTarget): boolean {
  return target instanceof HTMLInputElement && target.type !== 'checkbox' && target.type !== 'radio';
}

/**
 * The method a 1/2/3 key chooses (Alt+1/2/3 inside a text field, where plain digits are typed);
 * null for any other key. Takes the key from the dialog when it chooses.
 */
export function methodForKey(event: KeyboardEvent<HTMLDivElement>): PaymentMethod | null {
  if (event.key !== '1' && event.key !== '2' && event.key !== '3') return null;
  if (isTextField(event.target) && !event.altKey) return null;
  event.preventDefault();
  return METHODS[Number(event.key) - 1] ?? null;
}

/** What the payment fields hold right now; also kept in a ref so a confirm queued before the quote arrived uses current values. */
export interface PaymentForm {
  readonly method: PaymentMethod;
  readonly tendered: string;
  /** The clerk typed a tendered amount; otherwise it follows the amount due. */
  readonly tenderedTouched: boolean;
  readonly reference: string;
}

export type PaymentRead =
  | { readonly ok: true; readonly method: PaymentMethod; readonly tendered: Fen | undefined; readonly reference: string | undefined }
  | { readonly ok: false; readonly problem: 'format' | 'low' | 'reference' };

export interface Payment {
  readonly form: PaymentForm;
  readonly formRef: RefObject<PaymentForm>;
  readonly setForm: (update: (previous: PaymentForm) => PaymentForm) => void;
  readonly tenderedRef: RefObject<HTMLInputElement | null>;
  readonly referenceRef: RefObject<HTMLInputElement | null>;
  /** The field a method needs: the tendered amount for cash, else the reference. */
  readonly fieldFor: (method: PaymentMethod) => RefObject<HTMLInputElement | null>;
  /** A fresh quote: the tendered amount follows what is due, unless the clerk typed one. */
  readonly followDue: (due: Fen) => void;
  /** The payment for the station, from the current values; on a problem, focuses the field to fix. */
  readonly read: (due: Fen) => PaymentRead;
}

export function paymentProblemKey(problem: 'format' | 'low' | 'reference'): 'pay.badAmount' | 'pay.tooLow' | 'pay.needReference' {
  return problem === 'format' ? 'pay.badAmount' : problem === 'low' ? 'pay.tooLow' : 'pay.needReference';
}

export function usePayment(): Payment {
  const [form, setFormState] = useState<PaymentForm>({ method: 'cash', tendered: '', tenderedTouched: false, reference: '' });
  const formRef = useRef(form);
  const tenderedRef = useRef<HTMLInputElement>(null);
  const referenceRef = useRef<HTMLInputElement>(null);

  const setForm = useCallback((update: (previous: PaymentForm) => PaymentForm) => {
    const next = update(formRef.current);
    formRef.current = next;
    setFormState(next);
  }, []);

  const fieldFor = (method: PaymentMethod) => (method === 'cash' ? tenderedRef : referenceRef);

  const followDue = (due: Fen) => {
    if (!formRef.current.tenderedTouched) setForm((previous) => ({ ...previous, tendered: formatYuanPlain(due) }));
  };

  const read = (due: Fen): PaymentRead => {
    const values = formRef.current;
    if (values.method === 'cash') {
      const tendered = readTendered(values.tendered, due);
      if (!tendered.ok) {
        tenderedRef.current?.focus();
        return { ok: false, problem: tendered.problem };
      }
      return { ok: true, method: values.method, tendered: tendered.fen, reference: undefined };
    }
    const reference = values.reference.trim();
    if (reference.length < REFERENCE_MIN) {
      referenceRef.current?.focus();
      return { ok: false, problem: 'reference' };
    }
    return { ok: true, method: values.method, tendered: undefined, reference };
  };

  return { form, formRef, setForm, tenderedRef, referenceRef, fieldFor, followDue, read };
}

export function PaymentFields({
  payment,
  testIdPrefix,
  due,
  disabled,
  onChooseMethod,
  onEdit,
}: {
  readonly payment: Payment;
  /** `pay` gives pay-method-cash, pay-tendered, pay-change and pay-reference. */
  readonly testIdPrefix: string;
  /** The amount due; null while there is no quote (the change shows —). */
  readonly due: Fen | null;
  readonly disabled: boolean;
  readonly onChooseMethod: (method: PaymentMethod) => void;
  /** The clerk typed in the tendered amount or the reference. */
  readonly onEdit: () => void;
}) {
  const { t } = useI18n();
  const { form, setForm, tenderedRef, referenceRef } = payment;
  const tenderedRead = due === null ? null : readTendered(form.tendered, due);
  return (
    <>
      <div className="pay__subtitle">
        {t('pay.method')} <span className="muted small">{t('pay.methodKeys')}</span>
      </div>
      <div className="methods" role="radiogroup" aria-label={t('pay.method')}>
        {METHODS.map((method, index) => (
          <button
            key={method}
            type="button"
            role="radio"
            aria-checked={form.method === method}
            className={form.method === method ? 'method method--on' : 'method'}
            data-testid={`${testIdPrefix}-method-${method}`}
            disabled={disabled}
            onClick={() => onChooseMethod(method)}
          >
            <span className="method__key">{index + 1}</span>
            {t(`method.${method}`)}
          </button>
        ))}
      </div>

      {form.method === 'cash' ? (
        <div className="cash">
          <label className="field field--inline">
            <span className="field__label">{t('pay.tendered')}</span>
            <input
              ref={tenderedRef}
              data-testid={`${testIdPrefix}-tendered`}
              className="input input--money"
              inputMode="decimal"
              autoComplete="off"
              value={form.tendered}
              disabled={disabled}
              onFocus={(event) => event.target.select()}
              onChange={(event) => {
                const text = event.target.value;
                onEdit();
                setForm((previous) => ({ ...previous, tendered: text, tenderedTouched: true }));
              }}
            />
          </label>
          <div className="field field--inline">
            <span className="field__label">{t('pay.change')}</span>
            <span className={tenderedRead !== null && !tenderedRead.ok ? 'money money--large text-danger' : 'money money--large'} data-testid={`${testIdPrefix}-change`}>
              {tenderedRead === null ? '—' : tenderedRead.ok ? formatYuan(tenderedRead.change) : tenderedRead.problem === 'format' ? t('pay.badAmount') : t('pay.tooLow')}
            </span>
          </div>
        </div>
      ) : (
        <label className="field">
          <span className="field__label">{t('pay.reference')}</span>
          <input
            ref={referenceRef}
            data-testid={`${testIdPrefix}-reference`}
            className="input"
            autoComplete="off"
            maxLength={64}
            placeholder={t('pay.referencePlaceholder')}
            value={form.reference}
            disabled={disabled}
            onChange={(event) => {
              const text = event.target.value;
              onEdit();
              setForm((previous) => ({ ...previous, reference: text }));
            }}
          />
        </label>
      )}
    </>
  );
}
