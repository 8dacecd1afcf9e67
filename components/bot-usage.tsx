// What to do with a bot token just shown: the CLI's environment and an MCP client entry.
// Neither holds the token (it stays in the shown-once box): they say where to paste it.
import { CopyButton } from "./copy-button";

export interface BotUsageSnippets {
  cli: string;
  mcp: string;
}

export function BotUsage({ usage }: { usage: BotUsageSnippets }) {
  return (
    // Folded: the token's own Copy button stays the one obvious action.
    <details className="space-y-3 text-sm" data-testid="bot-usage">
      <summary className="cursor-pointer font-medium text-indigo-700">How to use this token (CLI and MCP client)</summary>
      {(
        [
          ["CLI (runtime-vault exec)", usage.cli],
          ["MCP client configuration (one entry per mount)", usage.mcp],
        ] as const
      ).map(([title, text]) => (
        <div key={title} className="mt-2 space-y-1">
          <div className="flex items-center justify-between gap-2">
            <h4 className="text-xs font-medium text-slate-700">{title}</h4>
            <CopyButton value={text} />
          </div>
          <pre className="whitespace-pre-wrap break-all rounded bg-slate-900 p-3 text-xs text-slate-100">{text}</pre>
        </div>
      ))}
      <p className="text-xs text-slate-600">Replace the placeholders with the token above and the secret or mount names; nothing here is a secret.</p>
    </details>
  );
}
