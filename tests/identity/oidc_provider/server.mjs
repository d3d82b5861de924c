// A certified OpenID provider (panva/node-oidc-provider) for the interoperability test.
//
// Usage: OIDC_PORT=<port> OIDC_CLIENT_ID=... OIDC_CLIENT_SECRET=... OIDC_REDIRECT_URI=... \
//        [OIDC_PKJWT_CLIENT_ID=... OIDC_PKJWT_JWKS='{"keys": [...]}'] node server.mjs [port]
//
// The issuer is http://127.0.0.1:<port>. One confidential client (client_secret_basic),
// and, when OIDC_PKJWT_CLIENT_ID is set, a second one that authenticates with
// private_key_jwt against the public keys in OIDC_PKJWT_JWKS. Authorization code flow
// with PKCE required. The login and consent steps are two tiny HTML forms served by this
// script (at /interaction/<uid>), so a test can drive them with plain HTTP requests:
// the login form takes the account id (interop-citizen-1) and authenticates at acr
// "substantial".
// Prints "listening" on stdout once the port is bound.

import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.OIDC_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node server.mjs <port> (or set OIDC_PORT)');
  process.exit(2);
}
const clientId = process.env.OIDC_CLIENT_ID || 'antragsraum-interop';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'interop-client-secret';
const redirectUri = process.env.OIDC_REDIRECT_URI || 'http://127.0.0.1:8000/auth/callback';
const issuer = `http://127.0.0.1:${port}`;
const pkjwtClientId = process.env.OIDC_PKJWT_CLIENT_ID;
const pkjwtJwks = pkjwtClientId ? JSON.parse(process.env.OIDC_PKJWT_JWKS || '{"keys": []}') : null;

const ACCOUNT = {
  sub: 'interop-citizen-1',
  name: 'Ines Interop',
  given_name: 'Ines',
  family_name: 'Interop',
  email: 'ines.interop@example.org',
  email_verified: true,
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    ...(pkjwtClientId
      ? [
          {
            client_id: pkjwtClientId,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'private_key_jwt',
            jwks: pkjwtJwks,
          },
        ]
      : []),
  ],
  pkce: { required: () => true },
  acrValues: ['normal', 'substantial', 'high'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    email: ['email', 'email_verified'],
    acr: null,
  },
  async findAccount(_ctx, id) {
    if (id !== ACCOUNT.sub) return undefined;
    return { accountId: id, async claims() { return { ...ACCOUNT }; } };
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [randomBytes(32).toString('hex')] },
});

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function form(uid, prompt, fields) {
  return `<!doctype html><title>${prompt}</title>
<form method="post" action="/interaction/${escape(uid)}">
<input type="hidden" name="prompt" value="${prompt}">${fields}
<button type="submit">Continue</button></form>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session } = details;
  if (req.method === 'GET') {
    const fields = prompt.name === 'login' ? '<input name="login" value="">' : '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(form(uid, prompt.name, fields));
    return;
  }
  const body = await readForm(req);
  if (body.get('prompt') !== prompt.name) {
    res.writeHead(400).end('wrong prompt');
    return;
  }
  if (prompt.name === 'login') {
    const accountId = body.get('login') || '';
    if (accountId !== ACCOUNT.sub) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('unknown account');
      return;
    }
    const result = { login: { accountId, acr: 'substantial', amr: ['pwd'] } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  // consent: grant what the client asked for
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const result = { consent: { grantId: await grant.save() } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

const oidc = provider.callback();
const server = createServer((req, res) => {
  if (req.url.startsWith('/interaction/') && ['GET', 'POST'].includes(req.method)) {
    interaction(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${err.message}`);
    });
    return;
  }
  oidc(req, res);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
