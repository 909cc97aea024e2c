// An OpenID provider for the tests, on 127.0.0.1 at the port given (0: any), printing its issuer once listening.
// Users: any login and password at the dev sign-in form; alice is in group ops, bob in sales, the rest in
// none. Groups and email come from userinfo only (the ID token carries sub), as many providers do. Clients: "dashboard"
// (code flow with PKCE; a native client, so its loopback redirect URIs match on any port, RFC 8252) and "script"
// (client credentials: a JWT access token for the audience "api://sse-dashboard").
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const audience = 'api://sse-dashboard';
const groups = { alice: ['ops'], bob: ['sales'] };

const server = createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'dashboard',
      client_secret: 'dashboard-secret',
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: ['http://127.0.0.1/signin-oidc', 'http://127.0.0.1/ops/signin-oidc'],
      post_logout_redirect_uris: ['http://127.0.0.1/signout-callback-oidc', 'http://127.0.0.1/ops/signout-callback-oidc'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'script',
      client_secret: 'script-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  cookies: { keys: ['test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Only the script's tokens are for the dashboard's API; a sign-in's access token is for userinfo.
      defaultResource: (ctx) => (ctx.oidc.client?.clientId === 'script' ? audience : undefined),
      getResourceServerInfo: () => ({ scope: 'read', audience, accessTokenFormat: 'jwt' }),
    },
  },
  // No consent screen: the tests' users grant what the client asks.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email');
    grant.addOIDCClaims(['sub', 'name', 'email', 'email_verified', 'groups']);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: id, email: `${id}@example.test`, email_verified: true, groups: groups[id] ?? [] };
      },
    };
  },
  pkce: { required: () => true },
});

server.on('request', provider.callback());
console.log(JSON.stringify({ issuer }));
