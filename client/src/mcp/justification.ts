// What a mount's leases say about why they were taken (the audit trail's justification).
import type { BotMount } from "../sdk/types.ts";

const MAX_JUSTIFICATION = 2000;

/** A tool name as the justification and the lease record carry it: printable ASCII, at most 128. */
export function cleanToolName(tool: string | undefined): string | undefined {
  return tool?.replace(/[^\x20-\x7e]/g, "?").slice(0, 128);
}

/** The mount's template with {{mount}} and {{tool}} filled in, tagged with what triggered the lease. */
export function mountJustification(
  mount: Pick<BotMount, "name" | "justificationTemplate">,
  event: { tool?: string; renewal?: boolean; reference?: string } = {},
): string {
  const tool = cleanToolName(event.tool);
  const base = mount.justificationTemplate.replaceAll("{{mount}}", mount.name).replaceAll("{{tool}}", tool ?? "launch");
  const what = tool ? `${event.reference ? `${event.reference} in ` : ""}tool call ${tool}` : event.renewal ? "renewal" : "launch";
  return `${base} [mcp mount ${mount.name}: ${what}]`.slice(0, MAX_JUSTIFICATION);
}
