import { FerryError } from '../../errors/ferry-error.js';
import type { DeploymentStore } from '../deployments/deployment-store.js';
import {
  contractsRefusing,
  describeContractRefusal,
  type AppliedContractFact,
} from './domain/contract-refusal.js';
import type { MigrationService } from './migration-service.js';
import { fileName } from './migration-status.js';

/** The artifact a rollback or deploy brings into an environment, and whether it was forced. */
export type ContractGuard = (
  target: { readonly service: string; readonly environment: string },
  artifact: { readonly digest: string; readonly version: string },
  options: { readonly force?: boolean },
) => Promise<void>;

/**
 * The hook deploys and rollbacks pass: after a contract migration shipped in version N ran in an
 * environment, an artifact older than N would need what it removed, so it is refused
 * (`schema_contracted`), naming each migration, unless `force`. Services without a `database`
 * pass without a look at any database, and so does a first deployment. A database that cannot be read refuses too (`conflict`):
 * `--force` is the way past an unknown.
 */
export function contractGuard(
  migrations: MigrationService,
  deployments: Pick<DeploymentStore, 'list'>,
): ContractGuard {
  return async (target, artifact, options) => {
    if (options.force === true || !migrations.hasDatabase(target)) return;
    // A contract runs only after a version went live here: with no deployment here yet, none
    // ran, and the database is not opened (its URL may not be set until the expand gate needs it).
    const history = await deployments.list(target, 200);
    if (history.length === 0) return;
    const applied = await migrations.appliedContracts(target).catch((error: unknown) => {
      if (error instanceof FerryError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new FerryError(
        'conflict',
        `cannot check the contract migrations applied to ${target.service} in ${target.environment}: ${reason}; --force goes ahead without the check`,
        { cause: error },
      );
    });
    if (applied.length === 0) return;
    const contracts: AppliedContractFact[] = applied.map(({ migration, path, shippedIn }) => ({
      version: migration.version,
      file: path
        ? fileName(path)
        : `V${migration.version}__${migration.description.replaceAll(' ', '_')}.sql`,
      appliedAt: migration.appliedAt,
      shippedIn,
    }));
    const ships = new Set(
      (await migrations.filesOf(target.service, artifact.digest)).map((f) => f.version),
    );
    const refusing = contractsRefusing({ ...artifact, ships }, history, contracts);
    if (refusing.length === 0) return;
    const reasons = refusing.map((c) => describeContractRefusal(c, artifact.version));
    throw new FerryError(
      'schema_contracted',
      `${artifact.version} of ${target.service} cannot run in ${target.environment}: ${reasons.join('; ')}; --force brings it anyway (it will fail where it uses what was removed)`,
      { extra: { migrations: refusing, reasons } },
    );
  };
}
