// Mints an HS256 token for the API, signed with AUTH_JWT_SECRET: for operators, the demo and scripts.
//   node services/detector/src/token.ts --sub analyst-1 --scope "flags:read flags:write" [--ttl 3600]
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";

const { values } = parseArgs({
  options: {
    sub: { type: "string", default: "analyst" },
    scope: { type: "string", default: "flags:read" },
    ttl: { type: "string", default: "3600" },
  },
});
const secret = process.env.AUTH_JWT_SECRET;
if (!secret) {
  console.error("token: AUTH_JWT_SECRET is not set");
  process.exit(2);
}
const now = Math.floor(Date.now() / 1000);
const claims: Record<string, unknown> = {
  sub: values.sub,
  scope: values.scope,
  iat: now,
  exp: now + Number(values.ttl),
};
if (process.env.AUTH_JWT_ISSUER) claims.iss = process.env.AUTH_JWT_ISSUER;
if (process.env.AUTH_JWT_AUDIENCE) claims.aud = process.env.AUTH_JWT_AUDIENCE;
console.log(await sign(claims, secret, "HS256"));
