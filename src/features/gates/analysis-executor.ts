import type { StartAnalysis } from '../analysis/analysis-runner.js';
import type { GateExecutor, RunControl } from './gate-executor.js';

/**
 * Runs `analysis` gates (an analysis step, background, pre-/post-promotion, post-deploy) with
 * `AnalysisRunner`: the gate's templates, resolved from the service's `analysis`, measured on its
 * track. A timed gate is ended with a verdict when its duration is up; background analysis
 * measures again in a fresh run after a person overrode its verdict.
 */
export function analysisExecutor(runs: RunControl<StartAnalysis>): GateExecutor<'analysis'> {
  return {
    kind: 'analysis',
    start(deployment, gate, stepOf) {
      const templates = gate.templates.map((name) => {
        const template = deployment.spec.analysis[name];
        if (!template) throw new Error(`analysis template "${name}" is not defined`);
        return { name, template };
      });
      return runs.start({
        deploymentId: deployment.id,
        name: gate.name,
        templates,
        context: {
          service: deployment.service,
          environment: deployment.environment,
          track: gate.track,
          version: gate.version,
          versions: gate.versions,
          listener: gate.listener,
        },
        sampleWaitMs: gate.sampleWaitMs,
        stepOf,
      });
    },
    stop: (runId, options) => runs.stop(runId, options),
    deadlineMs: (gate) => gate.durationMs,
    // A promote acknowledges one verdict; it never switches background analysis off.
    measuresAgain: (gate, run) => gate.continuous === true && run.overriddenBy !== null,
  };
}
