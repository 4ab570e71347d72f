import { runStoreContract } from '../../../test/support/store-contract.js';
import { InMemoryInstanceStore } from './in-memory-instance-store.js';
import { describeInstanceStoreContract } from './instance-store.contract.js';
import { KyselyInstanceStore } from './kysely-instance-store.js';

runStoreContract(
  describeInstanceStoreContract,
  () => new InMemoryInstanceStore(),
  (db) => new KyselyInstanceStore(db),
);
