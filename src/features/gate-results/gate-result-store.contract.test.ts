import { runStoreContract } from '../../../test/support/store-contract.js';
import { describeGateResultStoreContract } from './gate-result-store.contract.js';
import { InMemoryGateResultStore } from './in-memory-gate-result-store.js';
import { KyselyGateResultStore } from './kysely-gate-result-store.js';

runStoreContract(
  describeGateResultStoreContract,
  () => new InMemoryGateResultStore(),
  (db) => new KyselyGateResultStore(db),
);
