import { describe, expect, it } from 'vitest';
import { hallPageOf } from './HallApp.js';

describe('which hall screen a path opens', () => {
  it.each([
    ['/kiosk', 'kiosk'],
    ['/kiosk/', 'kiosk'],
    ['/board', 'board'],
    ['/board/', 'board'],
    ['/', null],
    ['/kiosk/x', null],
    ['/boards', null],
    ['/hall.html', null],
  ])('%s → %s', (pathname, page) => {
    expect(hallPageOf(pathname)).toBe(page);
  });
});
