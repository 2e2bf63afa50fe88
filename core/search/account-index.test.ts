import { describe, expect, it } from 'vitest';
import { accountSummarySchema, type SearchMatch } from '../contract/views.js';
import { generateAccounts } from '../demo-data/generator.js';
import { createRandom, type Random } from '../demo-data/random.js';
import { maskIdNumber, maskPhone } from '../identity/id-number.js';
import { AccountIndex, type IndexedAccount } from './account-index.js';

function account(overrides: Partial<IndexedAccount> & { accountNo: string }): IndexedAccount {
  return {
    ownerName: '测试',
    idNumber: '34010419800101123X',
    phone: '13800000000',
    address: '合肥市蜀山区测试路1号',
    districtName: '蜀山区',
    meterNo: `GK${overrides.accountNo}`,
    cardSerial: null,
    meterKind: 'post-paid',
    status: 'active',
    ...overrides,
  };
}

function toIndexed(doc: IndexedAccount): IndexedAccount {
  const { accountNo, ownerName, idNumber, phone, address, districtName, meterNo, cardSerial, meterKind, status } = doc;
  return { accountNo, ownerName, idNumber, phone, address, districtName, meterNo, cardSerial, meterKind, status };
}

function small(): AccountIndex {
  const index = new AccountIndex();
  index.upsert(account({ accountNo: '1100100001', ownerName: '王芳', phone: '13912345678', address: '合肥市蜀山区长江西路128号绿地世纪城5栋2单元301室', cardSerial: '0a1b2c3d4e5f6071', meterKind: 'prepaid-card', meterNo: 'GK2300000001' }));
  index.upsert(account({ accountNo: '1100100002', ownerName: '王芳芳', phone: '13812345678', address: '合肥市蜀山区黄山路8号', meterNo: 'GK2300000002' }));
  index.upsert(account({ accountNo: '1100100003', ownerName: '李王芳', phone: '05516123456', address: '合肥市包河区长江西路3号', meterNo: 'JY2300000003' }));
  index.upsert(account({ accountNo: '1200100004', ownerName: '张伟', phone: '18655551234', address: '肥西县三河镇杨岗村五组12号', districtName: '肥西县', meterNo: 'TC2300000004' }));
  index.upsert(account({ accountNo: '1200100005', ownerName: '欧阳娜', phone: '19900001234', address: '合肥市瑶海区王岗路15栋', districtName: '瑶海区', meterNo: 'HR2300000005' }));
  return index;
}

function numbers(index: AccountIndex, query: string, limit?: number): string[] {
  return index.search(query, limit).results.map((r) => r.accountNo);
}

