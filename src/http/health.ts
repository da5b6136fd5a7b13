import { Router } from 'express';
import type { AppDeps } from './deps.js';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms}ms`)), ms).unref())]);
}

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, temporal] = await Promise.allSettled([
      withTimeout(deps.db.$queryRaw`SELECT 1`, CHECK_TIMEOUT_MS),
      withTimeout(deps.temporal.connection.workflowService.getSystemInfo({}), CHECK_TIMEOUT_MS),
    ]);
    const checks = {
      database: database.status === 'fulfilled' ? 'ok' : 'unreachable',
      temporal: temporal.status === 'fulfilled' ? 'ok' : 'unreachable',
    };
    const ready = checks.database === 'ok' && checks.temporal === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
