/**
 * The closed set of error codes Ferry speaks. The HTTP status and the CLI exit code of every
 * error come from here, so the API, the CLI and the docs never disagree.
 */
export const errorCodes = {
  invalid_config: 400,
  invalid_request: 400,
  /** `ferry apply`: the file does not validate; `errors` locates every problem. Nothing changed. */
  config_rejected: 422,
  unauthorized: 401,
  /** A valid token whose role lacks the route's permission, or scoped to other environments. */
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  deployment_in_progress: 409,
  version_immutable: 409,
  /** A promotion or deploy that something stands in the way of; `extra.blockers` says what. */
  promotion_blocked: 409,
  /** A direct deploy into an environment that promotes from another, without `--force`. */
  promotion_required: 409,
  /** A deployment window (freeze) is in force in the target; `extra.blockers` names each and its end. */
  environment_frozen: 409,
  /** A contract migration that is not safe yet; `extra.waiting` lists each with its reasons. */
  contract_waiting: 409,
  /** A migration run that failed (lock or statement timeout, SQL error); `extra.failure` says which. */
  migration_failed: 409,
  /** A rollback or deploy to an artifact older than an applied contract migration, without `force`. */
  schema_contracted: 409,
  too_many_requests: 429,
  /** An upload that is not a safe, well-formed `.tar.gz`; `reason` says what is wrong. */
  artifact_invalid: 422,
  /** An upload over `artifacts.maxUploadSize`. */
  artifact_too_large: 413,
  /** The artifact's blob is gone from the data folder. */
  artifact_missing: 409,
  /** The artifact's blob, or its unpacked release, no longer matches its digest. */
  artifact_corrupt: 409,
  /** A well-formed event Ferry cannot take in (an unknown type, no artifact named); see `reason`. */
  unprocessable_event: 422,
  server_unreachable: 503,
  /** Another `ferry server` holds the data folder. */
  data_folder_in_use: 409,
  /** An address the server must listen on is taken. */
  address_in_use: 409,
  /** The data folder or `ferry.db` cannot be used as it is (read-only, corrupt, ...). */
  store_fault: 503,
  /** The data disk is full. */
  insufficient_storage: 507,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** One problem in a user's input, located as precisely as the input allows. */
export interface ErrorDetail {
  /** Field path, `services.web.health.readiness.interval` or a JSON pointer for API bodies. */
  readonly path: string;
  readonly message: string;
  /** `file:line:col` for config files. */
  readonly location?: string;
}

/**
 * Base of every error Ferry raises on purpose. Anything else is a bug and renders as `internal`.
 *
 * @example throw new NotFoundError('service', 'web')
 */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      details?: readonly ErrorDetail[];
      extra?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.details = options.details ?? [];
    this.extra = options.extra ?? {};
  }

  get status(): number {
    return errorCodes[this.code];
  }

  toJSON(): Record<string, unknown> {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details.length > 0 ? { details: this.details } : {}),
        ...this.extra,
      },
    };
  }
}

export class NotFoundError extends FerryError {
  constructor(kind: string, name: string) {
    super('not_found', `${kind} "${name}" not found`, { extra: { kind, name } });
  }
}

export class InvalidRequestError extends FerryError {
  constructor(message: string, details: readonly ErrorDetail[] = []) {
    super('invalid_request', message, { details });
  }
}

export class ConfigError extends FerryError {
  constructor(file: string, details: readonly ErrorDetail[]) {
    super('invalid_config', `${file}: ${details.length} error${details.length === 1 ? '' : 's'}`, {
      details,
    });
  }

  /** Compiler-style lines: `ferry.yaml:3:5 services.web.replicas: expected a number`. */
  format(): string {
    return this.details
      .map((d) => `${d.location ?? ''}${d.location ? ' ' : ''}${d.path}: ${d.message}`)
      .join('\n');
  }
}
