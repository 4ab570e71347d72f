import type { ConfigProblem, PathSegment } from './config-problem.js';
import { isRecord, rawOverrides, type RawOverride } from './raw-shape.js';

type RawMap = Readonly<Record<string, unknown>>;

interface TemplateUse {
  readonly path: readonly PathSegment[];
  readonly templates: unknown;
  /** The rollout waits for these runs to end by themselves: each template needs a `count`. */
  readonly mustEnd: boolean;
}

/** Every `{ templates: [...] }` in a service's strategy, with the path of its `templates`. */
function templateUses(base: readonly PathSegment[], strategy: RawMap): TemplateUse[] {
  const uses: TemplateUse[] = [];
  const use = (path: readonly PathSegment[], ref: unknown, mustEnd: boolean) => {
    if (isRecord(ref)) {
      uses.push({ path: [...path, 'templates'], templates: ref.templates, mustEnd });
    }
  };
  const { rolling, canary, blueGreen } = strategy;
  if (isRecord(rolling))
    use([...base, 'rolling', 'postDeployAnalysis'], rolling.postDeployAnalysis, true);
  if (isRecord(canary)) {
    use([...base, 'canary', 'analysis'], canary.analysis, false);
    if (Array.isArray(canary.steps)) {
      canary.steps.forEach((step: unknown, index) => {
        if (!isRecord(step)) return;
        const timed = isRecord(step.analysis) && step.analysis.duration !== undefined;
        use([...base, 'canary', 'steps', index, 'analysis'], step.analysis, !timed);
      });
    }
  }
  if (isRecord(blueGreen)) {
    for (const key of ['prePromotionAnalysis', 'postPromotionAnalysis']) {
      use([...base, 'blueGreen', key], blueGreen[key], true);
    }
  }
  return uses;
}

/** Metric names of each template and of the judge are unique, so results can be told apart. */
function duplicateNames(path: readonly PathSegment[], metrics: unknown): ConfigProblem[] {
  if (!Array.isArray(metrics)) return [];
  const firstIndex = new Map<string, number>();
  return metrics.flatMap((metric: unknown, index): ConfigProblem[] => {
    if (!isRecord(metric) || typeof metric.name !== 'string') return [];
    const first = firstIndex.get(metric.name);
    if (first === undefined) {
      firstIndex.set(metric.name, index);
      return [];
    }
    return [
      {
        path: [...path, index, 'name'],
        message: `duplicate metric "${metric.name}", already named at metrics[${first}]; names must be unique`,
        at: 'value',
      },
    ];
  });
}

/** `judge` steps and `canary.judge` compare with a baseline, and steps need the judge's metrics. */
function judgeProblems(base: readonly PathSegment[], canary: RawMap): ConfigProblem[] {
  const hasBaseline = isRecord(canary.baseline) && canary.baseline.enabled === true;
  const needsBaseline =
    'the judge compares the canary with a baseline; set baseline: { enabled: true }';
  const problems: ConfigProblem[] = [];
  if (canary.judge !== undefined && !hasBaseline) {
    problems.push({ path: [...base, 'judge'], message: needsBaseline, at: 'key' });
  }
  if (!Array.isArray(canary.steps)) return problems;
  canary.steps.forEach((step: unknown, index) => {
    if (!isRecord(step) || step.judge === undefined) return;
    const path = [...base, 'steps', index, 'judge'];
    if (!hasBaseline) problems.push({ path, message: needsBaseline, at: 'key' });
    if (canary.judge === undefined) {
      problems.push({
        path,
        message: 'a judge step needs the metrics to compare; set canary.judge: { metrics: [...] }',
        at: 'key',
      });
    }
  });
  return problems;
}

/** `canary.analysis.startingStep` names an existing step. */
function startingStepProblems(base: readonly PathSegment[], canary: RawMap): ConfigProblem[] {
  const { analysis, steps } = canary;
  if (!isRecord(analysis) || !Array.isArray(steps) || steps.length === 0) return [];
  const start = analysis.startingStep;
  if (typeof start !== 'number' || start < steps.length) return [];
  return [
    {
      path: [...base, 'analysis', 'startingStep'],
      message: `step ${start} does not exist: steps are numbered from 0 to ${steps.length - 1}`,
      at: 'value',
    },
  ];
}

/** Each template named by the strategy (at `base`.strategy) is one of `defined`. */
function unknownTemplates(
  base: readonly PathSegment[],
  defined: readonly string[],
  strategy: RawMap,
): ConfigProblem[] {
  const known =
    defined.length > 0
      ? `defined: ${defined.join(', ')}`
      : `none are defined; add it under ${base.join('.')}.analysis`;
  return templateUses([...base, 'strategy'], strategy).flatMap(({ path, templates }) =>
    Array.isArray(templates)
      ? templates.flatMap((template: unknown, index): ConfigProblem[] =>
          typeof template !== 'string' || defined.includes(template)
            ? []
            : [
                {
                  path: [...path, index],
                  message: `unknown analysis template "${template}"; ${known}`,
                  at: 'value',
                },
              ],
        )
      : [],
  );
}

/**
 * A run the rollout waits for ends when its metrics have taken `count` measurements; a template
 * without one would hold the rollout forever.
 */
