export type { OrgRef } from '../store/oidc.js';
