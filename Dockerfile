# One image for every process of the backend: `npm run api`, `npm run worker`, `npm run db:migrate`
# and `npm run schedules:reconcile` (docker-compose.yml picks the command). TypeScript runs through
# tsx, a runtime dependency, exactly as in development. The Temporal CLI wheels (`npm run
# temporal:install`) are for the dev stack only and are not in the image.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/prisma-generate.mjs ./scripts/
COPY prisma ./prisma
# --ignore-scripts: no install script runs, so none can download binaries (Prisma's engines are not
# needed: the client runs on the pg driver adapter). The Prisma client is generated explicitly (what
# postinstall would do), then the dev dependencies (the prisma CLI among them) are dropped.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && node scripts/prisma-generate.mjs \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=deps --chown=node:node /app/src/generated ./src/generated
COPY --chown=node:node package.json package-lock.json tsconfig.json prisma.config.ts ./
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node src ./src
COPY --chown=node:node workflows ./workflows
COPY --chown=node:node activities ./activities
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
