import type { FastifyPluginAsync } from 'fastify';
import type { HttpPluginOptions } from '../server-state.js';
import { AlertService } from './alert-service.js';
import type { AlertsOptions } from './alerts-options.js';

/**
 * The alert layer as a plugin of the HTTP app: its service fed by every durably appended event, its metrics on
 * the server's registry, its routes, closed with the app. A bad rules file fails the app's start.
 */
export function alertsPlugin(options: AlertsOptions): FastifyPluginAsync<HttpPluginOptions> {
  return async (app, { context }) => {
    const service = await AlertService.open({
      ...options,
      log: options.log ?? app.log,
      registry: context.metrics.registry,
      store: context.store,
    });
    context.onEvent((event) => service.observe(event));
    service.registerRoutes(app);
    app.addHook('onClose', () => service.close());
  };
}