function endlessTemplates(
  base: readonly PathSegment[],
  analysis: RawMap,
  strategy: RawMap,
  definedAt: (template: string) => readonly PathSegment[] = (t) => [...base, 'analysis', t],
): ConfigProblem[] {
  return templateUses([...base, 'strategy'], strategy).flatMap(({ path, templates, mustEnd }) =>
    mustEnd && Array.isArray(templates)
      ? templates.flatMap((template: unknown, index): ConfigProblem[] => {
          if (typeof template !== 'string') return [];
          const body = analysis[template];
          if (!isRecord(body) || body.count !== undefined) return [];
          return [
            {
              path: [...path, index],
              message:
                `template "${template}" has no count, so this analysis would never end; ` +
                `set count in ${definedAt(template).join('.')}` +
                (path.includes('steps') ? ' or give the step a duration' : ''),
              at: 'value',
            },
          ];
        })
      : [],
  );
}

/** Metric names of each template of an `analysis` map are unique. */
function templateProblems(base: readonly PathSegment[], analysis: unknown): ConfigProblem[] {
  if (!isRecord(analysis)) return [];
  return Object.entries(analysis).flatMap(([template, body]) =>
    isRecord(body) ? duplicateNames([...base, 'analysis', template, 'metrics'], body.metrics) : [],
  );
}

/** The canary's judge has a baseline and metrics named apart from its score; steps exist. */
function canaryProblems(base: readonly PathSegment[], strategy: RawMap): ConfigProblem[] {
  const { canary } = strategy;
  if (!isRecord(canary)) return [];
  const path = [...base, 'strategy', 'canary'];
  const problems = [...judgeProblems(path, canary), ...startingStepProblems(path, canary)];
  if (isRecord(canary.judge)) {
    const metrics = canary.judge.metrics;
    problems.push(...duplicateNames([...path, 'judge', 'metrics'], metrics));
    if (Array.isArray(metrics)) {
      metrics.forEach((metric: unknown, index) => {
        if (isRecord(metric) && metric.name === 'score') {
          problems.push({
            path: [...path, 'judge', 'metrics', index, 'name'],
            message: 'the name "score" is taken by the judge\'s own score; pick another',
            at: 'value',
          });
        }
      });
    }
  }
  return problems;
}

function serviceProblems(name: string, service: RawMap): ConfigProblem[] {
  const base = ['services', name];
  const { analysis, strategy } = service;
  const problems: ConfigProblem[] = [...templateProblems(base, analysis)];
  for (const override of rawOverrides(name, service)) {
    problems.push(...overrideProblems(base, service, override));
  }
  if (!isRecord(strategy)) return problems;
  // A malformed `analysis` is reported by the schema; every name would read as unknown.
  if (analysis === undefined || isRecord(analysis)) {
    problems.push(...unknownTemplates(base, Object.keys(analysis ?? {}), strategy));
  }
  if (isRecord(analysis)) problems.push(...endlessTemplates(base, analysis, strategy));
  problems.push(...canaryProblems(base, strategy));
  return problems;
}

/**
 * An override runs its strategy (or the service's) with the service's templates merged with its
 * own by name: that pair obeys every rule a service's does, each problem at the override's fields.
 */
function overrideProblems(
  base: readonly PathSegment[],
  service: RawMap,
  { path, override }: RawOverride,
): ConfigProblem[] {
  const own = override.analysis;
  const problems = templateProblems(path, own);
  // Malformed maps are the schema's to report; every name would read as unknown.
  if (own !== undefined && !isRecord(own)) return problems;
  if (service.analysis !== undefined && !isRecord(service.analysis)) return problems;
  const merged: RawMap = { ...service.analysis, ...own };
  const definedAt = (template: string) =>
    own !== undefined && Object.hasOwn(own, template)
      ? [...path, 'analysis', template]
      : [...base, 'analysis', template];
  if (isRecord(override.strategy)) {
    const strategy = override.strategy;
    problems.push(
      ...unknownTemplates(path, Object.keys(merged), strategy),
      ...endlessTemplates(path, merged, strategy, definedAt),
      ...canaryProblems(path, strategy),
    );
  } else if (own !== undefined && isRecord(service.strategy)) {
    problems.push(...endlessOverrides(base, path, own, service.strategy));
  }
  return problems;
}

/** An override's template that the service's strategy waits for has a `count`, or never ends. */
function endlessOverrides(
  base: readonly PathSegment[],
  path: readonly PathSegment[],
  own: RawMap,
  strategy: RawMap,
): ConfigProblem[] {
  const problems = new Map<string, ConfigProblem>();
  for (const use of templateUses([...base, 'strategy'], strategy)) {
    if (!use.mustEnd || !Array.isArray(use.templates)) continue;
    for (const template of use.templates as unknown[]) {
      if (typeof template !== 'string' || !Object.hasOwn(own, template)) continue;
      const body = own[template];
      if (!isRecord(body) || body.count !== undefined || problems.has(template)) continue;
      problems.set(template, {
        path: [...path, 'analysis', template],
        message:
          `template "${template}" has no count, and ${use.path.slice(0, -1).join('.')} ` +
          'waits for it to end, so it would never end; set count',
        at: 'key',
      });
    }
  }
  return [...problems.values()];
}

/**
 * Analysis cross-field rules: templates referenced by the strategy are defined in the service's
 * `analysis`, metric names are unique, the judge has a baseline and `startingStep` exists. Each
 * of the service's `overrides` is checked the same way with the strategy and templates it
 * resolves to.
 */
export function checkAnalysis(raw: unknown): ConfigProblem[] {
  if (!isRecord(raw) || !isRecord(raw.services)) return [];
  return Object.entries(raw.services).flatMap(([name, service]) =>
    isRecord(service) ? serviceProblems(name, service) : [],
  );
}
