/** Where a router listens: a route or a preview route of a service, from ferry.yaml's `host:port`. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}
