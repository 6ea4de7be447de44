// A real OpenID Connect provider for the tests: panva's oidc-provider (a certified
// implementation, pinned in package.json), on a free loopback port.
//
//   PORT=5555 node tests/tools/oidc-provider.mjs    prints {"issuer": "http://127.0.0.1:5555"}
//
// - Its own login and consent pages (devInteractions): any login name is an account whose
//   `sub` is that name, with the email <name>@example.org (email_verified false, as Entra ID).
//   A name starting with "mfa-" signs in with amr ["pwd", "mfa"]; any other with ["pwd"].
//   The account "disabled" is disabled here: the provider never signs it in.
// - Clients (all with the secret "test-secret", PKCE required, redirecting to
//   http://127.0.0.1:<any port>/staff/sso/callback as loopback clients may):
//   "hsm" behaves; the others misbehave after an honest sign-in, so that HSM's checks are
//   proved against real tokens: "hsm-wrong-aud" (an ID token for another audience),
//   "hsm-expired" (an expired one), "hsm-wrong-nonce" (another nonce), "hsm-bad-signature"
//   (signed with a key the provider does not publish), "hsm-other-issuer" (another `iss`).
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
if (!port) throw new Error('PORT must name a free loopback port');
const SECRET = 'test-secret';
const DISABLED = new Set(['disabled']);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const { privateKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const MISBEHAVING = {
  'hsm-wrong-aud': (claims) => ({ ...claims, aud: 'someone-else' }),
  'hsm-expired': (claims) => ({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 }),
  'hsm-wrong-nonce': (claims) => ({ ...claims, nonce: 'not-the-nonce-you-sent' }),
  'hsm-bad-signature': (claims) => claims,
  'hsm-other-issuer': (claims) => ({ ...claims, iss: 'http://127.0.0.1:1/elsewhere' }),
};

const client = (clientId) => ({
  client_id: clientId,
  client_secret: SECRET,
  application_type: 'native', // loopback redirect URIs on any port (RFC 8252), for the tests
  redirect_uris: ['http://127.0.0.1/staff/sso/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1/staff/signed-out'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const configuration = {
  clients: ['hsm', ...Object.keys(MISBEHAVING)].map(client),
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  // Scope claims (email) in the ID token too, as Entra ID and Google send them.
  conformIdTokenClaims: false,
  claims: {
    acr: null,
    amr: null,
    auth_time: null,
    iss: null,
    sid: null,
    openid: ['sub', 'amr', 'acr'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    if (DISABLED.has(id)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.org`, email_verified: false, name: id };
      },
    };
  },
};

const provider = new Provider(`http://127.0.0.1:${port}`, configuration);

// Loopback redirect URIs may use any port (RFC 8252 section 7.3); this version applies that
// to redirect_uri only, so the post-logout redirect URI gets the same rule here.
const { Client } = provider;
const postLogoutAllowed = Client.prototype.postLogoutRedirectUriAllowed;
Client.prototype.postLogoutRedirectUriAllowed = function loopbackAllowed(value) {
  const withoutPort = (uri) => {
    const url = new URL(uri);
    if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') return undefined;
    url.port = '';
    return url.href;
  };
  return postLogoutAllowed.call(this, value) || (withoutPort(value) !== undefined
    && this.postLogoutRedirectUris.some((allowed) => withoutPort(allowed) === withoutPort(value)));
};

// What the login says about the factors used: the login page asks for a password only, and
// "mfa-" accounts are taken to have passed a second factor there too.
const interactionFinished = provider.interactionFinished.bind(provider);
provider.interactionFinished = (req, res, result, options) => {
  if (result?.login?.accountId) {
    const mfa = result.login.accountId.startsWith('mfa-');
    result.login.amr = mfa ? ['pwd', 'mfa'] : ['pwd'];
  }
  return interactionFinished(req, res, result, options);
};

// The misbehaving clients: their ID token is rewritten after the provider issued it.
provider.use(async (ctx, next) => {
  await next();
  const clientId = ctx.oidc?.client?.clientId;
  const change = MISBEHAVING[clientId];
  if (ctx.path !== '/token' || !change || !ctx.body?.id_token) return;
  const header = decodeProtectedHeader(ctx.body.id_token);
  const claims = change(decodeJwt(ctx.body.id_token));
  const key = clientId === 'hsm-bad-signature' ? strangerKey : privateKey;
  ctx.body = {
    ...ctx.body,
    id_token: await new SignJWT(claims).setProtectedHeader(header).sign(key),
  };
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ issuer: `http://127.0.0.1:${port}` })}\n`);
});
