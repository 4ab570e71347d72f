import type { RoutingTable, Track, Upstream } from '../../features/routing/traffic-router.js';
import type { ResponseHook } from '../router/proxy.js';
import type { LastAnswers } from './worker-messages.js';

type Slots = Partial<Record<Track, { version: string; at: number }>>;

/**
 * When each track of each listener last got an upstream's answer in this worker, and from which
 * version: the primary sums several workers' figures and names the version that answered last
 * across them all.
 */
export class LastAnswerBook {
  private readonly byListener = new Map<string, Slots>();
  /** Tables are immutable: a response finds its slots with one lookup. */
  private readonly byTable = new WeakMap<RoutingTable, Slots>();

  readonly onResponse: ResponseHook = (route, track, upstream: Upstream | undefined) => {
    if (upstream === undefined) return;
    const slots = this.byTable.get(route) ?? this.slotsOf(route);
    const slot = slots[track];
    const at = Date.now();
    if (slot === undefined) slots[track] = { version: upstream.version, at };
    else {
      slot.version = upstream.version;
      slot.at = at;
    }
  };

  /** A copy of a listener's last answers. */
  read(service: string, environment: string, listener: string): LastAnswers {
    const slots = this.byListener.get(listenerKey(service, environment, listener)) ?? {};
    const copy: Slots = {};
    for (const [track, slot] of Object.entries(slots) as [Track, { version: string; at: number }][])
      copy[track] = { ...slot };
    return copy;
  }

  private slotsOf(route: RoutingTable): Slots {
    const key = listenerKey(route.service, route.environment, route.listener ?? 'main');
    let slots = this.byListener.get(key);
    if (slots === undefined) {
      slots = {};
      this.byListener.set(key, slots);
    }
    this.byTable.set(route, slots);
    return slots;
  }
}

function listenerKey(service: string, environment: string, listener: string): string {
  return `${service}\u0000${environment}\u0000${listener}`;
}
