/**
 * Bounds on what an upload may say about its build, so a row stays small whatever CI sends:
 * `branch`, `buildUrl` and up to {@link metaLimits.maxKeys} `meta` pairs.
 */
export const metaLimits = {
  maxBranch: 255,
  maxBuildUrl: 2048,
  maxKeys: 32,
  maxKey: 64,
  maxValue: 512,
} as const;

const keyPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** One problem with a piece of metadata: the field (`meta.pr`, `branch`) and what is wrong. */
export interface MetadataProblem {
  readonly path: string;
  readonly message: string;
}

/** The build metadata an upload carries besides its commit. */
export interface ArtifactMetadata {
  readonly branch: string | null;
  readonly buildUrl: string | null;
  readonly meta: Readonly<Record<string, string>>;
}

export const noMetadata: ArtifactMetadata = { branch: null, buildUrl: null, meta: {} };

/** Problems of a `meta` key; none when it is a fine key. */
export function metaKeyProblems(key: string): MetadataProblem[] {
  if (key.length > metaLimits.maxKey || !keyPattern.test(key)) {
    return [
      {
        path: `meta.${key}`,
        message: `expected a key of letters, digits, ".", "_" or "-" (at most ${metaLimits.maxKey}), starting with a letter or digit`,
      },
    ];
  }
  return [];
}

/**
 * Checks metadata against {@link metaLimits}: a branch without control characters, an http(s)
 * build URL, string values, well-formed keys. Returns every problem at once.
 *
 * @example metadataProblems({ branch: 'main', buildUrl: 'ftp://x', meta: {} }) // [{ path: 'buildUrl', … }]
 */
export function metadataProblems(metadata: {
  readonly branch: string | null;
  readonly buildUrl: string | null;
  readonly meta: Readonly<Record<string, unknown>>;
}): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const { branch, buildUrl, meta } = metadata;
  if (
    branch !== null &&
    (branch === '' || branch.length > metaLimits.maxBranch || hasControl(branch))
  ) {
    problems.push({
      path: 'branch',
      message: `expected a branch name of 1 to ${metaLimits.maxBranch} printable characters`,
    });
  }
  if (buildUrl !== null && (buildUrl.length > metaLimits.maxBuildUrl || !isHttpUrl(buildUrl))) {
    problems.push({
      path: 'buildUrl',
      message: `expected an http or https URL of at most ${metaLimits.maxBuildUrl} characters`,
    });
  }
  const entries = Object.entries(meta);
  if (entries.length > metaLimits.maxKeys) {
    problems.push({
      path: 'meta',
      message: `at most ${metaLimits.maxKeys} keys, got ${entries.length}`,
    });
  }
  for (const [key, value] of entries) {
    problems.push(...metaKeyProblems(key));
    if (typeof value !== 'string' || value.length > metaLimits.maxValue || hasControl(value)) {
      problems.push({
        path: `meta.${key}`,
        message: `expected a string of at most ${metaLimits.maxValue} printable characters`,
      });
    }
  }
  return problems;
}

function hasControl(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
