"use client";
import { useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Checkbox } from "@/components/field";
import { ShownOnce } from "@/components/shown-once";
import { BotUsage, type BotUsageSnippets } from "@/components/bot-usage";
import { deleteBotAction, rotateBotTokenAction, setFrozenAction } from "../actions";
import { incidentAction } from "../../leases/actions";

export function BotControls({ bot, canWrite, canFreeze, canRevoke, usage }: { bot: { id: string; name: string; frozen: boolean }; canWrite: boolean; canFreeze: boolean; canRevoke: boolean; usage: BotUsageSnippets }) {
  const [token, setToken] = useState<string | null>(null);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {bot.frozen ? (
          canWrite ? (
            <ConfirmDialog trigger="Unfreeze" title={`Unfreeze ${bot.name}?`} description="It can request leases again." action={setFrozenAction} fields={{ id: bot.id, frozen: "0" }} confirmLabel="Unfreeze" />
          ) : null
        ) : canFreeze ? (
          <ConfirmDialog
            trigger="Freeze"
            title={`Freeze ${bot.name}?`}
            description="Its active leases are revoked at once and it cannot request new ones until unfrozen."
            action={setFrozenAction}
            fields={{ id: bot.id, frozen: "1" }}
            reason="optional"
            confirmLabel="Freeze bot"
          />
        ) : null}
        {canRevoke ? (
          <ConfirmDialog
            trigger="Revoke all its leases"
            title={`Revoke every lease of ${bot.name}?`}
            description="Its next resolve answers 410; pending requests are cancelled."
            action={incidentAction}
            fields={{ kind: "bot", botId: bot.id }}
            reason="required"
            confirmLabel="Revoke all"
          >
            <Checkbox name="freezeBots" label="Also freeze this bot" />
          </ConfirmDialog>
        ) : null}
        {canWrite ? (
          <ConfirmDialog
            trigger="Rotate token"
            title={`Issue a new token for ${bot.name}?`}
            description="The current token stops working immediately; update the bot's configuration with the new one."
            action={rotateBotTokenAction}
            fields={{ id: bot.id }}
            confirmLabel="Rotate token"
            onDone={(s) => setToken(s.secretOnce ?? null)}
          />
        ) : null}
        {canWrite ? (
          <ConfirmDialog
            trigger="Delete bot"
            triggerClassName="btn btn-sm btn-danger"
            title={`Delete ${bot.name}?`}
            description="Its token, grants and leases are removed. The audit trail keeps its history."
            action={deleteBotAction}
            fields={{ id: bot.id }}
            confirmText={bot.name}
            confirmLabel="Delete bot"
          />
        ) : null}
      </div>
      {token ? (
        <div className="space-y-2">
          <ShownOnce label="New bot token" value={token} />
          <BotUsage usage={usage} />
        </div>
      ) : null}
    </div>
  );
}
