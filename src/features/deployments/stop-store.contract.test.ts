import { runStoreContract } from '../../../test/support/store-contract.js';
import { InMemoryStopStore } from './in-memory-stop-store.js';
import { KyselyStopStore } from './kysely-stop-store.js';
import { describeStopStoreContract } from './stop-store.contract.js';

runStoreContract(
  describeStopStoreContract,
  () => new InMemoryStopStore(),
  (db) => new KyselyStopStore(db),
);
