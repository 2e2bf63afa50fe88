/**
 * Name material for demo accounts. Surname shares are percentages of the population, rounded
 * from the published national rankings (Ministry of Public Security household register, 2019
 * and 2020 reports); the top three (王 李 张) together are about 21%. The search index's
 * worst case is a one-character surname query, so the shares matter: 王 alone is ~7% of the
 * accounts, about 85,000 of 1.2 million.
 */

export const SURNAME_SHARES: readonly (readonly [string, number])[] = [
  ['王', 7.12], ['李', 7.0], ['张', 6.74], ['刘', 5.1], ['陈', 4.61], ['杨', 3.22], ['赵', 2.0], ['黄', 2.45],
  ['周', 1.95], ['吴', 1.99], ['徐', 1.45], ['孙', 1.38], ['胡', 1.31], ['朱', 1.26], ['高', 1.21], ['林', 1.18],
  ['何', 1.17], ['郭', 1.15], ['马', 1.05], ['罗', 0.86], ['梁', 0.83], ['宋', 0.76], ['郑', 0.76], ['谢', 0.72],
  ['韩', 0.67], ['唐', 0.67], ['冯', 0.64], ['于', 0.62], ['董', 0.6], ['萧', 0.05], ['肖', 0.58], ['程', 0.55],
  ['曹', 0.55], ['袁', 0.53], ['邓', 0.53], ['许', 0.52], ['傅', 0.25], ['付', 0.3], ['沈', 0.47], ['曾', 0.47],
  ['彭', 0.47], ['吕', 0.44], ['苏', 0.44], ['卢', 0.44], ['蒋', 0.43], ['蔡', 0.43], ['贾', 0.41], ['丁', 0.41],
  ['魏', 0.4], ['薛', 0.38], ['叶', 0.38], ['阎', 0.05], ['闫', 0.3], ['余', 0.38], ['潘', 0.37], ['杜', 0.37],
  ['戴', 0.36], ['夏', 0.36], ['钟', 0.35], ['汪', 0.45], ['田', 0.35], ['任', 0.34], ['姜', 0.34], ['范', 0.33],
  ['方', 0.33], ['石', 0.32], ['姚', 0.32], ['谭', 0.31], ['廖', 0.3], ['邹', 0.3], ['熊', 0.3], ['金', 0.29],
  ['陆', 0.29], ['郝', 0.28], ['孔', 0.27], ['白', 0.27], ['崔', 0.27], ['康', 0.26], ['毛', 0.26], ['邱', 0.26],
  ['秦', 0.25], ['江', 0.25], ['史', 0.25], ['顾', 0.24], ['侯', 0.24], ['邵', 0.23], ['孟', 0.23], ['龙', 0.22],
  ['万', 0.22], ['段', 0.21], ['雷', 0.21], ['钱', 0.21], ['汤', 0.2], ['尹', 0.2], ['黎', 0.19], ['易', 0.19],
  ['常', 0.19], ['武', 0.18], ['乔', 0.18], ['贺', 0.18], ['赖', 0.17], ['龚', 0.17], ['文', 0.17], ['储', 0.12],
  ['童', 0.12], ['葛', 0.12], ['陶', 0.16], ['鲍', 0.08], ['查', 0.06], ['桂', 0.05], ['檀', 0.04], ['鲁', 0.1],
  ['倪', 0.1], ['殷', 0.08], ['严', 0.15], ['牛', 0.1], ['向', 0.1], ['施', 0.1], ['洪', 0.1], ['岳', 0.08],
  ['齐', 0.08], ['柏', 0.04], ['邢', 0.08], ['祝', 0.06], ['申', 0.06], ['欧', 0.04], ['包', 0.06], ['左', 0.06],
  // Two-character surnames are rare but must exist: "欧阳" must match 欧阳 names and "欧" too.
  ['欧阳', 0.05], ['司马', 0.01], ['诸葛', 0.005], ['上官', 0.005], ['端木', 0.003], ['东方', 0.004], ['皇甫', 0.004],
  ['令狐', 0.002], ['慕容', 0.002], ['司徒', 0.004],
];

