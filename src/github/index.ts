/** Reporting on GitHub: check runs (with a commit-status fallback) and the job's pull-request comment. */
export * from './check-runs.js';
export * from './commit-status.js';
export * from './context.js';
export * from './pr-comment.js';