describe('AccountIndex: query kinds', () => {
  it('finds an exact account number', () => {
    const result = small().search('1100100002');
    expect(result.total).toBe(1);
    expect(result.results[0]).toMatchObject({ accountNo: '1100100002', matchedOn: 'accountNo', ownerName: '王芳芳' });
  });

  it('finds an exact meter number, ignoring case', () => {
    expect(small().search('tc2300000004').results.map((r) => [r.accountNo, r.matchedOn])).toEqual([['1200100004', 'meterNo']]);
  });

  it('finds an exact card serial, ignoring case', () => {
    const index = small();
    for (const q of ['0A1B2C3D4E5F6071', '0a1b2c3d4e5f6071']) {
      expect(index.search(q).results.map((r) => [r.accountNo, r.matchedOn])).toEqual([['1100100001', 'cardSerial']]);
    }
  });

  it('finds a whole phone number, also typed with dashes or full-width digits', () => {
    const index = small();
    for (const q of ['13812345678', '138-1234-5678', '１３８１２３４５６７８', '0551-6123456']) {
      const result = index.search(q);
      expect(result.total, q).toBe(1);
      expect(result.results[0]?.matchedOn).toBe('phone');
    }
  });

  it('finds phone tails of 4 to 10 digits', () => {
    const index = small();
    expect(numbers(index, '5678').sort()).toEqual(['1100100001', '1100100002']);
    expect(numbers(index, '2345678').sort()).toEqual(['1100100001', '1100100002']);
    expect(numbers(index, '1234').sort()).toEqual(['1200100004', '1200100005']);
    expect(index.search('678').total).toBe(0); // three digits are too few to mean anything
  });

  it('finds account-number prefixes of 6 or more digits, after exact hits', () => {
    const index = small();
    expect(numbers(index, '110010')).toEqual(['1100100001', '1100100002', '1100100003']);
    expect(numbers(index, '12001000')).toEqual(['1200100004', '1200100005']);
    expect(index.search('110010').results.every((r) => r.matchedOn === 'accountNo')).toBe(true);
    expect(index.search('11001').total).toBe(0);
  });

  it('finds names containing the query: one character, a full name, a two-character surname', () => {
    const index = small();
    expect(numbers(index, '王')).toEqual(['1100100001', '1100100002', '1100100003']);
    expect(numbers(index, '王芳')).toEqual(['1100100001', '1100100002', '1100100003']);
    expect(numbers(index, '欧阳')).toEqual(['1200100005']);
    expect(index.search('欧阳娜').results[0]?.matchedOn).toBe('name');
  });

  it('finds address fragments of two or more characters', () => {
    const index = small();
    expect(numbers(index, '长江西路')).toEqual(['1100100001', '1100100003']);
    expect(numbers(index, '蜀山区')).toEqual(['1100100001', '1100100002']);
    expect(numbers(index, '5栋')).toEqual(['1100100001', '1200100005']);
    expect(numbers(index, '杨岗村')).toEqual(['1200100004']);
    expect(numbers(index, '３０１室')).toEqual(['1100100001']);
    expect(index.search('长江西路').results.every((r) => r.matchedOn === 'address')).toBe(true);
  });

  it('does not match single characters against addresses (every address has 路 or 号)', () => {
    expect(small().search('路').total).toBe(0);
  });

  it('treats whitespace-separated terms as AND', () => {
    const index = small();
    expect(numbers(index, '王 长江')).toEqual(['1100100001', '1100100003']);
    expect(numbers(index, '王芳　长江西路 5栋')).toEqual(['1100100001']);
    expect(numbers(index, '王 1234')).toEqual([]);
    expect(numbers(index, '欧阳 1234')).toEqual(['1200100005']);
  });

  it('returns masked summaries that satisfy the contract schema', () => {
    const result = small().search('王芳');
    for (const summary of result.results) expect(accountSummarySchema.parse(summary)).toEqual(summary);
    expect(result.results[0]).toMatchObject({
      idNumberMasked: maskIdNumber('34010419800101123X'),
      phoneMasked: maskPhone('13912345678'),
      meterKind: 'prepaid-card',
      status: 'active',
      districtName: '蜀山区',
    });
  });

  it('gives nothing for an empty or blank query', () => {
    const index = small();
    for (const q of ['', '   ', '\t\n', '　', '-']) expect(index.search(q)).toEqual({ total: 0, results: [] });
  });
});

