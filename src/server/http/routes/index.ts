import type { RouteModule } from '../types.js';
import { statusRoutes } from './status.js';

/** Every route module of the API, registered at `/` and again under `/v1`. */
export const ROUTE_MODULES: RouteModule[] = [statusRoutes];
