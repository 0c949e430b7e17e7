/**
 * Credentials for the test control plane: bearer tokens (static token file), the service-account
 * signing key pair, and the admin kubeconfig. Everything is freshly random per start, so a token
 * from an earlier run never works against a new apiserver.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

/** The RBAC-test users; all are in group TEST_GROUP and have no permissions until a test grants some. */
export const TEST_USERS = ['ces-operator', 'ces-viewer'] as const;
export const TEST_GROUP = 'ces:test';
export const ADMIN_USER = 'ces-admin';

export interface KubeTokens {
  admin: string;
  users: Record<string, string>;
}

function token(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Writes `tokens.csv` for --token-auth-file: `token,user,uid,"group1,group2"`. The admin is in
 * system:masters, which the RBAC authorizer lets do anything.
 */
export function writeTokens(dir: string): { file: string; tokens: KubeTokens } {
  const tokens: KubeTokens = { admin: token(), users: Object.fromEntries(TEST_USERS.map((u) => [u, token()])) };
  const lines = [`${tokens.admin},${ADMIN_USER},${ADMIN_USER}-uid,"system:masters"`];
  for (const [user, t] of Object.entries(tokens.users)) lines.push(`${t},${user},${user}-uid,"${TEST_GROUP}"`);
  const file = path.join(dir, 'tokens.csv');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { file, tokens };
}

/** RSA key pair the apiserver signs/verifies service-account tokens with (required flags). */
export function writeServiceAccountKeys(dir: string): { publicKey: string; privateKey: string } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicKey = path.join(dir, 'sa.pub');
  const privateKey = path.join(dir, 'sa.key');
  writeFileSync(publicKey, pair.publicKey);
  writeFileSync(privateKey, pair.privateKey, { mode: 0o600 });
  return { publicKey, privateKey };
}

/** A kubeconfig for one token user, trusting the apiserver's self-signed serving certificate. */
export function writeKubeconfig(file: string, opts: { server: string; caFile: string; user: string; token: string }): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'ces-test', cluster: { server: opts.server, 'certificate-authority': opts.caFile } }],
    users: [{ name: opts.user, user: { token: opts.token } }],
    contexts: [{ name: 'ces-test', context: { cluster: 'ces-test', user: opts.user } }],
    'current-context': 'ces-test',
  };
  writeFileSync(file, stringify(config), { mode: 0o600 });
}
