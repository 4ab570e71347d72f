import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GateResult } from './domain/gate-result.js';
import type { GateResultStore } from './gate-result-store.js';

const digestA = `sha256:${'a'.repeat(64)}`;
const digestB = `sha256:${'b'.repeat(64)}`;

const result = (id: string, minute: number, overrides: Partial<GateResult> = {}): GateResult => ({
  id,
  service: 'web',
  version: 'v1',
  digest: digestA,
  name: 'tests',
  status: 'passed',
  values: {},
  url: null,
  reporter: 'local',
  reportedAt: `2025-06-01T12:${String(minute).padStart(2, '0')}:00.000Z`,
  ...overrides,
});

/** What every GateResultStore promises; `open` gives a fresh, empty store. */
export function describeGateResultStoreContract(
  name: string,
  open: () => Promise<{ store: GateResultStore; close(): Promise<void> }>,
): void {
  describe(`GateResultStore contract: ${name}`, () => {
    let store: GateResultStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('gives back every field, values as numbers and a url or null', async () => {
      const full = result('gate-1', 0, {
        name: 'scan.sast',
        status: 'failed',
        values: { critical_vulnerabilities: 2, coverage: 83.25, delta: -0.5 },
        url: 'https://ci.example.com/jobs/7?tab=report',
        reporter: 'cdevents:/ci/pipeline',
      });
      await store.append(full);
      expect(await store.listFor('web', digestA)).toEqual([full]);
    });

    it('lists one artifact of one service only, newest first, ties by the later id', async () => {
      const older = result('gate-1', 1);
      const newer = result('gate-2', 2, { status: 'failed' });
      const sameTimeLater = result('gate-3', 2, { name: 'lint' });
      await store.append(newer);
      await store.append(older);
      await store.append(sameTimeLater);
      await store.append(result('gate-4', 3, { digest: digestB, version: 'v2' }));
      await store.append(result('gate-5', 4, { service: 'api' }));
      expect((await store.listFor('web', digestA)).map((r) => r.id)).toEqual([
        'gate-3',
        'gate-2',
        'gate-1',
      ]);
      expect((await store.listFor('web', digestB)).map((r) => r.id)).toEqual(['gate-4']);
      expect((await store.listFor('api', digestA)).map((r) => r.id)).toEqual(['gate-5']);
      expect(await store.listFor('worker', digestA)).toEqual([]);
    });

    it('keeps every report: a second one of the same gate adds, it does not replace', async () => {
      await store.append(result('gate-1', 1, { status: 'failed', values: { coverage: 70 } }));
      await store.append(result('gate-2', 2, { values: { coverage: 85 } }));
      const listed = await store.listFor('web', digestA);
      expect(listed.map((r) => [r.status, r.values])).toEqual([
        ['passed', { coverage: 85 }],
        ['failed', { coverage: 70 }],
      ]);
    });

    it('refuses a second report with the same id', async () => {
      await store.append(result('gate-1', 1));
      await expect(store.append(result('gate-1', 2, { status: 'failed' }))).rejects.toThrow();
      expect(await store.listFor('web', digestA)).toEqual([result('gate-1', 1)]);
    });

    it('shares no object with its callers', async () => {
      const given = result('gate-1', 1, { values: { coverage: 80 } });
      await store.append(given);
      (given.values as Record<string, number>)['coverage'] = 1;
      const [listed] = await store.listFor('web', digestA);
      (listed!.values as Record<string, number>)['coverage'] = 2;
      expect((await store.listFor('web', digestA))[0]!.values).toEqual({ coverage: 80 });
    });
  });
}
