// Static checks of docker-compose.yml (Docker cannot run on our machines): it must agree with
// package.json, the config module, the contract's search attributes and the files it mounts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { KNOWN_ENV_VARS } from '../../src/config.js';
import { CLAIM_SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { type?: string; source?: string })[];
  restart?: string;
  profiles?: string[];
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
// Compose supports YAML merge keys (`<<: *anchor`); the file uses them for shared service parts.
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const packageScripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);

const words = (value: string | string[] | undefined): string => (value === undefined ? '' : Array.isArray(value) ? value.join(' ') : value);
const commandLine = (service: Service): string => `${words(service.entrypoint)} ${words(service.command)}`.trim();

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value === null ? '' : String(value)]));
}

function dependencies(service: Service): Record<string, string | undefined> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(dependsOn).map(([name, options]) => [name, options.condition]));
}

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** Our processes: the services that run the image built from ./Dockerfile. */
const appImage = service('api').image;
const appServices = services.filter(([, definition]) => definition.build !== undefined || definition.image === appImage);

describe('docker-compose.yml', () => {
  test('api, worker and migrate run the contract commands from one image built here', () => {
    expect(commandLine(service('api'))).toBe('npm run api');
    expect(commandLine(service('worker'))).toBe('npm run worker');
    expect(commandLine(service('migrate'))).toBe('npm run db:migrate');
    for (const name of ['api', 'worker', 'migrate']) {
      expect(service(name).build).toBe('.');
      expect(service(name).image).toBe(appImage);
    }
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  test('every `npm run X` names a script that exists in package.json', () => {
    const runs = services.flatMap(([name, definition]) =>
      [...commandLine(definition).matchAll(/\bnpm run ([^\s"';&|]+)/g)].map((match) => ({ name, script: match[1]! })),
    );
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const missing = runs.filter((run) => !packageScripts.includes(run.script)).map((run) => `${run.name}: npm run ${run.script}`);
    expect(missing).toEqual([]);
  });

  test('our services get only variables src/config.ts knows', () => {
    expect(appServices.map(([name]) => name)).toEqual(expect.arrayContaining(['api', 'worker', 'migrate']));
    const known = new Set<string>(KNOWN_ENV_VARS);
    const unknown = appServices.flatMap(([name, definition]) =>
      Object.keys(environmentOf(definition))
        .filter((variable) => !known.has(variable))
        .map((variable) => `${name}: ${variable}`),
    );
    expect(unknown).toEqual([]);
  });

  test.each(['api', 'worker'])('%s gets JWT_SECRET, TOKEN_ENCRYPTION_KEY, DATABASE_URL and TEMPORAL_ADDRESS', (name) => {
    const env = environmentOf(service(name));
    for (const variable of ['JWT_SECRET', 'TOKEN_ENCRYPTION_KEY', 'DATABASE_URL', 'TEMPORAL_ADDRESS']) {
      expect({ variable, value: env[variable]?.trim() || undefined }).toEqual({ variable, value: expect.any(String) });
    }
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env.DATABASE_URL).toMatch(/^postgresql:\/\/[^@]+@postgres:5432\/\w+$/);
  });

  test('secrets are required from the operator, never written into the file', () => {
    for (const [name, definition] of appServices) {
      const env = environmentOf(definition);
      for (const variable of ['JWT_SECRET', 'TOKEN_ENCRYPTION_KEY', 'META_APP_SECRET', 'WHATSAPP_API_KEY']) {
        if (env[variable] === undefined) continue;
        // `${VAR:?message}` makes compose refuse to start without it; `${VAR:-}` passes it through.
        expect({ service: name, variable, value: env[variable] }).toEqual({
          service: name,
          variable,
          value: expect.stringMatching(new RegExp(`^\\$\\{${variable}:[?-]`)),
        });
      }
      if (env.JWT_SECRET !== undefined) expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
      if (env.TOKEN_ENCRYPTION_KEY !== undefined) expect(env.TOKEN_ENCRYPTION_KEY).toMatch(/^\$\{TOKEN_ENCRYPTION_KEY:\?/);
    }
  });

  test('migrate needs only DATABASE_URL, the same database as the api', () => {
    expect(environmentOf(service('migrate'))).toEqual({ DATABASE_URL: environmentOf(service('api')).DATABASE_URL });
  });

  test("the search attributes registered are exactly the contract's three, as Keyword", () => {
    const bootstraps = services.filter(([, definition]) => commandLine(definition).includes('bootstrap.sh'));
    expect(bootstraps.map(([name]) => name)).toEqual(['temporal-bootstrap']);
    const registered = (environmentOf(bootstraps[0]![1]).SEARCH_ATTRIBUTES ?? '').trim().split(/\s+/).sort();

    expect(registered).toEqual(['CampaignId=Keyword', 'ClaimStatus=Keyword', 'TenantId=Keyword']);
    // ...and the same set the dev server and the workflows use.
    expect(CLAIM_SEARCH_ATTRIBUTES.every((key) => key.type === 'KEYWORD')).toBe(true);
    expect(CLAIM_SEARCH_ATTRIBUTES.map((key) => `${key.name}=Keyword`).sort()).toEqual(registered);

    const script = read('deploy/temporal/bootstrap.sh');
    expect(script).toContain('for spec in $SEARCH_ATTRIBUTES');
    expect(script).toContain('temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"');
    expect(environmentOf(bootstraps[0]![1]).NAMESPACE).toBe(environmentOf(service('api')).TEMPORAL_NAMESPACE);
  });

  test('Temporal runs on PostgreSQL from temporalio/server with a schema job, not auto-setup', () => {
    expect(service('temporal').image).toMatch(/^temporalio\/server:/);
    expect(services.filter(([, definition]) => definition.image?.includes('auto-setup'))).toEqual([]);
    expect(environmentOf(service('temporal'))).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'temporal-postgresql' });
    expect(dependencies(service('temporal'))).toEqual({ 'temporal-schema': 'service_completed_successfully' });
    expect(commandLine(service('temporal-schema'))).toContain('/deploy/setup-schema.sh');
    expect(read('deploy/temporal/setup-schema.sh')).toContain('setup-schema -v 0.0');
  });

  test('an admin-tools service is there for operators (`docker compose exec temporal-admin-tools temporal schedule ...`)', () => {
    const tools = service('temporal-admin-tools');
    expect(tools.image).toMatch(/^temporalio\/admin-tools:/);
    expect(tools.restart).toBe('unless-stopped');
    expect(environmentOf(tools).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  test('images are pinned: a tag on every image, never latest', () => {
    const unpinned = services
      .map(([name, definition]) => ({ name, image: definition.image ?? '(none)' }))
      .filter(({ image }) => {
        const tag = /^[^\s@]+?(?::([\w][\w.-]*))?(?:@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
        return tag === undefined || tag === 'latest';
      });
    expect(unpinned).toEqual([]);

    const dockerfile = read('Dockerfile');
    const bases = [...dockerfile.matchAll(/^ARG NODE_IMAGE=(\S+)$/gm)].map((match) => match[1]!);
    expect(bases).toHaveLength(1);
    expect(bases[0]).toMatch(/^node:20\.\d+\.\d+-[\w-]+$/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own ARG reference, literally
    for (const [, from] of dockerfile.matchAll(/^FROM (\S+)/gm)) expect(from).toBe('${NODE_IMAGE}');
  });

  test('every depends_on names a service; api and worker wait for migrations and the Temporal bootstrap', () => {
    const names = new Set(Object.keys(compose.services));
    const dangling = services.flatMap(([name, definition]) =>
      Object.keys(dependencies(definition))
        .filter((target) => !names.has(target))
        .map((target) => `${name} -> ${target}`),
    );
    expect(dangling).toEqual([]);
    for (const name of ['api', 'worker']) {
      expect(dependencies(service(name))).toMatchObject({
        migrate: 'service_completed_successfully',
        'temporal-bootstrap': 'service_completed_successfully',
      });
    }
    expect(dependencies(service('migrate'))).toEqual({ postgres: 'service_healthy' });
  });

  test('a service others wait on as healthy has a healthcheck; the api checks /readyz', () => {
    const waitedOn = new Set(
      services.flatMap(([, definition]) =>
        Object.entries(dependencies(definition))
          .filter(([, condition]) => condition === 'service_healthy')
          .map(([target]) => target),
      ),
    );
    expect([...waitedOn].sort()).toEqual(['postgres', 'temporal', 'temporal-postgresql']);
    for (const name of [...waitedOn, 'api']) {
      expect({ name, test: service(name).healthcheck?.test }).toEqual({ name, test: expect.anything() });
    }
    expect(words(service('api').healthcheck?.test)).toContain('http://127.0.0.1:3000/readyz');
    expect(environmentOf(service('api')).PORT).toBe('3000');
  });

  test('one-shot jobs never restart forever', () => {
    for (const name of ['migrate', 'temporal-schema', 'temporal-bootstrap']) {
      expect({ name, restart: service(name).restart }).toEqual({ name, restart: expect.stringMatching(/^(no|on-failure(:\d+)?)$/) });
    }
  });

  test('files mounted from the repository exist', () => {
    const mounts = services.flatMap(([name, definition]) =>
      (definition.volumes ?? [])
        .map((volume) => (typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '')))
        .filter((source) => source.startsWith('./'))
        .map((source) => ({ name, source })),
    );
    expect(mounts.length).toBeGreaterThan(0);
    expect(mounts.filter(({ source }) => !existsSync(join(ROOT, source)))).toEqual([]);
  });

  test('the build context leaves local state and secrets out of the image', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.data', '.tools', 'src/generated', '.env', '.git']));
  });
});
