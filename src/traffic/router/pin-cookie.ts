import type { Track } from '../../features/routing/traffic-router.js';

/**
 * The sticky cookie that pins a client to the version that answered it. Its attributes are built
 * once per table; a response only joins the value to them. `Secure` is added when the client's
 * request was HTTPS (through a trusted proxy: the router itself speaks plain HTTP), so a browser
 * on HTTPS never sends the pin in clear; without a max age it is a session cookie.
 *
 * @example new PinCookie('ferry-version', 3600).header('2.0.0', 'canary', true)
 * // 'ferry-version=2.0.0; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure'
 */
export class PinCookie {
  private readonly attributes: string;
  private readonly secureAttributes: string;

  constructor(
    readonly name: string,
    maxAgeSeconds: number | undefined,
  ) {
    const maxAge = maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`;
    this.attributes = `; Path=/${maxAge}; HttpOnly; SameSite=Lax`;
    this.secureAttributes = `${this.attributes}; Secure`;
  }

  /** The `Set-Cookie` value pinning to `version` on `track` (on the baseline: its baseline). */
  header(version: string, track: Track, secure: boolean): string {
    return `${this.name}=${pinValue(version, track)}${secure ? this.secureAttributes : this.attributes}`;
  }
}

/**
 * The sticky cookie's value for a version served on a track: the URI-encoded version, with
 * `~baseline` for the baseline (which serves the stable version beside the stable set).
 */
export function pinValue(version: string, track: Track): string {
  const encoded = encodeURIComponent(version);
  return track === 'baseline' ? `${encoded}~baseline` : encoded;
}
