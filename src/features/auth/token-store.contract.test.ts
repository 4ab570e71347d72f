import { runStoreContract } from '../../../test/support/store-contract.js';
import { InMemoryTokenStore } from './in-memory-token-store.js';
import { KyselyTokenStore } from './kysely-token-store.js';
import { describeTokenStoreContract } from './token-store.contract.js';

runStoreContract(
  describeTokenStoreContract,
  () => new InMemoryTokenStore(),
  (db) => new KyselyTokenStore(db),
);
