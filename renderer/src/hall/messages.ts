/**
 * Words of the kiosk and display-board pages, Chinese first. Kept apart from the counter UI's
 * catalogue (renderer/i18n): these pages are a separate small app that strangers read from across
 * a hall, and their bundle should not carry the counter's thousand messages.
 */
import { useCallback, useEffect, useState } from 'react';

export type HallLang = 'zh' | 'en';

const zh = {
  appTitle: '排队叫号',
  langToggle: 'English',
  connecting: '正在连接叫号服务…',
  reconnecting: '与叫号服务的连接中断，正在重新连接…',
  noCredentialTitle: '本设备尚未登记',
  noCredentialBody: '请管理员在通达收费系统的「设置 › 排队叫号 › 设备」中为本设备签发凭证，并用签发时给出的完整地址打开本页。',
  badCredentialBody: '地址中的设备凭证格式不对。请使用签发时给出的完整地址重新打开本页。',
  refusedTitle: '本设备已被拒绝',
  refusedBody: '叫号服务不再接受本设备的凭证（已被吊销或无效）。请管理员重新签发凭证，并用新地址打开本页。',
  wrongKindTitle: '凭证与页面不符',
  wrongKindBody: '这个凭证属于「{kind}」设备，不能用于本页面。',
  kindKiosk: '取号机',
  kindBoard: '叫号屏',
  kindCounter: '窗口',
  // Kiosk
  kioskPrompt: '请选择您要办理的业务，取号后请留意叫号',
  kioskWaiting: '{count} 人等候',
  kioskNoServices: '暂无可取号的业务',
  priorityTitle: '优先服务（如需要请先选择）',
  priorityElderly: '老年人',
  priorityDisabled: '残疾人',
  priorityVip: 'VIP',
  priorityChosen: '下一张号为「{priority}」优先号',
  issuing: '正在取号，请稍候…',
  issuingSlow: '网络不稳，正在重试，请稍候…',
  yourNumber: '您的号码',
  aheadOfYou: '前面还有 {count} 位',
  noneAhead: '前面没有人在等候，请留意叫号',
  printed: '已打印，请取票',
  printFailed: '打印失败，请记住您的号码',
  noPrinter: '本机无打印机，请记住您的号码',
  issuedAt: '取号时间 {time}',
  done: '好的',
  issueFailed: '取号失败：{reason}',
  issueFailedBusy: '该业务暂时不能取号，请选择其他业务或咨询工作人员',
  issueFailedOther: '请稍后再试或咨询工作人员',
  // Board
  boardNowCalling: '正在叫号',
  boardCounters: '各窗口',
  boardRecent: '最近叫号',
  boardWaiting: '等候人数',
  boardCounterNo: '{counterNo} 号窗口',
  boardToCounter: '请到 {counterNo} 号窗口',
  boardFree: '空闲',
  boardNoCalls: '暂无叫号',
  boardServing: '办理中',
  boardRecall: '重呼',
  boardPeople: '{count} 人',
  enableSound: '点击屏幕任意处开启语音播报',
} as const;

export type HallMessageKey = keyof typeof zh;

const en: Record<HallMessageKey, string> = {
  appTitle: 'Queue',
  langToggle: '中文',
  connecting: 'Connecting to the queue service…',
  reconnecting: 'Lost the queue service; reconnecting…',
  noCredentialTitle: 'This device is not registered',
  noCredentialBody: 'Ask an administrator to issue a credential for this device (Settings › Hall queue › Devices in Tongda) and open this page with the full address given then.',
  badCredentialBody: 'The device credential in the address is malformed. Open this page again with the full address given when it was issued.',
  refusedTitle: 'This device was refused',
  refusedBody: 'The queue service no longer accepts this device’s credential (revoked or unknown). Ask an administrator to issue a new one and open this page with the new address.',
  wrongKindTitle: 'Wrong page for this credential',
  wrongKindBody: 'This credential belongs to a {kind} device and cannot be used on this page.',
  kindKiosk: 'ticket kiosk',
  kindBoard: 'display board',
  kindCounter: 'counter',
  kioskPrompt: 'Choose your service, take a ticket, and watch for your number',
  kioskWaiting: '{count} waiting',
  kioskNoServices: 'No services are open for tickets',
  priorityTitle: 'Priority service (choose first if needed)',
  priorityElderly: 'Elderly',
  priorityDisabled: 'Disabled',
  priorityVip: 'VIP',
  priorityChosen: 'Next ticket: {priority} priority',
  issuing: 'Taking your ticket…',
  issuingSlow: 'The network is slow; still trying…',
  yourNumber: 'Your number',
  aheadOfYou: '{count} ahead of you',
  noneAhead: 'Nobody is ahead of you; watch for your number',
  printed: 'Printed: please take your ticket',
  printFailed: 'Printing failed: please remember your number',
  noPrinter: 'No printer here: please remember your number',
  issuedAt: 'Taken at {time}',
  done: 'OK',
  issueFailed: 'No ticket: {reason}',
  issueFailedBusy: 'This service takes no tickets right now; choose another or ask the staff',
  issueFailedOther: 'Please try again later or ask the staff',
  boardNowCalling: 'Now calling',
  boardCounters: 'Counters',
  boardRecent: 'Recent calls',
  boardWaiting: 'Waiting',
  boardCounterNo: 'Counter {counterNo}',
  boardToCounter: 'Go to counter {counterNo}',
  boardFree: 'Free',
  boardNoCalls: 'No calls yet',
  boardServing: 'Serving',
  boardRecall: 'Recall',
  boardPeople: '{count}',
  enableSound: 'Touch the screen to turn on voice calls',
};

const catalogues: Readonly<Record<HallLang, Readonly<Record<HallMessageKey, string>>>> = { zh, en };

export type HallVars = Readonly<Record<string, string | number>>;
export type HallTranslate = (key: HallMessageKey, vars?: HallVars) => string;

export function hallText(lang: HallLang, key: HallMessageKey, vars?: HallVars): string {
  const template = catalogues[lang][key];
  if (vars === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}

const LANG_KEY = 'tongda.hall.lang';

function savedLang(): HallLang {
  try {
    return window.localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    // Storage disabled in a locked-down browser: Chinese.
    return 'zh';
  }
}

export interface HallI18n {
  readonly lang: HallLang;
  readonly t: HallTranslate;
  readonly toggleLang: () => void;
}

/** The page's language, kept in localStorage so a kiosk that reloads keeps it. */
export function useHallLang(): HallI18n {
  const [lang, setLang] = useState<HallLang>(savedLang);
  const t = useCallback<HallTranslate>((key, vars) => hallText(lang, key, vars), [lang]);
  const toggleLang = useCallback(() => setLang((current) => (current === 'zh' ? 'en' : 'zh')), []);
  useEffect(() => {
    try {
      window.localStorage.setItem(LANG_KEY, lang);
    } catch {
      // Not kept: the page still switches.
    }
  }, [lang]);
  return { lang, t, toggleLang };
}
