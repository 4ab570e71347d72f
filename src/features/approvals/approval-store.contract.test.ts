import { runStoreContract } from '../../../test/support/store-contract.js';
import { describeApprovalStoreContract } from './approval-store.contract.js';
import { InMemoryApprovalStore } from './in-memory-approval-store.js';
import { KyselyApprovalStore } from './kysely-approval-store.js';

runStoreContract(
  describeApprovalStoreContract,
  () => new InMemoryApprovalStore(),
  (db) => new KyselyApprovalStore(db),
);
