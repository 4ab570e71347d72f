import { runStoreContract } from '../../../test/support/store-contract.js';
import { describeDeploymentStoreContract } from './deployment-store.contract.js';
import { InMemoryDeploymentStore } from './in-memory-deployment-store.js';
import { KyselyDeploymentStore } from './kysely-deployment-store.js';

runStoreContract(
  describeDeploymentStoreContract,
  () => new InMemoryDeploymentStore(),
  (db) => new KyselyDeploymentStore(db),
);