describe('AccountIndex: ranking and limits', () => {
  it('ranks exact name, then surname prefix, then contains, then address, ties by account number', () => {
    const index = new AccountIndex();
    index.upsert(account({ accountNo: '1000000009', ownerName: '李王芳', address: '某路1号' }));
    index.upsert(account({ accountNo: '1000000008', ownerName: '王芳芳', address: '某路2号' }));
    index.upsert(account({ accountNo: '1000000007', ownerName: '赵六', address: '王芳路3号' }));
    index.upsert(account({ accountNo: '1000000006', ownerName: '王芳', address: '某路4号' }));
    index.upsert(account({ accountNo: '1000000005', ownerName: '王芳娟', address: '某路5号' }));
    const result = index.search('王芳');
    expect(result.results.map((r) => [r.accountNo, r.matchedOn])).toEqual([
      ['1000000006', 'name'],
      ['1000000005', 'name'],
      ['1000000008', 'name'],
      ['1000000009', 'name'],
      ['1000000007', 'address'],
    ]);
  });

  it('ranks an exact account number before phone tails and prefixes', () => {
    const index = new AccountIndex();
    index.upsert(account({ accountNo: '12345678', phone: '13900000000' }));
    index.upsert(account({ accountNo: '12345678901', phone: '13800000001' }));
    index.upsert(account({ accountNo: '55555555', phone: '13912345678' }));
    expect(index.search('12345678').results.map((r) => [r.accountNo, r.matchedOn])).toEqual([
      ['12345678', 'accountNo'],
      ['55555555', 'phone'],
      ['12345678901', 'accountNo'],
    ]);
  });

  it('keeps the best `limit` and counts all', () => {
    const index = new AccountIndex();
    for (let i = 0; i < 50; i += 1) index.upsert(account({ accountNo: String(1_000_000_000 + ((i * 37) % 50)), ownerName: `王${i}` }));
    const result = index.search('王', 5);
    expect(result.total).toBe(50);
    expect(result.results.map((r) => r.accountNo)).toEqual(['1000000000', '1000000001', '1000000002', '1000000003', '1000000004']);
    expect(index.search('王').results).toHaveLength(20);
    expect(index.search('王', 0)).toEqual({ total: 50, results: [] });
  });
});

describe('AccountIndex: updates', () => {
  it('follows a rename: the old name stops matching, the new one matches', () => {
    const index = small();
    index.upsert(account({ accountNo: '1100100002', ownerName: '赵敏', phone: '13812345678', address: '合肥市蜀山区黄山路8号', meterNo: 'GK2300000002' }));
    expect(index.size).toBe(5);
    expect(numbers(index, '王芳芳')).toEqual([]);
    expect(numbers(index, '王芳')).toEqual(['1100100001', '1100100003']);
    expect(numbers(index, '赵敏')).toEqual(['1100100002']);
    expect(numbers(index, '1100100002')).toEqual(['1100100002']);
  });

  it('follows new phone, meter, card and address', () => {
    const index = small();
    index.upsert(account({ accountNo: '1100100001', ownerName: '王芳', phone: '13700007777', address: '合肥市庐阳区寿春路9号', meterNo: 'LX2400000099', cardSerial: 'FFFF0000FFFF0000', meterKind: 'prepaid-card' }));
    expect(index.search('5678').total).toBe(1);
    expect(numbers(index, '7777')).toEqual(['1100100001']);
    expect(index.search('GK2300000001').total).toBe(0);
    expect(numbers(index, 'LX2400000099')).toEqual(['1100100001']);
    expect(index.search('0A1B2C3D4E5F6071').total).toBe(0);
    expect(numbers(index, 'ffff0000ffff0000')).toEqual(['1100100001']);
    expect(numbers(index, '长江西路')).toEqual(['1100100003']);
    expect(numbers(index, '寿春路')).toEqual(['1100100001']);
  });

  it('updates display fields in place', () => {
    const index = small();
    index.upsert(account({ accountNo: '1200100004', ownerName: '张伟', phone: '18655551234', address: '肥西县三河镇杨岗村五组12号', districtName: '肥西县', meterNo: 'TC2300000004', status: 'suspended', idNumber: '340123199001011234' }));
    expect(index.search('张伟').results[0]).toMatchObject({ status: 'suspended', idNumberMasked: '340123********1234' });
  });

  it('removes accounts', () => {
    const index = small();
    index.remove('1100100001');
    index.remove('9999999999');
    expect(index.size).toBe(4);
    expect(index.has('1100100001')).toBe(false);
    expect(index.has('1100100002')).toBe(true);
    expect(index.search('1100100001').total).toBe(0);
    expect(index.search('0A1B2C3D4E5F6071').total).toBe(0);
    expect(numbers(index, '王芳')).toEqual(['1100100002', '1100100003']);
    index.upsert(account({ accountNo: '1100100001', ownerName: '王芳' }));
    expect(index.has('1100100001')).toBe(true);
    expect(index.search('王芳').results[0]?.accountNo).toBe('1100100001');
  });

  it('gives the same answers after compact(), and compacts itself after many renames', () => {
    const index = small();
    const before = ['王', '长江西路', '5678', '110010'].map((q) => index.search(q));
    index.compact();
    expect(['王', '长江西路', '5678', '110010'].map((q) => index.search(q))).toEqual(before);
    for (let round = 0; round < 1500; round += 1) {
      index.upsert(account({ accountNo: '1200100005', ownerName: round % 2 === 0 ? '欧阳娜' : '欧阳雪', meterNo: 'HR2300000005' }));
    }
    expect(index.size).toBe(5);
    expect(numbers(index, '欧阳雪')).toEqual(['1200100005']);
    expect(numbers(index, '欧阳娜')).toEqual([]);
  });
});