/**
 * The long tail: the listed surnames cover ~85% of people, and the rest share many rarer ones.
 * `surnameTable` spreads the remaining share evenly over these, so the listed shares hold.
 */
const RARE_SURNAMES =
  '安敖巴班卜卞毕边岑柴车成褚迟单狄刁窦樊房费丰封凤伏符甘干耿宫古谷关管杭衡扈花华滑宦霍姬纪季冀简焦解荆井景居鞠阚柯匡况蓝郎劳乐冷连廉凌柳娄芦栾骆麦满茅梅蒙米宓苗缪穆聂宁庞裴皮平蒲濮戚祁强屈瞿全冉饶荣阮芮沙尚佘盛舒束帅水司宿随台谈滕佟涂屠危韦卫蔚温闻翁巫邬伍席冼项辛幸宣荀燕晏阳仰尤游虞郁喻元云臧詹展战章甄支植仲庄卓訾宗祖';

/** Every surname with its share in percent; the shares add up to 100. */
export function surnameTable(): (readonly [string, number])[] {
  const listed = new Set(SURNAME_SHARES.map(([surname]) => surname));
  const rare = [...new Set(RARE_SURNAMES)].filter((surname) => !listed.has(surname));
  const listedTotal = SURNAME_SHARES.reduce((sum, [, percent]) => sum + percent, 0);
  const each = Math.max(0, 100 - listedTotal) / rare.length;
  return [...SURNAME_SHARES, ...rare.map((surname) => [surname, each] as const)];
}

/** Given-name characters, drawn per character; a share of each list is unisex on purpose. */
export const GIVEN_MALE: readonly string[] = [
  '伟', '强', '磊', '军', '勇', '杰', '涛', '斌', '超', '明', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波', '宁', '健',
  '亮', '俊', '峰', '建', '国', '文', '志', '红', '海', '东', '林', '浩', '宇', '晨', '阳', '博', '凯', '鸿', '毅', '龙',
  '成', '旭', '洪', '庆', '德', '福', '祥', '兵', '新', '忠', '永', '贵', '春', '金', '元', '山', '家', '子', '泽', '睿',
  '轩', '然', '一', '天', '思', '振', '光', '荣', '学', '友', '立', '中', '锋', '云', '松', '正', '发', '长', '胜', '保',
];

export const GIVEN_FEMALE: readonly string[] = [
  '芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '秀', '英', '玲', '燕', '萍', '红', '梅', '琳', '洁', '雪', '婷', '慧',
  '莉', '倩', '颖', '晶', '欣', '琴', '兰', '凤', '云', '华', '佳', '婉', '彤', '雨', '悦', '涵', '怡', '瑶', '桂', '珍',
  '春', '月', '美', '丹', '蓉', '琪', '璐', '妍', '菲', '露', '莹', '爱', '素', '淑', '翠', '小', '文', '晓', '思', '嘉',
  '梦', '诗', '可', '心', '欢', '宁', '馨', '秋', '媛', '青',
];

/** Words and trades for commercial customers (restaurants, shops, small companies). */
export const SHOP_WORDS: readonly string[] = [
  '蜀香', '徽味', '庐州', '好再来', '鸿运', '福满楼', '老街坊', '金桂', '巢湖', '淮南', '鑫隆', '聚福', '一品', '味道',
  '新华', '阳光', '和顺', '家乐', '长江', '包公', '逍遥津', '明珠', '三河', '大蜀山', '天鹅湖', '安居', '佳和', '兴旺',
];
export const SHOP_KINDS: readonly string[] = [
  '餐馆', '饭店', '面馆', '酒楼', '烧烤店', '早餐店', '包子铺', '火锅店', '茶楼', '宾馆', '洗衣店', '浴室', '快餐店', '小吃店',
];
export const COMPANY_TRADES: readonly string[] = ['食品', '餐饮管理', '酒店管理', '物业管理', '商贸', '洗涤服务', '农产品'];
