// The one place route handlers get auth, parsing and error mapping (dub's withWorkspace).
// Handlers receive an authenticated principal and return JSON; everything thrown
// becomes {"error":{"code","message"}} with the right status.
import type { NextRequest } from "next/server";
import { prisma, sqlPool } from "@/lib/db/prisma";
import { bearerToken, hashToken } from "@/lib/crypto/tokens";
import type { BotPrincipal } from "@/lib/auth/authenticate-bot";
import type { AdminPrincipal } from "@/lib/auth/authenticate-admin";
import { authenticateRequest } from "@/lib/auth/authenticate-request";
import type { Permission } from "@/lib/auth/roles";
import type { Actor } from "@/lib/audit/record-audit-event";
import { refuseOverLimit } from "@/lib/abuse/consume-rate-limit";
import { countBotRequest } from "@/lib/abuse/count-bot-request";
import { rateLimitsFromEnv, type RateLimits } from "@/lib/abuse/limits";
import { ApiError, toErrorResponse } from "./errors";
import { clientIp } from "./request";
import { KeyProviderUnavailableError } from "@/lib/crypto/key-provider-unavailable";
import { auditKeyProviderUnavailable } from "@/lib/keys/audit-key-provider-unavailable";

type RouteContext = { params: Promise<Record<string, string | string[]>> };

interface BaseContext {
  req: NextRequest;
  params: Record<string, string>;
  ip: string | null;
}

async function resolveParams(ctx: RouteContext | undefined): Promise<Record<string, string>> {
  const raw = (await ctx?.params) ?? {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]));
}

function route<C>(build: (base: BaseContext) => Promise<C>, handler: (ctx: C) => Promise<Response>) {
  return async (req: NextRequest, routeCtx?: RouteContext): Promise<Response> => {
    try {
      const base = { req, params: await resolveParams(routeCtx), ip: clientIp(req) };
      const response = await handler(await build(base));
      response.headers.set("cache-control", "no-store");
      return response;
    } catch (err) {
      if (err instanceof KeyProviderUnavailableError) await auditKeyProviderUnavailable(prisma, err);
      const response = toErrorResponse(err);
      response.headers.set("cache-control", "no-store");
      return response;
    }
  };
}

const routeName = (req: NextRequest) => `${req.method} ${new URL(req.url).pathname}`;

export function withPublic(handler: (ctx: BaseContext) => Promise<Response>) {
  return route(async (base) => base, handler);
}

export interface BotContext extends BaseContext {
  bot: BotPrincipal;
}

/**
 * `Authorization: Bearer rvb_…`, counted against the bot's and the IP's budgets in the
 * same round trip. Frozen bots get through; the domain function answers bot_frozen.
 */
export function withBot(handler: (ctx: BotContext) => Promise<Response>) {
  return route(async (base) => {
    const token = bearerToken(base.req.headers.get("authorization"), "rvb_");
    if (!token) throw new ApiError("unauthenticated", "A valid bot token is required");
    const { bot, states } = await countBotRequest(sqlPool(prisma), { tokenHash: hashToken(token), ip: base.ip, limits: rateLimitsFromEnv() });
    // An unknown token spent the address's budget; there is no org to record it in.
    await refuseOverLimit(prisma, states, { orgId: bot?.orgId, botId: bot?.id, ip: base.ip, route: routeName(base.req) });
    if (!bot) throw new ApiError("unauthenticated", "A valid bot token is required");
    return { ...base, bot };
  }, handler);
}

export interface LeaseTokenContext extends BaseContext {
  leaseToken: string;
  budget: { limits: RateLimits; route: string };
}

/**
 * `Authorization: Bearer rvl_…`. The token is checked against the lease, and the request
 * counted against the lease bot's and the IP's budgets, by the domain function's first read.
 */
export function withLeaseToken(handler: (ctx: LeaseTokenContext) => Promise<Response>) {
  return route(async (base) => {
    const leaseToken = bearerToken(base.req.headers.get("authorization"), "rvl_");
    if (!leaseToken) throw new ApiError("unauthenticated", "A valid lease token is required");
    return { ...base, leaseToken, budget: { limits: rateLimitsFromEnv(), route: routeName(base.req) } };
  }, handler);
}

export interface AdminContext extends BaseContext {
  admin: AdminPrincipal;
  /** The admin as recorded in audit events. */
  actor: Actor;
}

/**
 * `Authorization: Bearer rva_…` (or the web session on reads) with a role allowed
 * `permission`; refusals are audited.
 */
export function withAdmin(permission: Permission, handler: (ctx: AdminContext) => Promise<Response>) {
  return route(async (base) => {
    const admin = await authenticateRequest(base.req, permission);
    return { ...base, admin, actor: { type: "user" as const, id: admin.userId } };
  }, handler);
}
