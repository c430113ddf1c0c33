// An OpenID provider for Sealtrail's OIDC login tests (oidc-provider, in memory).
//
// Usage: node server.mjs [PORT]   (or PORT in the environment; default 9090)
//
// Environment:
//   OIDC_ISSUER          issuer URL (default http://127.0.0.1:PORT)
//   OIDC_CLIENT_ID       the one confidential client (default "sealtrail")
//   OIDC_CLIENT_SECRET   its secret (default "sealtrail-test-secret")
//   OIDC_REDIRECT_URIS   its redirect URIs, space separated
//   OIDC_CLIENT_AUTH     its token endpoint auth method (default client_secret_basic)
//   OIDC_ACCOUNTS        JSON {"<login>": {<claims>}}: who can sign in, and what the
//                        provider says about them; "sub" defaults to the login
//
// Sign-in uses oidc-provider's development interactions: GET /interaction/<uid>, then
// POST prompt=login&login=<login>&password=<anything>, then POST prompt=consent.
// PKCE (S256) is required of every client.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const env = process.env;
const port = Number(process.argv[2] ?? env.PORT ?? 9090);
const issuer = env.OIDC_ISSUER ?? `http://127.0.0.1:${port}`;

const defaultAccounts = {
  alice: {
    email: 'alice@example.com',
    email_verified: true,
    name: 'Alice Martin',
    sealtrail_role: 'admin',
  },
};
const accounts = env.OIDC_ACCOUNTS ? JSON.parse(env.OIDC_ACCOUNTS) : defaultAccounts;

// A fresh signing key per start: the relying party must read it from jwks_uri.
const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  use: 'sig',
  alg: 'RS256',
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.OIDC_CLIENT_ID ?? 'sealtrail',
      client_secret: env.OIDC_CLIENT_SECRET ?? 'sealtrail-test-secret',
      redirect_uris: (env.OIDC_REDIRECT_URIS ?? 'http://127.0.0.1:8000/api/v1/auth/oidc/callback')
        .split(' ')
        .filter(Boolean),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: env.OIDC_CLIENT_AUTH ?? 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'sealtrail_role'],
  },
  // Put the scope's claims in the ID token too (Sealtrail reads only the ID token).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  async findAccount(_ctx, id) {
    const claims = accounts[id];
    if (!claims) {
      return undefined;
    }
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...claims };
      },
    };
  },
});

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ${issuer} listening on 127.0.0.1:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
