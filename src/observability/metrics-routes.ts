// GET /metrics on the API: our registry in Prometheus text format. The database gauges are counted
// at most once per METRICS_GAUGE_REFRESH (15 s by default), whoever scrapes and however often: a
// scrape never costs more than a cached answer.
import { Router } from 'express';
import type { AppDeps } from '../http/deps.js';
import { AppError } from '../http/errors.js';
import { updateDatabaseGauges } from './backlog-gauges.js';
import { metricsRegistry } from './metrics.js';
import { metricsRequestAllowed } from './metrics-auth.js';
import { throttledRefresh } from './throttled-refresh.js';

export function metricsRoutes(deps: Pick<AppDeps, 'config' | 'db' | 'logger'>): Router {
  const router = Router();
  const refreshGauges = throttledRefresh(() => updateDatabaseGauges(deps.db), deps.config.observability.gaugeRefreshMs);
  router.get('/metrics', async (req, res) => {
    if (!metricsRequestAllowed(req.headers.authorization, deps.config.observability.metricsToken)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new AppError('UNAUTHENTICATED', 'metrics require Authorization: Bearer <METRICS_TOKEN>');
    }
    try {
      await refreshGauges();
    } catch (error) {
      // A scrape still answers (with the last values) when the database is down: that is when it is needed.
      deps.logger.warn({ err: error }, 'could not refresh database gauges');
    }
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
  return router;
}
