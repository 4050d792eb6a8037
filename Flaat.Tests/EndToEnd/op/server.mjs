// A real OpenID provider (the certified `oidc-provider` package) for Flaat's end-to-end tests.
//
//   node server.mjs [--port N] [--issuer URL] [--ttl SECONDS]
//   (or the environment variables OP_PORT, OP_ISSUER, OP_ACCESS_TOKEN_TTL)
//
// It listens on 127.0.0.1 only; port 0 (the default) picks a free port, and the issuer defaults to
// http://127.0.0.1:<port>. When it listens it prints ONE line to stdout:
//
//   ready <issuer> http://127.0.0.1:<port>
//
// It exits when stdin closes, so a test process that dies never leaves an OP behind.
//
// What it offers, and why (see Flaat.Tests/EndToEnd/README.md):
// - a JWKS whose FIRST key is an RSA `use: enc` key, then RS256, ES256 and EdDSA signing keys, so a
//   verifier that takes "the first RSA key" or ignores `use` fails visibly;
// - opaque access tokens (no resource requested: usable at userinfo, introspectable) and JWT access
//   tokens (resource indicator RESOURCE_RS256 / RESOURCE_ES256 / RESOURCE_EDDSA: audience = the
//   indicator, signed with that algorithm, carrying the user's groups, entitlements and email);
// - userinfo with `groups`, `eduperson_entitlement` (AARC-G002 strings) and `email`;
// - introspection and revocation for the confidential client `flaat-api` (client_secret_basic);
// - users alice (admins) and bob (users), logged in through the development interaction, which any
//   HTTP client can complete: POST prompt=login&login=<user>, then POST prompt=consent.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

export const RESOURCE_RS256 = 'urn:flaat:e2e:api';
export const RESOURCE_ES256 = 'urn:flaat:e2e:api-es256';
export const RESOURCE_EDDSA = 'urn:flaat:e2e:api-eddsa';
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OP_PORT ?? '0' },
    issuer: { type: 'string', default: process.env.OP_ISSUER },
    ttl: { type: 'string', default: process.env.OP_ACCESS_TOKEN_TTL ?? '300' },
  },
});

const port = Number.parseInt(args.port, 10);
const accessTokenTtl = Number.parseInt(args.ttl, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail(`--port must be a port number, got "${args.port}"`);
}
if (!Number.isInteger(accessTokenTtl) || accessTokenTtl < 1) {
  fail(`--ttl must be a positive number of seconds, got "${args.ttl}"`);
}

const users = {
  alice: {
    name: 'Alice Admin',
    preferred_username: 'alice',
    email: 'alice@example.org',
    email_verified: true,
    groups: ['admins', 'users'],
    eduperson_entitlement: [
      'urn:geant:example.org:group:admins#aai.example.org',
      'urn:geant:example.org:group:users#aai.example.org',
      'urn:geant:example.org:group:users:project-x:role=manager#aai.example.org',
    ],
  },
  bob: {
    name: 'Bob User',
    preferred_username: 'bob',
    email: 'bob@example.org',
    email_verified: true,
    groups: ['users'],
    eduperson_entitlement: [
      'urn:geant:example.org:group:users#aai.example.org',
    ],
  },
};

// Claims the JWT access tokens carry themselves (Flaat's offline mode reads them from the token).
const tokenClaims = ['email', 'groups', 'eduperson_entitlement'];

const resourceServers = {
  [RESOURCE_RS256]: 'RS256',
  [RESOURCE_ES256]: 'ES256',
  [RESOURCE_EDDSA]: 'EdDSA',
};

function jwk(type, options, extra) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), ...extra };
}

// Fresh keys per process: a second instance is a different OP whose tokens the first one's keys
// do not verify.
const keys = [
  jwk('rsa', { modulusLength: 2048 }, { kid: 'enc-rsa', use: 'enc', alg: 'RSA-OAEP-256' }),
  jwk('rsa', { modulusLength: 2048 }, { kid: 'sig-rs256', use: 'sig', alg: 'RS256' }),
  jwk('ec', { namedCurve: 'P-256' }, { kid: 'sig-es256', use: 'sig', alg: 'ES256' }),
  jwk('ed25519', {}, { kid: 'sig-eddsa', use: 'sig', alg: 'EdDSA' }),
];

const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const actualPort = server.address().port;
  const listening = `http://127.0.0.1:${actualPort}`;
  const issuer = args.issuer ?? listening;
  const provider = new Provider(issuer, configuration());
  server.on('request', provider.callback());
  process.stdout.write(`ready ${issuer} ${listening}\n`);
});
server.on('error', (error) => fail(error.message));

process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

function configuration() {
  return {
    jwks: { keys },
    clients: [
      {
        // The API protected by Flaat: introspects tokens with its secret (client_secret_basic).
        client_id: 'flaat-api',
        client_secret: 'flaat-api-secret',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
      },
      {
        // The application a user logs in with; public, so PKCE is required.
        client_id: 'e2e-app',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
      },
    ],
    async findAccount(_ctx, id) {
      const user = users[id];
      if (!user) {
        return undefined;
      }
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...user };
        },
      };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
      eduperson_entitlement: ['eduperson_entitlement'],
    },
    async extraTokenClaims(_ctx, token) {
      if (token.resourceServer?.accessTokenFormat !== 'jwt') {
        return undefined;
      }
      const user = users[token.accountId];
      return user ? Object.fromEntries(tokenClaims.map((claim) => [claim, user[claim]])) : undefined;
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      // Makes the `enc` key part of the configuration (request object decryption); without a use,
      // oidc-provider refuses it.
      encryption: { enabled: true },
      requestObjects: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        async defaultResource(_ctx, _client, oneOf) {
          return oneOf;
        },
        async useGrantedResource() {
          return true;
        },
        async getResourceServerInfo(_ctx, resourceIndicator) {
          const alg = resourceServers[resourceIndicator];
          if (!alg) {
            throw new Provider.errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
          }
          return {
            scope: 'api',
            audience: resourceIndicator,
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg } },
          };
        },
      },
    },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    // One machine, one clock: an expired token is refused at once (the default tolerates 15 s).
    clockTolerance: 0,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
  };
}

function fail(message) {
  process.stderr.write(`server.mjs: ${message}\n`);
  process.exit(2);
}
