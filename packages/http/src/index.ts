// The public API of @esc/http: the app factory `esc serve` starts, and the shapes plugins (alerts, dashboard) use.
export { createHttpApp } from './http-app.js';
export type { HttpAppOptions, HttpContext, HttpPluginOptions } from './server-state.js';
export type { LogEvent } from './log-event.js';
export type { HttpMetrics } from './http-metrics.js';
export type { AlertsOptions } from './alerts/alerts-options.js';
export type { AlertLogger } from './alerts/alert-log.js';
