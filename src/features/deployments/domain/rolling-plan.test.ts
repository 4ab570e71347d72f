import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRollingStep, type PlannedInstance } from './rolling-plan.js';

const ready = (id: string): PlannedInstance => ({ id, state: 'ready' });
const pending = (id: string): PlannedInstance => ({ id, state: 'pending' });

describe('planRollingStep', () => {
  it('surges one new instance first and keeps all old ones while it starts', () => {
    const plan = planRollingStep({
      replicas: 3,
      rolling: { maxSurge: 1, maxUnavailable: 0 },
      target: [],
      others: [ready('a'), ready('b'), ready('c')],
    });
    expect(plan).toEqual({ start: 1, stop: [], done: false });
  });

  it('stops one old instance once a new one is ready, and surges the next', () => {
    const plan = planRollingStep({
      replicas: 3,
      rolling: { maxSurge: 1, maxUnavailable: 0 },
      target: [ready('n1')],
      others: [ready('a'), ready('b'), ready('c')],
    });
    expect(plan).toEqual({ start: 1, stop: ['a'], done: false });
  });

  it('stops old instances that serve nothing straight away', () => {
    const plan = planRollingStep({
      replicas: 2,
      rolling: { maxSurge: 1, maxUnavailable: 0 },
      target: [ready('n1'), ready('n2')],
      others: [pending('x')],
    });
    expect(plan.stop).toEqual(['x']);
    expect(plan.done).toBe(false);
  });

  it('with no surge, takes one old instance down before starting a new one', () => {
    const plan = planRollingStep({
      replicas: 2,
      rolling: { maxSurge: 0, maxUnavailable: 1 },
      target: [],
      others: [ready('a'), ready('b')],
    });
    expect(plan).toEqual({ start: 1, stop: ['a'], done: false });
  });

  it('resolves percentages: 25% surge of 4 replicas is 1', () => {
    const plan = planRollingStep({
      replicas: 4,
      rolling: { maxSurge: '25%', maxUnavailable: '0%' },
      target: [],
      others: [ready('a'), ready('b'), ready('c'), ready('d')],
    });
    expect(plan.start).toBe(1);
  });

  it('is done only when every target instance is ready and nothing else is left', () => {
    const base = { replicas: 2, rolling: { maxSurge: 1, maxUnavailable: 0 } } as const;
    expect(planRollingStep({ ...base, target: [ready('a'), ready('b')], others: [] }).done).toBe(
      true,
    );
    expect(
      planRollingStep({
        ...base,
        target: [ready('a'), ready('b')],
        others: [{ id: 'x', state: 'stopping' }],
      }).done,
    ).toBe(false);
  });

  it('drops surplus target instances, unready ones first', () => {
    const plan = planRollingStep({
      replicas: 1,
      rolling: { maxSurge: 1, maxUnavailable: 0 },
      target: [pending('p'), ready('r')],
      others: [],
    });
    expect(plan.stop).toEqual(['p']);
    expect(plan.start).toBe(0);
  });

  it('never breaks the availability and surge budgets and always finishes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }),
        (replicas, maxSurge, maxUnavailableRaw, coin) => {
          const maxUnavailable = Math.min(maxUnavailableRaw, replicas);
          const effectiveUnavailable = maxSurge === 0 && maxUnavailable === 0 ? 1 : maxUnavailable;
          let target: PlannedInstance[] = [];
          let others: PlannedInstance[] = Array.from({ length: replicas }, (_, i) =>
            ready(`o${i}`),
          );
          let next = 0;
          for (let tick = 0; tick < 200; tick++) {
            const plan = planRollingStep({
              replicas,
              rolling: { maxSurge, maxUnavailable },
              target,
              others,
            });
            if (plan.done) return true;
            // Stopping finishes at once; a starting instance becomes ready on a coin flip.
            others = others.filter((i) => !plan.stop.includes(i.id));
            target = target.filter((i) => !plan.stop.includes(i.id));
            target = target.map((i) => (i.state === 'pending' && coin[tick] ? ready(i.id) : i));
            for (let k = 0; k < plan.start; k++) target.push(pending(`n${next++}`));
            const readyCount = [...target, ...others].filter((i) => i.state === 'ready').length;
            expect(readyCount).toBeGreaterThanOrEqual(replicas - effectiveUnavailable);
            expect(target.length + others.length).toBeLessThanOrEqual(replicas + maxSurge);
          }
          // 200 ticks with coin flips: finishing is overwhelmingly likely unless the plan stalls.
          return coin.filter(Boolean).length < 20;
        },
      ),
    );
  });
});