// ---- brute force comparison -------------------------------------------------------------------

/** The documented semantics, written the slow and obvious way. */
function bruteForce(accounts: Iterable<IndexedAccount>, query: string, limit: number): { total: number; results: [string, SearchMatch][] } {
  const fold = (s: string): string =>
    s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ').replace(/[a-z]/g, (c) => c.toUpperCase());
  const terms = [...new Set(fold(query).split(/\s+/).map((t) => (/^[0-9A-Z-]+$/.test(t) ? t.replace(/-/g, '') : t)).filter((t) => t !== ''))];
  if (terms.length === 0) return { total: 0, results: [] };
  const matched: { accountNo: string; rank: number; field: SearchMatch }[] = [];
  for (const a of accounts) {
    let best: { rank: number; field: SearchMatch } | null = null;
    let all = true;
    for (const q of terms) {
      const candidates: { rank: number; field: SearchMatch }[] = [];
      if (/^[0-9A-Z]+$/.test(q)) {
        const digits = /^\d+$/.test(q);
        if (a.accountNo === q) candidates.push({ rank: 0, field: 'accountNo' });
        if (a.meterNo.toUpperCase() === q) candidates.push({ rank: 1, field: 'meterNo' });
        if (a.cardSerial?.toUpperCase() === q) candidates.push({ rank: 2, field: 'cardSerial' });
        if (digits && a.phone === q) candidates.push({ rank: 3, field: 'phone' });
        if (digits && q.length >= 4 && q.length <= 10 && a.phone.endsWith(q)) candidates.push({ rank: 7, field: 'phone' });
        if (digits && q.length >= 6 && q.length < a.accountNo.length && a.accountNo.startsWith(q)) candidates.push({ rank: 8, field: 'accountNo' });
      } else {
        const name = fold(a.ownerName);
        if (name === q) candidates.push({ rank: 4, field: 'name' });
        else if (name.startsWith(q)) candidates.push({ rank: 5, field: 'name' });
        else if (name.includes(q)) candidates.push({ rank: 6, field: 'name' });
        if (q.length >= 2 && fold(a.address).includes(q)) candidates.push({ rank: 9, field: 'address' });
      }
      if (candidates.length === 0) {
        all = false;
        break;
      }
      for (const c of candidates) if (!best || c.rank < best.rank) best = c;
    }
    if (all && best) matched.push({ accountNo: a.accountNo, ...best });
  }
  matched.sort((x, y) => x.rank - y.rank || (x.accountNo < y.accountNo ? -1 : x.accountNo > y.accountNo ? 1 : 0));
  return { total: matched.length, results: matched.slice(0, limit).map((m) => [m.accountNo, m.field]) };
}

