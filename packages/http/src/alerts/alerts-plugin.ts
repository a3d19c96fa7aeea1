import type { FastifyPluginAsync } from 'fastify';
import { refuseOtherMethods } from '../routes/method-not-allowed.js';
import type { HttpPluginOptions } from '../server-state.js';
import { systemClock } from './alert-clock.js';
import { RedisAlertEngine } from '../redis/redis-alert-engine.js';
import { RedisAlertHistory } from '../redis/redis-alert-history.js';
import { AlertService } from './alert-service.js';
import type { AlertsOptions } from './alerts-options.js';

/**
 * The alert layer as a plugin of the HTTP app: its service fed by every durably appended event, its metrics on
 * the server's registry, its routes, closed with the app. A bad rules file fails the app's start. With a shared
 * backend (`esc serve --backend`) its rule engine and its history are in Redis, shared by the instances.
 */
export function alertsPlugin(options: AlertsOptions): FastifyPluginAsync<HttpPluginOptions> {
  return async (app, { context }) => {
    const log = options.log ?? app.log;
    const service = await AlertService.open({
      ...options,
      log,
      // The server's clock (receivedAt comes from it), with real timers.
      clock: options.clock ?? { ...systemClock, now: context.clock },
      registry: context.metrics.registry,
      store: context.store,
      // With a shared backend, the windows and firing states are in Redis, so instances fire once between them.
      ...(context.redis === undefined
        ? {}
        : {
            engine: RedisAlertEngine.factory(context.redis, log),
            shared: new RedisAlertHistory(context.redis, options.historyLimit ?? 1000),
          }),
    });
    context.onEvent((event) => service.observe(event));
    service.registerRoutes(app);
    refuseOtherMethods(app, '/alerts', ['GET']);
    refuseOtherMethods(app, '/alerts/stream', ['GET']);
    app.addHook('onClose', () => service.close());
  };
}
