/** Pure reports of a verdict: job summary markdown, SARIF 2.1.0, check-run output and the PR comment. */
export * from './check-run.js';
export * from './markdown.js';
export * from './pr-comment.js';
export * from './sarif.js';
export * from './sarif-types.js';
export * from './truncate.js';
export * from './types.js';
