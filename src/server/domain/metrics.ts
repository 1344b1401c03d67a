/**
 * What the service observes for its Prometheus metrics (http/metrics.ts implements it). Domain
 * code and background work report through this, never to prom-client directly.
 */
export interface ServiceMetrics {
  /** One answered HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Bytes of an upload body received. */
  observeUploadBytes(bytes: number): void;
  /** One finished package scan. */
  observeScan(outcome: string, seconds: number): void;
  /** One webhook delivery attempt. */
  observeWebhookDelivery(outcome: 'delivered' | 'retry' | 'failed', milliseconds: number): void;
}
