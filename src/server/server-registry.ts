import { Registry } from 'prom-client';

/**
 * The server's Prometheus registry: its own series (process, controller), followed by the router
 * process's `ferry_router_*` series, read over the control channel at each scrape, so one
 * `/metrics` still shows what the router counts.
 */
export class ServerRegistry extends Registry {
  constructor(private readonly appended: () => Promise<string>) {
    super();
  }

  override async metrics(): Promise<string> {
    const own = await super.metrics();
    const more = await this.appended();
    if (more === '') return own;
    return own.endsWith('\n') || own === '' ? own + more : `${own}\n${more}`;
  }
}
