import { describe, expect, it } from 'vitest';
import type { CanaryStep, ServiceConfig } from '../../config/ferry-config.js';
import { loadConfigFile } from '../../config/load-config.js';
import type { StartAnalysis } from '../analysis/analysis-runner.js';
import type { StartJudge } from '../analysis/judge-runner.js';
import { InMemoryAnalysisRunStore } from '../analysis/in-memory-analysis-run-store.js';
import { ManualScheduler } from '../analysis/manual-scheduler.js';
import { gatesOf } from '../deployments/domain/analysis-gates.js';
import { initialRolloutState } from '../deployments/domain/rollout-state.js';
import {
  openStepGate,
  stepBlocks,
  stepGateName,
  stepKinds,
  stepWaitsOnTime,
} from '../deployments/domain/step-kinds.js';
import { ApprovalService } from '../approvals/approval-service.js';
import { migrationExecutor } from './migration-executor.js';
import { InMemoryApprovalStore } from '../approvals/in-memory-approval-store.js';
import { InMemoryDeploymentStore } from '../deployments/in-memory-deployment-store.js';
import { EventLog } from '../events/event-log.js';
import { InMemoryEventStore } from '../events/in-memory-event-store.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import { analysisExecutor } from './analysis-executor.js';
import { approvalExecutor } from './approval-executor.js';
import { gateKinds } from './domain/gate-kinds.js';
import type { RunControl } from './gate-executor.js';
import { GateRegistry } from './gate-registry.js';
import { judgeExecutor } from './judge-executor.js';
import { manualExecutor } from './manual-executor.js';

const config = await loadConfigFile('test/fixtures/config/valid-analysis.yaml');
const web = config.services['web'] as ServiceConfig;

/** One step of every kind, as the config loader builds them. */
const stepsByKind: { readonly [K in CanaryStep['kind']]: Extract<CanaryStep, { kind: K }> } = {
  setWeight: { kind: 'setWeight', weight: 10 },
  setCanaryScale: { kind: 'setCanaryScale', scale: { replicas: 1 } },
  setHeaderRoute: { kind: 'setHeaderRoute', match: [] },
  setMirror: { kind: 'setMirror', percentage: 5 },
  pause: { kind: 'pause', durationMs: null },
  analysis: { kind: 'analysis', templates: ['errors'], durationMs: 60_000 },
  judge: { kind: 'judge', durationMs: 300_000, intervalMs: null },
  approval: {
    kind: 'approval',
    requirement: {
      approvals: 1,
      roles: ['approver'],
      expiryMs: 3_600_000,
      onExpiry: 'reject',
      allowSelfApproval: false,
      remindBeforeMs: [],
    },
  },
};

const context = {
  spec: web,
  version: 'v2',
  stableVersion: 'v1',
  versions: { canary: 'v2', stable: 'v1', baseline: 'v1' },
};

const noRuns: RunControl<StartAnalysis & StartJudge> = {
  start: async () => 'never',
  stop: async () => undefined,
};

function registry() {
  const store = new InMemoryAnalysisRunStore();
  const scheduler = new ManualScheduler(0);
  return new GateRegistry({
    analysis: analysisExecutor(noRuns),
    judge: judgeExecutor(noRuns),
    manual: manualExecutor({ store, scheduler }),
    approval: approvalExecutor({ store, scheduler, approvals: approvalsOn(scheduler) }),
    migration: migrationExecutor({
      store,
      scheduler,
      run: () => Promise.resolve({ phase: 'Successful', message: 'no pending expand migrations' }),
    }),
  });
}

function approvalsOn(scheduler: ManualScheduler) {
  const deployments = new InMemoryDeploymentStore();
  const events = new EventLog(new InMemoryEventStore(), scheduler.clock);
  return new ApprovalService(
    new InMemoryApprovalStore(),
    deployments,
    events,
    scheduler,
    new KeyedQueue(),
    () => undefined,
  );
}

