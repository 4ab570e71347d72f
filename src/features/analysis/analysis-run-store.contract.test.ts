import { runStoreContract } from '../../../test/support/store-contract.js';
import { describeAnalysisRunStoreContract } from './analysis-run-store.contract.js';
import { InMemoryAnalysisRunStore } from './in-memory-analysis-run-store.js';
import { KyselyAnalysisRunStore } from './kysely-analysis-run-store.js';

runStoreContract(
  describeAnalysisRunStoreContract,
  () => new InMemoryAnalysisRunStore(),
  (db) => new KyselyAnalysisRunStore(db),
);
