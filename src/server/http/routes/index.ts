import type { RouteModule } from '../types.js';
import { statusRoutes } from './status.js';
import { openidRoutes } from './openid.js';
import { policyRoutes } from './policies.js';
import { fileRoutes } from './files.js';
import { downloadRoutes } from './downloads.js';
import { repoRoutes } from './repos.js';
import { teamRoutes } from './teams.js';
import { serviceRoutes } from './services.js';
import { userRoutes } from './user.js';
import { memberRoutes } from './members.js';
import { auditLogRoutes } from './audit-log.js';
import { packageRoutes } from './packages.js';
import { webhookRoutes } from './webhooks.js';
import { vulnerabilityRoutes } from './vulnerabilities.js';
import { namespaceRoutes } from './namespaces.js';
import { entitlementRoutes } from './entitlements.js';
import { upstreamRoutes } from './upstreams.js';
import { rateRoutes } from './rates.js';
import { pypiRoutes } from './pypi.js';

/** Every route module of the API, registered at `/` and again under `/v1`. */
export const ROUTE_MODULES: RouteModule[] = [
  statusRoutes,
  openidRoutes,
  policyRoutes,
  fileRoutes,
  downloadRoutes,
  repoRoutes,
  teamRoutes,
  serviceRoutes,
  userRoutes,
  memberRoutes,
  auditLogRoutes,
  packageRoutes,
  webhookRoutes,
  vulnerabilityRoutes,
  namespaceRoutes,
  entitlementRoutes,
  upstreamRoutes,
  rateRoutes,
  pypiRoutes,
];
