import { runStoreContract } from '../../../test/support/store-contract.js';
import { describeEventStoreContract } from './event-store.contract.js';
import { InMemoryEventStore } from './in-memory-event-store.js';
import { KyselyEventStore } from './kysely-event-store.js';

runStoreContract(
  describeEventStoreContract,
  () => new InMemoryEventStore(),
  (db) => new KyselyEventStore(db),
);
