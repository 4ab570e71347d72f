import type { ServiceConfig } from '../../deployments/domain/service-spec.js';

/** Where a deployment's database URL came from, or why there is none. */
export type DatabaseUrl =
  | { readonly found: true; readonly url: string; readonly from: 'service env' | 'Ferry env' }
  | { readonly found: false; readonly message: string };

/**
 * The URL of the database a deployment migrates: the variable `database.url.env` names, looked up
 * in the service's effective env for its environment (a deployment's spec has `overrides.<env>.env`
 * merged over `runtime.local.env` already), then in Ferry's own environment. The message for a
 * missing variable names the variable and where it was looked for, never a value.
 */
export function databaseUrlOf(
  spec: ServiceConfig,
  environment: string,
  ferryEnv: Readonly<Record<string, string | undefined>>,
): DatabaseUrl {
  const name = spec.database?.urlEnv;
  if (name === undefined) {
    return { found: false, message: `service ${spec.name} declares no database` };
  }
  const own = Object.hasOwn(spec.runtime.local.env, name)
    ? spec.runtime.local.env[name]
    : undefined;
  if (own !== undefined && own !== '') return { found: true, url: own, from: 'service env' };
  const ferry = ferryEnv[name];
  if (ferry !== undefined && ferry !== '') return { found: true, url: ferry, from: 'Ferry env' };
  return {
    found: false,
    message:
      `database.url.env: the variable ${name} is set neither in the env of service ` +
      `${spec.name} for ${environment} (runtime.local.env, overrides.${environment}.env) nor in ` +
      `Ferry's own environment; set it in one of them`,
  };
}

/** `message` with every occurrence of `url` (and its password) replaced, for errors and events. */
export function redactUrl(message: string, url: string): string {
  let out = url === '' ? message : message.split(url).join(`<database url>`);
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password !== '') out = out.split(password).join('***');
  } catch {
    // Not a URL: nothing more to hide.
  }
  return out;
}
