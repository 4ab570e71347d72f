import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Artifact } from './artifact.js';
import type { ArtifactStore } from './artifact-store.js';

const artifact = (version: string, createdAt: string, service = 'web'): Artifact => ({
  service,
  version,
  digest: `sha256:${version.padEnd(64, '0')}`,
  sourceCommit: null,
  branch: null,
  buildUrl: null,
  meta: {},
  sizeBytes: 1234,
  createdAt,
});

/** What every ArtifactStore promises; `open` gives a fresh, empty store. */
export function describeArtifactStoreContract(
  name: string,
  open: () => Promise<{ store: ArtifactStore; close(): Promise<void> }>,
): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let store: ArtifactStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('gives back an inserted artifact with every field, null or not', async () => {
      const withCommit = {
        ...artifact('v2', '2025-06-01T12:00:00.000Z'),
        sourceCommit: 'abc123',
        branch: 'feature/ü',
        buildUrl: 'https://ci.example/run/7',
        meta: { builder: 'gha', pr: '42', 'note.x': 'a "quoted" value' },
      };
      expect(await store.insert(artifact('v1', '2025-06-01T12:00:00.000Z'))).toBe(true);
      expect(await store.insert(withCommit)).toBe(true);
      expect(await store.get('web', 'v1')).toEqual(artifact('v1', '2025-06-01T12:00:00.000Z'));
      expect(await store.get('web', 'v2')).toEqual(withCommit);
      expect(await store.get('web', 'v3')).toBeUndefined();
      expect(await store.get('api', 'v1')).toBeUndefined();
    });

    it('refuses to re-point a version: a second insert returns false and changes nothing', async () => {
      const first = artifact('v1', '2025-06-01T12:00:00.000Z');
      await store.insert(first);
      const other = { ...first, digest: `sha256:${'f'.repeat(64)}`, sizeBytes: 9 };
      expect(await store.insert(other)).toBe(false);
      expect(await store.get('web', 'v1')).toEqual(first);
      expect(await store.insert(artifact('v1', '2025-06-01T12:00:00.000Z', 'api'))).toBe(true);
    });

    it('lists one service, newest first, ties by version descending', async () => {
      await store.insert(artifact('a', '2025-06-01T12:00:00.000Z'));
      await store.insert(artifact('b', '2025-06-01T12:02:00.000Z'));
      await store.insert(artifact('c', '2025-06-01T12:02:00.000Z'));
      await store.insert(artifact('z', '2025-06-01T12:09:00.000Z', 'api'));
      const listed = await store.list('web');
      expect(listed.map((a) => a.version)).toEqual(['c', 'b', 'a']);
      expect(listed[2]).toEqual(artifact('a', '2025-06-01T12:00:00.000Z'));
      expect(await store.list('nope')).toEqual([]);
    });

    it('finds every artifact of a digest, across services', async () => {
      await store.insert(artifact('v1', '2025-06-01T12:00:00.000Z'));
      await store.insert(artifact('v1', '2025-06-01T12:01:00.000Z', 'api'));
      await store.insert(artifact('v2', '2025-06-01T12:02:00.000Z'));
      const found = await store.listByDigest(artifact('v1', '').digest);
      expect(found.map((a) => [a.service, a.version])).toEqual([
        ['api', 'v1'],
        ['web', 'v1'],
      ]);
      expect(await store.listByDigest(`sha256:${'e'.repeat(64)}`)).toEqual([]);
    });

    it('removes one artifact and leaves the others; removing again returns false', async () => {
      await store.insert(artifact('v1', '2025-06-01T12:00:00.000Z'));
      await store.insert(artifact('v1', '2025-06-01T12:00:00.000Z', 'api'));
      expect(await store.remove('web', 'v1')).toBe(true);
      expect(await store.remove('web', 'v1')).toBe(false);
      expect(await store.get('web', 'v1')).toBeUndefined();
      expect(await store.get('api', 'v1')).toBeDefined();
      expect(await store.insert(artifact('v1', '2025-06-01T12:05:00.000Z'))).toBe(true);
    });
  });
}
