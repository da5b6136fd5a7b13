// The Express app, without `listen`: tests drive the same app the API process serves.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { authenticate, jwtSettingsOf, requireLiveTenant } from './auth.js';
import type { AppDeps } from './deps.js';
import { AppError } from './errors.js';
import { errorHandler } from './error-handler.js';
import { healthRoutes } from './health.js';
import { observeHttpRequests, requestLogFields } from '../observability/http-observation.js';
import { metricsRoutes } from '../observability/metrics-routes.js';
import { rejectUnstorableBody, rejectUnstorablePathAndQuery } from './storable-text.js';
import { apiRoutes, publicRoutes } from './routes.js';

export const JSON_BODY_LIMIT = '100kb';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.set('query parser', 'simple');

  // First: the span, log context and metrics of each request wrap everything after them.
  app.use(observeHttpRequests());
  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    req.requestId = typeof incoming === 'string' && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', req.requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      deps.logger.info(
        {
          requestId: req.requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          ...requestLogFields(req),
        },
        'request',
      );
    });
    next();
  });

  app.use(rejectUnstorablePathAndQuery);
  app.use(healthRoutes(deps));
  app.use(metricsRoutes(deps));
  // Public routes (Meta's webhooks and OAuth callback) parse their own bodies: webhook signatures
  // are checked over the raw bytes, so no JSON parser may run before them.
  app.use(publicRoutes(deps));

  // Authenticate first: bodies of unauthenticated requests are never parsed.
  app.use(
    '/api/v1',
    authenticate(jwtSettingsOf(deps.config)),
    requireLiveTenant(deps.db),
    express.json({ limit: JSON_BODY_LIMIT }),
    rejectUnstorableBody,
    apiRoutes(deps),
  );

  app.use((req: Request) => {
    throw new AppError('NOT_FOUND', `no route for ${req.method} ${req.path}`);
  });
  app.use(errorHandler(deps.logger));
  return app;
}
