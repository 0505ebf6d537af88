import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS, createDevServerEnv, createTimeSkippingEnv } from './temporal';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('time-skipping test environment', () => {
  it('starts from the provisioned binary and skips time', async () => {
    const env = await createTimeSkippingEnv();
    try {
      expect(env.supportsTimeSkipping).toBe(true);
      const before = await env.currentTimeMs();
      const wallStart = Date.now();
      await env.sleep('2 days');
      const wallMs = Date.now() - wallStart;
      const after = await env.currentTimeMs();
      expect(after - before).toBeGreaterThanOrEqual(2 * DAY_MS);
      // Two days skipped, not slept: generous for a busy machine, and still 5,000 times less than two days.
      expect(wallMs).toBeLessThan(30_000);
    } finally {
      await env.teardown();
    }
  });
});

describe('dev server test environment', () => {
  it('starts from the provisioned CLI with the custom search attributes registered', async () => {
    const env = await createDevServerEnv();
    try {
      expect(env.supportsTimeSkipping).toBe(false);
      const { customAttributes } = await env.connection.operatorService.listSearchAttributes({
        namespace: 'default',
      });
      const registered = Object.fromEntries(
        Object.entries(customAttributes ?? {}).map(([name, type]) => [
          name,
          temporal.api.enums.v1.IndexedValueType[type],
        ]),
      );
      expect(registered).toMatchObject({
        JtaiLocalAuthority: 'INDEXED_VALUE_TYPE_KEYWORD',
        JtaiStage: 'INDEXED_VALUE_TYPE_KEYWORD',
        JtaiNextDue: 'INDEXED_VALUE_TYPE_DATETIME',
        JtaiOverdue: 'INDEXED_VALUE_TYPE_INT',
      });
      expect(Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS).every((name) => name in registered)).toBe(true);
    } finally {
      await env.teardown();
    }
  });
});
