import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'electron/**/*.test.ts', 'sync/**/*.test.ts', 'hardware/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'test/e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: station tests open LevelDB and hash passwords; more workers only thrash.
    maxWorkers: 2,
  },
});
