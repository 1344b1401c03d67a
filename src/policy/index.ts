/** The gate's pure policy: findings, severity levels, settings, allowlist, licenses and the verdict. */
export * from './allowlist.js';
export * from './coverage.js';
export * from './findings.js';
export * from './gate.js';
export * from './licenses.js';
export * from './parse-allowlist.js';
export * from './parse-inputs.js';
export * from './settings.js';
export * from './severity.js';
export * from './verdict.js';
