// What to do with a bot token just shown: the CLI's environment and an MCP client entry.
// Neither holds the token (it stays in the shown-once box): they say where to paste it.
import { CopyButton } from "./copy-button";

export interface BotUsageSnippets {
  cli: string;
  mcp: string;
}

export function BotUsage({ usage }: { usage: BotUsageSnippets }) {
  return (
    <div className="space-y-3" data-testid="bot-usage">
      <h3 className="text-sm font-semibold">Use it</h3>
      {(
        [
          ["CLI (runtime-vault exec)", usage.cli],
          ["MCP client configuration (one entry per mount)", usage.mcp],
        ] as const
      ).map(([title, text]) => (
        <div key={title} className="space-y-1">
          <div className="flex items-center justify-between gap-2">
            <h4 className="text-xs font-medium text-slate-700">{title}</h4>
            <CopyButton value={text} />
          </div>
          <pre className="whitespace-pre-wrap break-all rounded bg-slate-900 p-3 text-xs text-slate-100">{text}</pre>
        </div>
      ))}
      <p className="text-xs text-slate-600">Replace the placeholders with the token above and the secret or mount names; nothing here is a secret.</p>
    </div>
  );
}
