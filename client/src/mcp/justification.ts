// What a mount's leases say about why they were taken (the audit trail's justification).
import type { BotMount } from "../sdk/types.ts";

const MAX_JUSTIFICATION = 2000;

/** The mount's template with {{mount}} and {{tool}} filled in, tagged with what triggered the lease. */
export function mountJustification(
  mount: Pick<BotMount, "name" | "justificationTemplate">,
  event: { tool?: string; renewal?: boolean; reference?: string } = {},
): string {
  const tool = event.tool?.replace(/[^\x20-\x7e]/g, "?").slice(0, 128);
  const base = mount.justificationTemplate.replaceAll("{{mount}}", mount.name).replaceAll("{{tool}}", tool ?? "launch");
  const what = tool ? `${event.reference ? `${event.reference} in ` : ""}tool call ${tool}` : event.renewal ? "renewal" : "launch";
  return `${base} [mcp mount ${mount.name}: ${what}]`.slice(0, MAX_JUSTIFICATION);
}
