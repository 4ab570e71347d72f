/** The limits live in the domain, where config maps into them; this path keeps older imports. */
export * from './domain/artifact-limits.js';
