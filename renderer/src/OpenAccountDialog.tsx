/**
 * 开户: a new account with the next number of this station's range. The ID number is checked as
 * it is typed (format, birth date, check character: the same check the station makes); a prepaid
 * meter's number is the 12 digits its IC card carries. Enter in any field opens the account;
 * the result shows the new number (and a warning when the station's range runs low), and Enter
 * again opens its account page, where a prepaid account's card is issued (发卡).
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import type { AccountOpened } from '../../core/contract/views.js';
import type { StationError } from '../../core/contract/result.js';
import { DEMO_DISTRICTS } from '../../core/demo-data/places.js';
import { idNumberProblem } from '../../core/identity/id-number.js';
import type { CustomerType, MeterKind } from '../../core/schema/primitives.js';
import type { MessageKey } from '../i18n/messages.js';
import { useI18n } from '../i18n/i18n.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useStation } from './station.js';

/** Below this many numbers left in the station's range, the result warns (黄色提示). */
export const RANGE_WARNING_BELOW = 100;

const TARIFFS = ['RES-GAS', 'COM-GAS'] as const;
type TariffCode = (typeof TARIFFS)[number];
const METER_KINDS: readonly MeterKind[] = ['prepaid-card', 'post-paid'];
const CUSTOMER_TYPES: readonly CustomerType[] = ['residential', 'commercial'];

type Field = 'owner' | 'id' | 'phone' | 'district' | 'address' | 'customerType' | 'tariff' | 'meterKind' | 'meter';
/** Field order: the first field with a problem takes focus. */
const FIELDS: readonly Field[] = ['owner', 'id', 'phone', 'district', 'address', 'customerType', 'tariff', 'meterKind', 'meter'];

interface Form {
  readonly ownerName: string;
  readonly idNumber: string;
  readonly phone: string;
  readonly districtCode: string;
  readonly address: string;
  readonly customerType: CustomerType;
  readonly tariffCode: TariffCode;
  readonly meterKind: MeterKind;
  readonly meterNo: string;
}

const tariffFor = (type: CustomerType): TariffCode => (type === 'commercial' ? 'COM-GAS' : 'RES-GAS');

/** The station's input paths (`details.issues[].path`) as the form's fields. */
function fieldOfPath(path: unknown): Field | null {
  const head: unknown = Array.isArray(path) ? path[0] : path;
  switch (head) {
    case 'ownerName':
      return 'owner';
    case 'idNumber':
      return 'id';
    case 'phone':
      return 'phone';
    case 'address':
      return 'address';
    case 'districtCode':
    case 'districtName':
      return 'district';
    case 'meterNo':
      return 'meter';
    case 'meterKind':
      return 'meterKind';
    case 'tariffCode':
      return 'tariff';
    case 'customerType':
      return 'customerType';
    default:
      return null;
  }
}

function stationFieldProblems(error: StationError): Set<Field> {
  const fields = new Set<Field>();
  const issues = error.details?.['issues'];
  if (!Array.isArray(issues)) return fields;
  for (const issue of issues as unknown[]) {
    if (typeof issue !== 'object' || issue === null) continue;
    const field = fieldOfPath((issue as Record<string, unknown>)['path']);
    if (field !== null) fields.add(field);
  }
  return fields;
}

