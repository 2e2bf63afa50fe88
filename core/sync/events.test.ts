import { describe, expect, it } from 'vitest';
import { accountDocSchema, accountOpeningDocSchema, ledgerEntryDocSchema, ownershipTransferDocSchema } from '../schema/documents.js';
import type { AccountDoc } from '../schema/documents.js';
import { v1Samples } from '../schema/samples.js';
import { classifyMasterEvent, decideMasterEvent, eventOutcomeDoc } from './events.js';
import type { MasterEvent } from './events.js';

const account: AccountDoc = accountDocSchema.parse({ ...v1Samples.account, _rev: '3-abc' });
const noGrants = { accountGrants: [] };

function transfer(eventId: string, previous: { name: string; idNumber: string }, next = { name: '陈建国', idNumber: '340104197905120033', phone: '13905512233' }): MasterEvent {
  const doc = ownershipTransferDocSchema.parse({ ...v1Samples['ownership-transfer'], _id: `transfer:${eventId}`, eventId, previousOwner: previous, newOwner: next });
  return { kind: 'ownership-transfer', doc };
}

function cardIssue(generation: number, serial: string): MasterEvent {
  const doc = ledgerEntryDocSchema.parse({
    ...v1Samples['ledger-entry'],
    kind: 'card-issue',
    amount: 0,
    method: null,
    tendered: null,
    change: null,
    bills: [],
    cardIssue: { serial, generation, replacement: generation > 0, previousSerial: null, reason: null, approvedBy: null, carried: null },
  });
  const event = classifyMasterEvent(doc);
  if (event === null || event === 'malformed') throw new Error('not a card issue');
  return event;
}

const opening = (): MasterEvent => ({ kind: 'account-opening', doc: accountOpeningDocSchema.parse(v1Samples['account-opening']) });

describe('master-data event rules', () => {
  it('classifies station documents', () => {
    expect(classifyMasterEvent(v1Samples['ledger-entry'] as { _id: string })).toBeNull();
    expect(classifyMasterEvent(v1Samples.receipt as { _id: string })).toBeNull();
    expect((classifyMasterEvent(v1Samples['account-opening'] as { _id: string }) as MasterEvent).kind).toBe('account-opening');
    expect((classifyMasterEvent(v1Samples['ownership-transfer'] as { _id: string }) as MasterEvent).kind).toBe('ownership-transfer');
    const broken: { _id: string } = { _id: 'transfer:X' };
    expect(classifyMasterEvent(broken)).toBe('malformed');
  });

  it('a transfer from the owner central has applies, records its event id, and applies again as a no-op', () => {
    const first = decideMasterEvent(account, transfer('HF-SS-01:aaaa-1', { name: '王芳', idNumber: '340104198803150021' }), noGrants);
    expect(first.outcome).toBe('applied');
    const next = first.nextAccount;
    expect(next).toMatchObject({ ownerName: '陈建国', idNumber: '340104197905120033', phone: '13905512233', lastTransferEventId: 'HF-SS-01:aaaa-1' });
    expect(accountDocSchema.safeParse(next).success).toBe(true);
    const again = decideMasterEvent(next, transfer('HF-SS-01:aaaa-1', { name: '王芳', idNumber: '340104198803150021' }), noGrants);
    expect(again).toEqual({ outcome: 'applied', reason: null, detail: null, nextAccount: null });
  });

  it('a second transfer from the old owner is rejected owner-changed, naming no one', () => {
    const after = decideMasterEvent(account, transfer('HF-SS-01:aaaa-1', { name: '王芳', idNumber: '340104198803150021' }), noGrants).nextAccount;
    const second = decideMasterEvent(after, transfer('HF-SS-02:bbbb-1', { name: '王芳', idNumber: '340104198803150021' }, { name: '赵六', idNumber: '340104197905120050', phone: '13900000000' }), noGrants);
    expect(second.outcome).toBe('rejected');
    expect(second.reason).toBe('owner-changed');
    expect(second.detail).toBe('the account was transferred to another owner first');
    expect(decideMasterEvent(null, transfer('X-1:cccc-1', { name: '王芳', idNumber: '340104198803150021' }), noGrants).reason).toBe('no-account');
  });

  it('an opening creates the account once; the same customer again is applied, another is account-exists', () => {
    const first = decideMasterEvent(null, opening(), noGrants);
    expect(first.outcome).toBe('applied');
    expect(first.nextAccount?._id).toBe('account:3499000002');
    expect(first.nextAccount && '_rev' in first.nextAccount).toBe(false);
    const created = accountDocSchema.parse(first.nextAccount);
    expect(decideMasterEvent(created, opening(), noGrants)).toMatchObject({ outcome: 'applied', nextAccount: null });
    expect(decideMasterEvent({ ...created, ownerName: '别人' }, opening(), noGrants).reason).toBe('account-exists');
  });

  it('an opening outside the station grants is refused once the station had grants', () => {
    const grants = [{ grantNo: 1, from: 3_500_000_000, to: 3_500_000_499, at: '2026-01-01T00:00:00.000Z' }];
    expect(decideMasterEvent(null, opening(), { accountGrants: grants }).reason).toBe('number-not-granted');
    const later = [{ ...grants[0], at: '2027-01-01T00:00:00.000Z', grantNo: 1, from: 3_500_000_000, to: 3_500_000_499 }];
    expect(decideMasterEvent(null, opening(), { accountGrants: later }).outcome).toBe('applied');
  });

  it('card issues move the generation forward only', () => {
    const first = decideMasterEvent(account, cardIssue(0, '0102030405060708'), noGrants);
    expect(first.nextAccount).toMatchObject({ cardSerial: '0102030405060708', cardGeneration: 0 });
    const withCard = accountDocSchema.parse(first.nextAccount);
    expect(decideMasterEvent(withCard, cardIssue(0, '0102030405060708'), noGrants)).toMatchObject({ outcome: 'applied', nextAccount: null });
    expect(decideMasterEvent(withCard, cardIssue(0, '1111111111111111'), noGrants).reason).toBe('card-superseded');
    const replaced = accountDocSchema.parse(decideMasterEvent(withCard, cardIssue(2, 'AAAAAAAAAAAAAAAA'), noGrants).nextAccount);
    expect(replaced.cardGeneration).toBe(2);
    expect(decideMasterEvent(replaced, cardIssue(1, 'BBBBBBBBBBBBBBBB'), noGrants).reason).toBe('card-superseded');
    expect(decideMasterEvent(null, cardIssue(1, 'BBBBBBBBBBBBBBBB'), noGrants).reason).toBe('no-account');
  });

  it('writes a schema-valid outcome', () => {
    const event = transfer('HF-SS-01:aaaa-1', { name: '某人', idNumber: '340104198803150021' });
    const outcome = eventOutcomeDoc(event, decideMasterEvent(account, event, noGrants), '2026-01-01T00:00:00.000Z');
    expect(outcome).toMatchObject({ _id: 'outcome:transfer:HF-SS-01:aaaa-1', outcome: 'rejected', reason: 'owner-changed', eventKind: 'ownership-transfer' });
  });
});
