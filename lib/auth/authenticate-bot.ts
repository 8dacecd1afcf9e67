/**
 * A bot as the bot API sees it once its `rvb_` token checked out (lib/abuse/count-bot-request.ts
 * looks the token up and counts the request in one statement). Frozen bots authenticate;
 * callers decide.
 */
export interface BotPrincipal {
  id: string;
  orgId: string;
  name: string;
  frozen: boolean;
}
