import { describe, expect, it } from 'vitest';
import type { DeploymentFact } from './contract-readiness.js';
import {
  contractsRefusing,
  describeContractRefusal,
  type AppliedContractFact,
} from './contract-refusal.js';

const deployment = (n: number, digest: string): DeploymentFact => ({
  id: `dep-${n}`,
  artifactDigest: digest,
  version: digest.replace('sha256:', ''),
  phase: 'Succeeded',
  previousId: null,
  finishedAt: '2026-03-01T10:00:00.000Z',
});

/** v1, v2, v3 deployed in that order, newest first. */
const history = [
  deployment(3, 'sha256:v3'),
  deployment(2, 'sha256:v2'),
  deployment(1, 'sha256:v1'),
];

const dropName: AppliedContractFact = {
  version: '3',
  file: 'V3__drop_name.sql',
  appliedAt: '2026-03-01T12:00:00.000Z',
  shippedIn: { digest: 'sha256:v3', version: 'v3' },
};

const incoming = (digest: string, ships: string[]) => ({
  digest,
  version: digest.replace('sha256:', ''),
  ships: new Set(ships),
});

describe('contractsRefusing', () => {
  it('refuses an artifact deployed before N, whatever files it ships', () => {
    expect(contractsRefusing(incoming('sha256:v2', ['1', '2']), history, [dropName])).toEqual([
      dropName,
    ]);
    expect(contractsRefusing(incoming('sha256:v1', ['1', '3']), history, [dropName])).toEqual([
      dropName,
    ]);
  });

  it('lets N and later artifacts through', () => {
    expect(contractsRefusing(incoming('sha256:v3', ['1', '2', '3']), history, [dropName])).toEqual(
      [],
    );
    const later = [deployment(4, 'sha256:v4'), ...history];
    expect(contractsRefusing(incoming('sha256:v4', []), later, [dropName])).toEqual([]);
  });

  it('judges an artifact never deployed here by whether it ships the migration', () => {
    expect(contractsRefusing(incoming('sha256:hotfix', ['1', '2']), history, [dropName])).toEqual([
      dropName,
    ]);
    expect(
      contractsRefusing(incoming('sha256:v5', ['1', '2', '3', '5']), history, [dropName]),
    ).toEqual([]);
  });

  it('judges by the files when no deployed artifact shipped the contract', () => {
    const unknown = { ...dropName, shippedIn: null };
    expect(contractsRefusing(incoming('sha256:v3', ['1', '2']), history, [unknown])).toEqual([
      unknown,
    ]);
  });
});

describe('describeContractRefusal', () => {
  it('names the migration, when it ran and the version refused', () => {
    expect(describeContractRefusal(dropName, 'v1')).toBe(
      'V3__drop_name.sql (contract, applied 2026-03-01T12:00:00.000Z) removed what v1 needs',
    );
  });
});