export function OpenAccountDialog({ onClose, onOpen }: { readonly onClose: () => void; readonly onOpen: (accountNo: string) => void }) {
  const { t, count } = useI18n();
  const { call } = useStation();
  const [form, setForm] = useState<Form>({
    ownerName: '',
    idNumber: '',
    phone: '',
    districtCode: DEMO_DISTRICTS[0]?.code ?? '',
    address: '',
    customerType: 'residential',
    tariffCode: 'RES-GAS',
    meterKind: 'prepaid-card',
    meterNo: '',
  });
  /** Fields the clerk left (or tried to submit): their problems show from then on. */
  const [touched, setTouched] = useState<ReadonlySet<Field>>(new Set());
  const [stationFields, setStationFields] = useState<ReadonlySet<Field>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [opened, setOpened] = useState<AccountOpened | null>(null);
  const busyRef = useRef(false);
  const ownerRef = useRef<HTMLInputElement>(null);
  const idRef = useRef<HTMLInputElement>(null);
  const phoneRef = useRef<HTMLInputElement>(null);
  const districtRef = useRef<HTMLSelectElement>(null);
  const addressRef = useRef<HTMLInputElement>(null);
  const customerTypeRef = useRef<HTMLSelectElement>(null);
  const tariffRef = useRef<HTMLSelectElement>(null);
  const meterKindRef = useRef<HTMLSelectElement>(null);
  const meterRef = useRef<HTMLInputElement>(null);
  const focusField = (field: Field) => {
    const element = {
      owner: ownerRef,
      id: idRef,
      phone: phoneRef,
      district: districtRef,
      address: addressRef,
      customerType: customerTypeRef,
      tariff: tariffRef,
      meterKind: meterKindRef,
      meter: meterRef,
    }[field].current;
    element?.focus();
  };

  const idTrimmed = form.idNumber.trim().toUpperCase();
  // Live: as soon as 18 characters are typed (or the clerk left the field), say what is wrong.
  const idProblem = idTrimmed === '' ? null : idNumberProblem(idTrimmed);
  const showIdProblem = idProblem !== null && (idTrimmed.length >= 18 || touched.has('id'));
  const meterNo = form.meterNo.trim();

  /** Each field's problem as the clerk should read it, or null. */
  const problemOf = (field: Field): string | null => {
    switch (field) {
      case 'owner':
        return form.ownerName.trim() === '' ? t('open.required', { field: t('open.owner') }) : null;
      case 'id':
        if (idTrimmed === '') return t('open.required', { field: t('open.idNumber') });
        return idProblem === null ? null : t(`open.idProblem.${idProblem}`);
      case 'phone':
        return /^\d{7,12}$/.test(form.phone.trim()) ? null : t('open.phoneBad');
      case 'address':
        return form.address.trim() === '' ? t('open.required', { field: t('open.address') }) : null;
      case 'meter':
        if (meterNo === '') return t('open.required', { field: t('open.meterNo') });
        if (form.meterKind === 'prepaid-card') return /^\d{12}$/.test(meterNo) ? null : t('open.meterNoPrepaid');
        return meterNo.length >= 4 && meterNo.length <= 20 ? null : t('open.meterNoBad');
      case 'district':
      case 'customerType':
      case 'tariff':
      case 'meterKind':
        return null;
    }
  };

  const shown = (field: Field): string | null => (touched.has(field) || stationFields.has(field) ? problemOf(field) : null);
  const invalid = (field: Field): boolean => stationFields.has(field) || (touched.has(field) && problemOf(field) !== null) || (field === 'id' && showIdProblem);

  const update = (patch: Partial<Form>, fields: readonly Field[]) => {
    setForm((previous) => ({ ...previous, ...patch }));
    setFieldError(null);
    setStationFields((previous) => {
      if (!fields.some((field) => previous.has(field))) return previous;
      const next = new Set(previous);
      for (const field of fields) next.delete(field);
      return next;
    });
  };
  const touch = (field: Field) => {
    setTouched((previous) => (previous.has(field) ? previous : new Set(previous).add(field)));
  };

  const submit = async () => {
    if (busyRef.current || opened !== null) return;
    setTouched(new Set(FIELDS));
    const firstBad = FIELDS.find((field) => problemOf(field) !== null);
    if (firstBad !== undefined) {
      setFieldError(t('open.fixFields'));
      focusField(firstBad);
      return;
    }
    const district = DEMO_DISTRICTS.find((d) => d.code === form.districtCode);
    if (district === undefined) {
      focusField('district');
      return;
    }
    setFieldError(null);
    setError(null);
    busyRef.current = true;
    setBusy(true);
    const result = await call('accounts.open', {
      ownerName: form.ownerName.trim(),
      idNumber: idTrimmed,
      phone: form.phone.trim(),
      address: form.address.trim(),
      districtCode: district.code,
      districtName: district.name,
      meterNo,
      meterKind: form.meterKind,
      tariffCode: form.tariffCode,
      customerType: form.customerType,
    });
    busyRef.current = false;
    setBusy(false);
    if (result.ok) {
      setOpened(result.value);
      return;
    }
    setError(result.error);
    const fields = result.error.code === 'NO_TARIFF' ? new Set<Field>(['tariff']) : stationFieldProblems(result.error);
    setStationFields(fields);
    const first = FIELDS.find((field) => fields.has(field));
    if (first !== undefined) focusField(first);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      if (busyRef.current) return;
      if (opened !== null) onOpen(opened.accountNo);
      else onClose();
      return;
    }
    if (event.key !== 'Enter') return;
    const testId = event.target instanceof HTMLButtonElement ? event.target.dataset['testid'] : undefined;
    if (testId !== undefined && testId !== 'open-submit' && testId !== 'open-result-open') return;
    event.preventDefault();
    if (event.repeat) return;
    if (opened !== null) onOpen(opened.accountNo);
    else void submit();
  };

  if (opened !== null) {
    const low = opened.numbersLeft < RANGE_WARNING_BELOW;
    return (
      <Dialog title={t('open.doneTitle')} testId="open-account-dialog" onKeyDown={onKeyDown}>
        <div className="pay-done" data-testid="open-result" data-account-no={opened.accountNo}>
          <div className="pay-done__tick">✓</div>
          <div className="muted">{t('open.doneAccount')}</div>
          <div className="open-result__no num">{opened.accountNo}</div>
          <div className="small muted">
            {form.ownerName.trim()} · {t(`meterKind.${form.meterKind}`)} · {t(`open.tariff.${form.tariffCode}`)}
          </div>
          {low ? (
            <div className="notice notice--warn" data-testid="open-range-warning" role="alert">
              ⚠ {t('open.rangeWarning', { n: count(opened.numbersLeft) })}
            </div>
          ) : (
            <div className="small muted">{t('open.rangeLeft', { n: count(opened.numbersLeft) })}</div>
          )}
          {form.meterKind === 'prepaid-card' && <div className="notice small">{t('open.doneCardNext')}</div>}
          <button type="button" className="button button--primary button--large" data-testid="open-result-open" autoFocus onClick={() => onOpen(opened.accountNo)}>
            {t('open.openAccount')}
          </button>
        </div>
      </Dialog>
    );
  }

  const fieldClass = (field: Field) => (invalid(field) ? 'input input--invalid' : 'input');
  const problemLine = (field: Field) => {
    const problem = shown(field);
    return problem === null ? null : <span className="field-error field-error--inline">{problem}</span>;
  };
  const label = (key: MessageKey) => <span className="field__label">{t(key)}</span>;

  return (
    <Dialog title={t('open.title')} testId="open-account-dialog" onKeyDown={onKeyDown} wide>
      <div className="open-form">
        <label className="field">
          {label('open.owner')}
          <input
            ref={ownerRef}
            data-testid="open-owner"
            className={fieldClass('owner')}
            autoFocus
            autoComplete="off"
            maxLength={64}
            value={form.ownerName}
            disabled={busy}
            aria-invalid={invalid('owner')}
            onBlur={() => touch('owner')}
            onChange={(event) => update({ ownerName: event.target.value }, ['owner'])}
          />
          {problemLine('owner')}
        </label>
        <label className="field">
          {label('open.idNumber')}
          <input
            ref={idRef}
            data-testid="open-id"
            className={`${fieldClass('id')} num`}
            autoComplete="off"
            spellCheck={false}
            maxLength={18}
            value={form.idNumber}
            disabled={busy}
            aria-invalid={invalid('id')}
            onBlur={() => touch('id')}
            onChange={(event) => update({ idNumber: event.target.value.toUpperCase() }, ['id'])}
          />
          {showIdProblem ? (
            <span className="field-error field-error--inline" data-testid="open-id-problem" data-problem={idProblem}>
              {t(`open.idProblem.${idProblem}`)}
            </span>
          ) : idTrimmed.length === 18 && idProblem === null ? (
            <span className="small text-ok" data-testid="open-id-ok">
              {t('open.idOk')}
            </span>
          ) : (
            problemLine('id')
          )}
        </label>
        <label className="field">
          {label('open.phone')}
          <input
            ref={phoneRef}
            data-testid="open-phone"
            className={`${fieldClass('phone')} num`}
            inputMode="numeric"
            autoComplete="off"
            maxLength={12}
            value={form.phone}
            disabled={busy}
            aria-invalid={invalid('phone')}
            onBlur={() => touch('phone')}
            onChange={(event) => update({ phone: event.target.value }, ['phone'])}
          />
          {problemLine('phone')}
        </label>
        <label className="field">
          {label('open.district')}
          <select
            ref={districtRef}
            data-testid="open-district"
            className={fieldClass('district')}
            value={form.districtCode}
            disabled={busy}
            onChange={(event) => update({ districtCode: event.target.value }, ['district'])}
          >
            {DEMO_DISTRICTS.map((district) => (
              <option key={district.code} value={district.code}>
                {district.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field open-form__wide">
          {label('open.address')}
          <input
            ref={addressRef}
            data-testid="open-address"
            className={fieldClass('address')}
            autoComplete="off"
            maxLength={128}
            placeholder={t('open.addressPlaceholder')}
            value={form.address}
            disabled={busy}
            aria-invalid={invalid('address')}
            onBlur={() => touch('address')}
            onChange={(event) => update({ address: event.target.value }, ['address'])}
          />
          {problemLine('address')}
        </label>
        <label className="field">
          {label('open.customerType')}
          <select
            ref={customerTypeRef}
            data-testid="open-customer-type"
            className={fieldClass('customerType')}
            value={form.customerType}
            disabled={busy}
            onChange={(event) => {
              const type = CUSTOMER_TYPES.find((value) => value === event.target.value) ?? 'residential';
              // The tariff follows the customer type; the clerk may still choose another.
              update({ customerType: type, tariffCode: tariffFor(type) }, ['customerType', 'tariff']);
            }}
          >
            {CUSTOMER_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`customerType.${type}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {label('open.tariff')}
          <select
            ref={tariffRef}
            data-testid="open-tariff"
            className={fieldClass('tariff')}
            value={form.tariffCode}
            disabled={busy}
            onChange={(event) => update({ tariffCode: TARIFFS.find((code) => code === event.target.value) ?? 'RES-GAS' }, ['tariff'])}
          >
            {TARIFFS.map((code) => (
              <option key={code} value={code}>
                {t(`open.tariff.${code}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {label('open.meterKind')}
          <select
            ref={meterKindRef}
            data-testid="open-meter-kind"
            className={fieldClass('meterKind')}
            value={form.meterKind}
            disabled={busy}
            onChange={(event) => update({ meterKind: METER_KINDS.find((kind) => kind === event.target.value) ?? 'prepaid-card' }, ['meterKind', 'meter'])}
          >
            {METER_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`meterKind.${kind}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {label('open.meterNo')}
          <input
            ref={meterRef}
            data-testid="open-meter"
            className={`${fieldClass('meter')} num`}
            inputMode={form.meterKind === 'prepaid-card' ? 'numeric' : 'text'}
            autoComplete="off"
            spellCheck={false}
            maxLength={form.meterKind === 'prepaid-card' ? 12 : 20}
            value={form.meterNo}
            disabled={busy}
            aria-invalid={invalid('meter')}
            onBlur={() => touch('meter')}
            onChange={(event) => update({ meterNo: event.target.value }, ['meter'])}
          />
          {problemLine('meter') ?? (form.meterKind === 'prepaid-card' && <span className="small muted">{t('open.meterNoPrepaid')}</span>)}
        </label>
      </div>
      {fieldError !== null && <div className="field-error">{fieldError}</div>}
      {error !== null && <ErrorBanner error={error} />}
      <div className="dialog__buttons">
        <button type="button" className="button" data-testid="open-cancel" disabled={busy} onClick={onClose}>
          {t('open.cancel')}
        </button>
        <button type="button" className="button button--primary button--large" data-testid="open-submit" disabled={busy} onClick={() => void submit()}>
          {busy ? t('open.busy') : t('open.submit')}
        </button>
      </div>
    </Dialog>
  );
}
