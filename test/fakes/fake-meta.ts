// Entry point of the fake Meta Graph API: `import { startFakeMeta } from '../fakes/fake-meta.js'`.
// The implementation lives in ./fake-meta/ (one file per area: OAuth, Instagram, Pages, WhatsApp).
export * from './fake-meta/index.js';
