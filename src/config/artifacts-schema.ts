import { z } from 'zod';
import { defaultArtifactLimits } from '../features/artifacts/domain/artifact-limits.js';
import { parseByteSize } from './byte-size.js';
import { expecting, expectingMap } from './describe-value.js';
import { defaultRetention } from '../features/artifacts/domain/artifact-retention.js';
import type { ArtifactsConfig } from './ferry-config.js';

const sizeText = 'a size such as 512MiB, 2GiB or 100MB';
const sizeError = expecting(sizeText);

/** A size in bytes: an integer, or a string with a unit (`64KiB`, `512MiB`, `2GiB`, `100MB`). */
const byteSizeSchema = z
  .union(
    [z.int({ error: sizeError }).min(1, { error: sizeError }), z.string({ error: sizeError })],
    {
      error: sizeError,
    },
  )
  .transform((value, ctx) => {
    const bytes = typeof value === 'number' ? value : parseByteSize(value);
    if (bytes !== undefined && bytes >= 1) return bytes;
    ctx.addIssue({ code: 'custom', message: sizeError({ input: value }), input: value });
    return z.NEVER;
  });

const mebibytes = (bytes: number) => `${bytes / 1024 / 1024}MiB`;

/** `artifacts`: bounds on uploads, checked while they arrive (see ArtifactLimits). */
export const artifactsSchema = z
  .strictObject(
    {
      maxUploadSize: byteSizeSchema.prefault(mebibytes(defaultArtifactLimits.maxUploadSize)),
      maxUnpackedSize: byteSizeSchema.prefault(mebibytes(defaultArtifactLimits.maxUnpackedSize)),
      maxRatio: z
        .number({ error: expecting('a number >= 1') })
        .min(1, { error: expecting('a number >= 1') })
        .default(defaultArtifactLimits.maxRatio),
      maxEntries: z
        .int({ error: expecting('an integer >= 1') })
        .min(1, { error: expecting('an integer >= 1') })
        .default(defaultArtifactLimits.maxEntries),
      retention: z
        .strictObject(
          {
            keep: z
              .int({ error: expecting('an integer >= 1') })
              .min(1, { error: expecting('an integer >= 1') })
              .default(defaultRetention.keep),
          },
          { error: expectingMap('a map such as { keep: 10 }') },
        )
        .prefault({}),
    },
    { error: expectingMap('a map such as { maxUploadSize: 512MiB, retention: { keep: 10 } }') },
  )
  .transform((artifacts): ArtifactsConfig => artifacts);
