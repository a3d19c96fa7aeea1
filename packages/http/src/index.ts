// The public API of @esc/http: the app factory `esc serve` starts, and the shapes plugins (alerts, dashboard) use.
export { createHttpApp } from './http-app.js';
export type { HttpAppOptions, HttpContext, HttpLogger, HttpPluginOptions } from './server-state.js';
export type { LogEvent } from './log-event.js';
export type { HttpMetrics } from './http-metrics.js';
export {
  startHttpFrontEnd,
  type HttpFrontEnd,
  type HttpFrontEndOptions,
  type HttpPluginEnv,
  type HttpPluginFactory,
} from './http-front-end.js';
