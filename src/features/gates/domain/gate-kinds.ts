/**
 * The kinds of gate a rollout can wait at. Each selects one executor in the gate registry
 * (`GateExecutors`): `analysis` measures metric templates, `judge` compares the canary with its
 * baseline, `manual` waits for a person to promote. An approval or a migration gate is one more
 * name here, one executor and one step declaration (see docs/architecture.md, "Gate registry").
 * `migration` is opened by no step: it runs a release's pending expand migrations before the
 * rollout starts anything (`reconcileMigrations`).
 */
export const gateKinds = ['analysis', 'judge', 'manual', 'approval', 'migration'] as const;

export type GateKind = (typeof gateKinds)[number];

/** How messages name a gate kind's executor: `no canary judge is configured in this Ferry`. */
export const gateKindLabels: { readonly [K in GateKind]: string } = {
  analysis: 'analysis runner',
  judge: 'canary judge',
  manual: 'manual gate',
  approval: 'approval gate',
  migration: 'migration runner',
};
