import { runStoreContract } from '../../../test/support/store-contract.js';
import { describeArtifactStoreContract } from './artifact-store.contract.js';
import { InMemoryArtifactStore } from './in-memory-artifact-store.js';
import { KyselyArtifactStore } from './kysely-artifact-store.js';

runStoreContract(
  describeArtifactStoreContract,
  () => new InMemoryArtifactStore(),
  (db) => new KyselyArtifactStore(db),
);
