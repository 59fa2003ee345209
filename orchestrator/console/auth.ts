import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { sameSecret } from '../ingest/token.ts';

/** What a request may do: look, or look and decide proposals. */
export type Access = 'read' | 'review';

export const COOKIE = 'steward_console';

/** The cookie holds a digest of the token, never the token: a copied cookie jar does not leak a token usable elsewhere. */
export const digest = (token: string): string => createHash('sha256').update(`steward-console:${token}`).digest('hex');

export interface Tokens {
  console: string;
  review: string;
}

/** The access a token grants, or undefined for none. */
export function accessOfToken(tokens: Tokens, token: string | undefined): Access | undefined {
  if (sameSecret(token, tokens.review)) return 'review';
  if (sameSecret(token, tokens.console)) return 'read';
  return undefined;
}

/** The request's access: a bearer token (scripts) or the sign-in cookie (a browser). */
export function accessOf(c: Context, tokens: Tokens): Access | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (bearer) return accessOfToken(tokens, bearer);
  const cookie = getCookie(c, COOKIE);
  if (!cookie) return undefined;
  if (sameSecret(cookie, digest(tokens.review))) return 'review';
  if (sameSecret(cookie, digest(tokens.console))) return 'read';
  return undefined;
}

/**
 * Pages and the queue board need a token; a browser without one is sent to sign in.
 * A form post must come from the console's own origin (the cookie is SameSite=Strict
 * too): a page elsewhere cannot make a signed-in reviewer approve.
 */
export function requireAccess(tokens: Tokens): MiddlewareHandler<{ Variables: { access: Access } }> {
  return async (c, next) => {
    const access = accessOf(c, tokens);
    if (!access) {
      const browser = (c.req.header('accept') ?? '').includes('text/html');
      return browser && c.req.method === 'GET' ? c.redirect('/console/login') : c.json({ error: { type: 'Unauthorized', message: 'a console or review token is required' } }, 401);
    }
    if (c.req.method === 'POST' && !c.req.header('authorization')) {
      const origin = c.req.header('origin');
      if (origin && origin !== new URL(c.req.url).origin) return c.json({ error: { type: 'Forbidden', message: `a form from ${origin} may not post here` } }, 403);
    }
    c.set('access', access);
    await next();
  };
}
