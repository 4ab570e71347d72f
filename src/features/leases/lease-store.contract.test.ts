import { runStoreContract } from '../../../test/support/store-contract.js';
import { InMemoryLeaseStore } from './in-memory-lease-store.js';
import { KyselyLeaseStore } from './kysely-lease-store.js';
import { describeLeaseStoreContract } from './lease-store.contract.js';

runStoreContract(
  describeLeaseStoreContract,
  () => new InMemoryLeaseStore(),
  (db) => new KyselyLeaseStore(db),
);
