import type { Logger } from 'pino';
import { ConfigHolder } from '../config/config-holder.js';
import type { FerryConfig, ListenAddress } from '../config/ferry-config.js';
import { parseConfig } from '../config/load-config.js';
import { ConfigApplyService } from '../features/config-apply/config-apply-service.js';
import type { ArtifactService } from '../features/artifacts/artifact-service.js';
import { dataFolderBlobs } from '../features/artifacts/blob-store.js';
import { readArtifactMigrations } from '../features/migrations/read-artifact-migrations.js';
import { systemScheduler, type Scheduler } from '../features/analysis/scheduler.js';
import { EventLog } from '../features/events/event-log.js';
import { GateResultService } from '../features/gate-results/gate-result-service.js';
import { WebhookNotifier } from '../features/notifications/webhook-notifier.js';
import type { Clock } from '../shared/clock.js';
import type { ScopeLock } from '../shared/scope-lock.js';
import { composeAnalysis, type ComposedAnalysis } from './compose-analysis.js';
import { composeArtifacts, type ComposedArtifacts } from './compose-artifacts.js';
import { composeDeployments, type ComposedDeployments } from './compose-deployments.js';
import { composePromotion, type ComposedPromotion } from './compose-promotion.js';
import { composeTokens, type ComposedTokens } from './compose-tokens.js';
import { ApprovalService } from '../features/approvals/approval-service.js';
import { riskHolds } from '../features/approvals/risk-holds.js';
import { deployAdmission } from '../features/promotion/deploy-admission.js';
import type { FerryParts } from './ferry-parts.js';
import { composeMigrations, type ComposedMigrations } from './compose-migrations.js';
import { migrationAdapters } from './migration-adapters.js';
import type { Artifact } from '../features/artifacts/artifact.js';
import type { DeployAdmission } from '../features/deployments/deployment-service.js';

/** Everything behind the API, built feature by feature on one set of parts. */
export interface ComposedServices {
  readonly events: EventLog;
  readonly artifacts: ArtifactService;
  /** Gate evidence CI attaches to artifacts. */
  readonly gates: GateResultService;
  /** The artifact catalog and retention, beside the service. */
  readonly artifactFeature: ComposedArtifacts;
  readonly tokens: ComposedTokens;
  readonly analysis: ComposedAnalysis;
  readonly core: ComposedDeployments;
  readonly promotion: ComposedPromotion;
  readonly notifier: WebhookNotifier;
  /** Approvals high-risk changes wait on. */
  readonly approvals: ApprovalService;
  /** The configuration now; every service above reads `current` at use time. */
  readonly holder: ConfigHolder;
  readonly configApply: ConfigApplyService;
  /** Database migrations, when the parts give their adapters. */
  readonly migrations: ComposedMigrations | undefined;
}

/** The settings of `composeFerry`, and the guard the rollout core shares. */
export interface ServiceSettings {
  readonly config: FerryConfig;
  /** Where the configuration is read at use time; one around `config` when not given. */
  readonly holder?: ConfigHolder;
  /** The API's address: no route of an applied configuration may take it. */
  readonly apiListen?: ListenAddress;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly scheduler?: Scheduler;
  readonly tokenRequired?: boolean;
  readonly locks: ScopeLock;
  /** The controller's reconcile period when nothing wakes it; its default otherwise. */
  readonly tickMs?: number;
}

/** The services, in the order they need each other; analysis wakes the controller built after it. */
export function composeServices(settings: ServiceSettings, parts: FerryParts): ComposedServices {
  const { clock, logger } = settings;
  const holder = settings.holder ?? new ConfigHolder(settings.config);
  const { stores, runtime } = parts;
  const events = new EventLog(stores.events, clock);
  const scheduler = settings.scheduler ?? { ...systemScheduler, clock };
  // `migrations` is built after the gates it reports to; the artifacts feature tells it of each push.
  const artifactFeature = composeArtifacts({
    onPushed: (artifact: Artifact) => migrations?.lintGate?.(artifact) ?? Promise.resolve(),
    ...settings,
    holder,
    store: stores.artifacts,
    deployments: stores.deployments,
    gateResults: stores.gateResults,
    events,
    runtime,
  });
  const artifacts = artifactFeature.service;
  const gates = new GateResultService(
    stores.gateResults,
    (service, version) => artifacts.get(service, version),
    events,
    clock,
  );
  const config = () => holder.current;
  const adapters =
    parts.migrations ??
    (parts.openMigrationDatabase
      ? migrationAdapters({
          blobs: dataFolderBlobs(settings.dataDir),
          config,
          open: parts.openMigrationDatabase,
          ferryEnv: process.env,
        })
      : undefined);
  const migrations: ComposedMigrations | undefined = adapters
    ? composeMigrations({
        adapters,
        config,
        deployments: stores.deployments,
        instances: stores.instances,
        events,
        clock,
        locks: settings.locks,
        scheduler,
        logger,
        report: (report) => gates.report(report),
      })
    : undefined;
  const required = settings.tokenRequired ?? false;
  const tokens = composeTokens({ store: stores.tokens, events, clock, required });
  const approvals = new ApprovalService(
    stores.approvals,
    stores.deployments,
    events,
    settings.scheduler ?? { ...systemScheduler, clock },
    settings.locks,
    () => core.controller.wake(),
  );
  const analysis = composeAnalysis({
    approvals,
    ...parts,
    store: stores.analysisRuns,
    events,
    migrationFiles: (digest, folder) =>
      readArtifactMigrations(dataFolderBlobs(settings.dataDir), digest, folder),
    scheduler: settings.scheduler ?? { ...systemScheduler, clock },
    clock,
    logger,
    wake: () => core.controller.wake(),
  });
  const rolloutAnalysis = analysis.rolloutAnalysis;
  const guard = migrations?.guard;
  const promotionAdmission = deployAdmission(config, stores.gateResults, clock);
  const admission: DeployAdmission = guard
    ? async (target, artifact, options) => {
        await promotionAdmission(target, artifact, options);
        await guard(target, artifact, options);
      }
    : promotionAdmission;
  const core = composeDeployments({
    ...settings,
    ...parts,
    holder,
    events,
    artifacts,
    analysis: rolloutAnalysis,
    admission,
    holds: riskHolds(config, stores.deployments, approvals, clock),
    ...(guard ? { rollbackAdmission: guard } : {}),
  });
  const promotion = composePromotion({
    config,
    admission,
    deployments: core.deployments,
    gateResults: stores.gateResults,
    artifacts,
    instances: stores.instances,
    runtime,
    clock,
    scheduler: settings.scheduler ?? { ...systemScheduler, clock },
    logger,
  });
  const notifier = new WebhookNotifier(holder, events, logger.child({ component: 'notifier' }));
  const { apiListen } = settings;
  const configApply = new ConfigApplyService({
    holder,
    deployments: core.deployments,
    events,
    parse: (text, file) => parseConfig(text, file, apiListen ? { apiListen } : {}),
    logger: logger.child({ component: 'config' }),
  });
  return {
    events,
    artifacts,
    artifactFeature,
    gates,
    tokens,
    analysis,
    core,
    promotion,
    notifier,
    approvals,
    holder,
    configApply,
    migrations,
  };
}
