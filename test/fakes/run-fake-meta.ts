// A fake Meta for trying `npm run dev` by hand (no real Meta app needed):
//   tsx test/fakes/run-fake-meta.ts
// prints META_* variables to start `npm run dev` with, and a fresh OAuth code for /meta/callback.
// The fake keeps running until Ctrl-C; every line it reads on stdin issues another code.
import { createInterface } from 'node:readline';
import { startFakeMeta } from './fake-meta.js';

const redirectUri = process.env.META_OAUTH_REDIRECT_URI ?? 'http://localhost:3000/meta/callback';
const fake = await startFakeMeta({ appSecret: 'dev-fake-app-secret', serviceWindow: 'off' });
const waba = fake.addWaba({ name: 'Demo Coffee WABA' });
const phone = fake.addPhoneNumber(waba.id, {});
// Each code exchanges into a business token for the WABA that expires in 60 days.
const { token: _unused, ...template } = fake.addBusinessToken([waba.id], { expiresAt: Date.now() + 60 * 86_400_000 });
const issue = () => fake.issueCode({ redirectUri, ttlMs: 10 * 60_000, token: template });

console.log(`Fake Meta on ${fake.url} (WABA ${waba.id}, phone number id ${phone.id})

Start the system against it:
  META_GRAPH_BASE_URL=${fake.url} META_APP_ID=${fake.appId} META_APP_SECRET=dev-fake-app-secret \\
  META_OAUTH_REDIRECT_URI=${redirectUri} META_EMBEDDED_SIGNUP_CONFIG_ID=dev-config npm run dev

Then GET /api/v1/meta/connect (tenant_admin JWT) for a state, and open
  ${redirectUri}?code=<code>&state=<state>
OAuth code (valid 10 minutes; press Enter for another): ${issue()}`);
createInterface({ input: process.stdin }).on('line', () => console.log(`code: ${issue()}`));
process.on('SIGINT', () => void fake.close().then(() => process.exit(0)));
