/**
 * A Hefei-like city for demo data: the urban districts a hall serves and two rural counties the
 * service van drives into. Road and town names are real places in 合肥 so the demo reads true to
 * clerks; house numbers, estates and villages are invented. Account numbers start with the
 * district's two-digit prefix, as many utilities number by service area.
 */

export type DistrictKind = 'urban' | 'rural';

export interface DemoDistrict {
  readonly code: string;
  readonly name: string;
  readonly kind: DistrictKind;
  /** First two digits of every account number opened here. */
  readonly accountPrefix: string;
  /** Administrative code used as the ID-number region for people registered here. */
  readonly idRegion: string;
  /** Share of the utility's accounts, relative to the other districts. */
  readonly weight: number;
  /** Urban: roads. Rural: towns (镇/乡). */
  readonly places: readonly string[];
}

export const CITY_NAME = '合肥市';

export const DEMO_DISTRICTS: readonly DemoDistrict[] = [
  {
    code: 'SHUSHAN', name: '蜀山区', kind: 'urban', accountPrefix: '11', idRegion: '340104', weight: 20,
    places: ['长江西路', '黄山路', '望江西路', '潜山路', '肥西路', '稻香路', '井岗路', '合作化南路', '金寨路', '清溪路', '荷叶地路', '史河路'],
  },
  {
    code: 'BAOHE', name: '包河区', kind: 'urban', accountPrefix: '12', idRegion: '340111', weight: 20,
    places: ['徽州大道', '马鞍山路', '包河大道', '南二环路', '望江东路', '屯溪路', '太湖路', '九华山路', '宁国路', '芜湖路', '紫云路', '延安路'],
  },
  {
    code: 'LUYANG', name: '庐阳区', kind: 'urban', accountPrefix: '13', idRegion: '340103', weight: 16,
    places: ['长江中路', '阜阳路', '蒙城路', '亳州路', '淮河路', '寿春路', '北一环路', '濉溪路', '六安路', '宿州路', '颍上路', '清源路'],
  },
  {
    code: 'YAOHAI', name: '瑶海区', kind: 'urban', accountPrefix: '14', idRegion: '340102', weight: 16,
    places: ['长江东路', '临泉路', '铜陵路', '和平路', '明光路', '胜利路', '站前路', '大通路', '当涂路', '全椒路', '凤阳路', '裕溪路'],
  },
  {
    code: 'ZHENGWU', name: '政务区', kind: 'urban', accountPrefix: '15', idRegion: '340104', weight: 8,
    places: ['潜山路', '东流路', '怀宁路', '习友路', '南二环路', '天鹅湖路', '翡翠路', '祁门路', '休宁路', '徽州大道'],
  },
  {
    code: 'GAOXIN', name: '高新区', kind: 'urban', accountPrefix: '16', idRegion: '340104', weight: 8,
    places: ['黄山路', '望江西路', '创新大道', '天达路', '科学大道', '长江西路', '天智路', '石莲南路', '香樟大道', '玉兰大道'],
  },
  {
    code: 'FEIXI', name: '肥西县', kind: 'rural', accountPrefix: '21', idRegion: '340123', weight: 7,
    places: ['三河镇', '上派镇', '桃花镇', '紫蓬镇', '官亭镇', '丰乐镇', '花岗镇', '山南镇', '严店乡', '铭传乡'],
  },
  {
    code: 'CHANGFENG', name: '长丰县', kind: 'rural', accountPrefix: '22', idRegion: '340121', weight: 5,
    places: ['水湖镇', '岗集镇', '下塘镇', '杨庙镇', '吴山镇', '庄墓镇', '造甲乡', '双墩镇', '朱巷镇', '杜集镇'],
  },
];

/** Estate names are a prefix and a suffix: 绿地世纪城, 翠竹花园, 梅山新村 … */
export const ESTATE_PREFIXES: readonly string[] = [
  '绿地世纪', '万科森林', '保利香槟', '融科', '琥珀', '翡翠湖', '金色地中海', '和平', '幸福', '安居', '梅山', '翠竹', '南艳湖',
  '天鹅湖', '滨湖', '荣城', '信达', '华润', '杏林', '双岗', '西园', '芙蓉', '桂花', '百花', '锦绣', '春江', '青年', '电力',
];
export const ESTATE_SUFFIXES: readonly string[] = ['城', '花园', '家园', '小区', '新村', '苑', '公寓', '雅居', '山庄', '华府', '佳园', '名都'];

/** Village names are a word and a settlement suffix; 郢 and 岗 are typical of central Anhui. */
export const VILLAGE_WORDS: readonly string[] = [
  '杨', '大李', '王', '张', '新河', '红星', '桃园', '高', '小庙', '金牛', '柏堰', '双河', '前进', '丰收', '刘', '陈', '团结', '黄',
];
export const VILLAGE_SUFFIXES: readonly string[] = ['岗村', '郢村', '洼村', '圩村', '店村', '桥村', '庄村', '集村', '湾村'];
export const GROUP_NUMERALS: readonly string[] = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];

/** ID-number regions of people who moved to Hefei from elsewhere in Anhui (and a few beyond). */
export const OTHER_ID_REGIONS: readonly string[] = [
  '340122', '340181', '341202', '341221', '340811', '340322', '341502', '341623', '340521', '342401', '320102', '410102',
];

/** Mobile number prefixes in use in China (China Mobile, Unicom, Telecom, Broadnet). */
export const MOBILE_PREFIXES: readonly string[] = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156', '157', '158',
  '159', '166', '173', '176', '177', '178', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '193', '195',
  '198', '199',
];