describe('step kinds', () => {
  it('declares every step kind once', () => {
    expect(Object.keys(stepKinds).sort()).toEqual(Object.keys(stepsByKind).sort());
  });

  it('makes a step block exactly when it opens a gate, and wait on time there', () => {
    for (const step of Object.values(stepsByKind)) {
      const opens = stepGateName(step, 2) !== undefined;
      expect({ kind: step.kind, blocks: stepBlocks(step) }).toEqual({
        kind: step.kind,
        blocks: opens,
      });
      if (opens) expect(stepWaitsOnTime(step)).toBe(true);
    }
  });

  it('opens the gate its declaration names, of the kind that selects its executor', () => {
    const gates = registry();
    const opened = Object.values(stepsByKind).flatMap((step) => {
      const gate = openStepGate(step, 2, context);
      return gate ? [{ step: step.kind, gate: gate.name, kind: gate.kind }] : [];
    });
    expect(opened).toEqual([
      { step: 'analysis', gate: 'step-3', kind: 'analysis' },
      { step: 'judge', gate: 'judge-3', kind: 'judge' },
      { step: 'approval', gate: 'approval-3', kind: 'approval' },
    ]);
    for (const { kind } of opened) expect(gates.executorOf(kind).kind).toBe(kind);
  });

  it('opens no judge gate without a stable version to compare with', () => {
    const first = { ...context, stableVersion: null };
    expect(openStepGate(stepsByKind.judge, 2, first)).toBeUndefined();
  });
});

describe('GateRegistry', () => {
  it('selects the executor of each gate kind', () => {
    const gates = registry();
    for (const kind of gateKinds) expect(gates.executorOf(kind).kind).toBe(kind);
  });

  it('selects the executor for every gate a canary rollout asks for', () => {
    const gates = registry();
    const steps = web.strategy.kind === 'canary' ? web.strategy.canary.steps : [];
    const asked = steps.flatMap((_, stepIndex) =>
      gatesOf({
        spec: web,
        version: 'v2',
        stableVersion: 'v1',
        state: { ...initialRolloutState(0), stepIndex },
        previewReady: false,
        rolledOut: false,
      }),
    );
    expect(new Set(asked.map((gate) => gate.kind))).toEqual(new Set(['analysis', 'judge']));
    for (const gate of asked) expect(gates.executorFor(gate).kind).toBe(gate.kind);
  });

  it('refuses a gate kind this Ferry has no executor for, naming it', () => {
    const gates = new GateRegistry({ analysis: analysisExecutor(noRuns) });
    expect(() => gates.executorOf('judge')).toThrow('no canary judge is configured in this Ferry');
    expect(() => gates.executorOf('manual')).toThrow('no manual gate is configured in this Ferry');
  });

  it('runs background analysis again after an override, and keeps other verdicts', () => {
    const overridden = {
      id: 'ana-1',
      deploymentId: 'dep-2',
      name: 'background',
      templates: [],
      phase: 'Inconclusive' as const,
      message: null,
      startedAt: new Date(0).toISOString(),
      finishedAt: new Date(1).toISOString(),
      overriddenBy: 'user:ana',
    };
    const background = gatesOf({
      spec: web,
      version: 'v2',
      stableVersion: 'v1',
      state: { ...initialRolloutState(0), stepIndex: 3 },
      previewReady: false,
      rolledOut: false,
    }).find((gate) => gate.name === 'background')!;
    const judge = openStepGate(stepsByKind.judge, 2, context)!;
    expect(registry().measuresAgain(background, overridden)).toBe(true);
    expect(registry().measuresAgain(background, { ...overridden, overriddenBy: null })).toBe(false);
    expect(registry().measuresAgain(judge, overridden)).toBe(false);
    // A kind without an executor keeps its verdict; it is refused only when a run must start.
    expect(new GateRegistry({}).measuresAgain(judge, overridden)).toBe(false);
  });
});
