// Meta credentials for verification: the claim's own tenant first, then the platform's. Loaded and
// decrypted inside the activity, from ids (the API's task checks load them the same way).
export { loadMetaCredentialSources, type CredentialSource } from '../src/verification/credential-sources.js';