function substring(random: Random, text: string, min: number, max: number): string {
  const length = Math.min(text.length, random.int(min, max));
  const start = random.int(0, text.length - length);
  return text.slice(start, start + length);
}

function randomQuery(random: Random, accounts: readonly IndexedAccount[]): string {
  const a = random.pick(accounts);
  const b = random.pick(accounts);
  switch (random.int(0, 12)) {
    case 0:
      return a.accountNo;
    case 1:
      return random.chance(0.5) ? a.meterNo : a.meterNo.toLowerCase();
    case 2:
      return a.cardSerial ?? a.phone;
    case 3:
      return a.phone;
    case 4:
      return a.phone.slice(-random.int(4, 10));
    case 5:
      return a.accountNo.slice(0, random.int(6, 9));
    case 6:
      return a.ownerName.slice(0, 1);
    case 7:
      return a.ownerName;
    case 8:
      return substring(random, a.ownerName, 1, 3);
    case 9:
      return substring(random, a.address, 2, 8);
    case 10:
      return `${a.ownerName.slice(0, 1)} ${substring(random, a.address, 2, 4)}`;
    case 11:
      return `${substring(random, a.address, 2, 3)} ${substring(random, b.address, 2, 3)}`;
    default:
      return `${a.ownerName.slice(0, 1)} ${a.phone.slice(-4)}`;
  }
}

describe('AccountIndex: agrees with a brute-force filter', () => {
  const accounts = [...generateAccounts({ seed: 20240601, count: 3000, today: '2025-06-15' })].map(toIndexed);

  it('on random queries drawn from 3,000 generated accounts', () => {
    const index = new AccountIndex();
    for (const a of accounts) index.upsert(a);
    expect(index.size).toBe(3000);
    const random = createRandom(99);
    let nonEmpty = 0;
    let large = 0;
    for (let i = 0; i < 600; i += 1) {
      const query = randomQuery(random, accounts);
      const limit = random.int(1, 30);
      const got = index.search(query, limit);
      const want = bruteForce(accounts, query, limit);
      expect({ query, total: got.total, results: got.results.map((r) => [r.accountNo, r.matchedOn]) }).toEqual({ query, ...want });
      if (got.total > 0) nonEmpty += 1;
      if (got.total > limit) large += 1;
    }
    // The comparison means something only if most queries match, and many overflow the limit.
    expect(nonEmpty).toBeGreaterThan(500);
    expect(large).toBeGreaterThan(100);
  });

  it('after random renames, moves and removals', () => {
    const index = new AccountIndex();
    const live = new Map<string, IndexedAccount>();
    for (const a of accounts) {
      index.upsert(a);
      live.set(a.accountNo, a);
    }
    const random = createRandom(7);
    for (let step = 0; step < 1500; step += 1) {
      const target = random.pick(accounts);
      const donor = random.pick(accounts);
      const action = random.int(0, 4);
      if (action === 0) {
        index.remove(target.accountNo);
        live.delete(target.accountNo);
      } else {
        const changed: IndexedAccount = {
          ...target,
          ownerName: action === 1 ? donor.ownerName : target.ownerName,
          address: action === 2 ? donor.address : target.address,
          phone: action === 3 ? donor.phone : target.phone,
          status: action === 4 ? 'suspended' : target.status,
        };
        index.upsert(changed);
        live.set(changed.accountNo, changed);
      }
    }
    expect(index.size).toBe(live.size);
    const current = [...live.values()];
    for (let i = 0; i < 300; i += 1) {
      const query = randomQuery(random, accounts);
      const got = index.search(query, 25);
      const want = bruteForce(current, query, 25);
      expect({ query, total: got.total, results: got.results.map((r) => [r.accountNo, r.matchedOn]) }).toEqual({ query, ...want });
    }
    index.compact();
    for (let i = 0; i < 100; i += 1) {
      const query = randomQuery(random, current);
      expect(index.search(query, 10).total, query).toBe(bruteForce(current, query, 10).total);
    }
  });
});
