import { deploymentOrder, type DeploymentFact } from './contract-readiness.js';

/** A contract migration applied in an environment, with the version that shipped it there (N). */
export interface AppliedContractFact {
  readonly version: string;
  /** The file's name: `V3__drop_name.sql`. */
  readonly file: string;
  /** ISO-8601 UTC. */
  readonly appliedAt: string;
  /** Null when no artifact deployed in the environment ships it. */
  readonly shippedIn: { readonly digest: string; readonly version: string } | null;
}

/** The artifact a rollback or deploy would bring: its digest and the migration versions it ships. */
export interface IncomingArtifact {
  readonly digest: string;
  readonly version: string;
  readonly ships: ReadonlySet<string>;
}

/**
 * The applied contract migrations an artifact is older than: after a contract of version N ran,
 * an artifact older than N needs what it removed. Older is deployment order in the environment
 * (`deploymentOrder`); an artifact never deployed there is older when it does not ship the
 * migration (it was built before it).
 */
export function contractsRefusing(
  incoming: IncomingArtifact,
  newestFirst: readonly DeploymentFact[],
  contracts: readonly AppliedContractFact[],
): readonly AppliedContractFact[] {
  const order = deploymentOrder(newestFirst);
  const rank = order.get(incoming.digest);
  return contracts.filter((contract) => {
    const rankOfN = contract.shippedIn ? order.get(contract.shippedIn.digest) : undefined;
    if (rank !== undefined && rankOfN !== undefined) return rank < rankOfN;
    return !incoming.ships.has(contract.version);
  });
}

/**
 * One line for a refused rollback or deploy.
 *
 * @example describeContractRefusal(contract, 'v1')
 * // 'V3__drop_name.sql (contract, applied 2026-03-01T12:00:00.000Z) removed what v1 needs'
 */
export function describeContractRefusal(contract: AppliedContractFact, version: string): string {
  return `${contract.file} (contract, applied ${contract.appliedAt}) removed what ${version} needs`;
}
