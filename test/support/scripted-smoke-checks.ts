import {
  SmokeChecks,
  type SmokeStatus,
  type SmokeTarget,
} from '../../src/features/deployments/smoke-checks.js';

/**
 * Smoke checks whose outcome a test decides: every instance asked about stays `pending` until
 * the test passes or fails it, which is then told to `onSettled` as the real checks tell it (the
 * composition root wires that to the controller's `onSmokePassed`/`onSmokeFailed`).
 */
export class ScriptedSmokeChecks extends SmokeChecks {
  private readonly statuses = new Map<string, SmokeStatus>();
  private settled: (instanceId: string, status: SmokeStatus) => void = () => undefined;

  /** Instances whose checks were started, in order. */
  readonly asked: string[] = [];

  /** Where settled outcomes go; set once the controller exists. */
  onSettled(listener: (instanceId: string, status: SmokeStatus) => void): void {
    this.settled = listener;
  }

  override status(target: SmokeTarget): SmokeStatus {
    const known = this.statuses.get(target.instanceId);
    if (known) return known;
    this.asked.push(target.instanceId);
    this.statuses.set(target.instanceId, { state: 'pending' });
    return { state: 'pending' };
  }

  override forget(instanceId: string): void {
    this.statuses.delete(instanceId);
  }

  override async settle(): Promise<void> {}

  pass(instanceId: string): void {
    this.decide(instanceId, { state: 'passed' });
  }

  fail(instanceId: string, message: string): void {
    this.decide(instanceId, { state: 'failed', message });
  }

  private decide(instanceId: string, status: SmokeStatus): void {
    if (this.statuses.get(instanceId)?.state !== 'pending') {
      throw new Error(`smoke checks of ${instanceId} were not started, or settled already`);
    }
    this.statuses.set(instanceId, status);
    this.settled(instanceId, status);
  }
}
