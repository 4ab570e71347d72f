import { runStoreContract } from '../../../test/support/store-contract.js';
import { describeAuditStoreContract } from './audit-store.contract.js';
import { InMemoryAuditStore } from './in-memory-audit-store.js';
import { KyselyAuditStore } from './kysely-audit-store.js';

runStoreContract(
  describeAuditStoreContract,
  () => new InMemoryAuditStore(),
  (db) => new KyselyAuditStore(db),
);
