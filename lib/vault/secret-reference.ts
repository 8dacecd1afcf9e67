// The text an agent puts in tool arguments for the relay to replace with the value.
// Without `@scope` the relay leases in the bot's environment (as a lease request that
// names no scope), so the scope is written out whenever it is another one.
export function secretReference(name: string, scope: string, environment: string): string {
  return `{{secret:${name}${scope === environment ? "" : `@${scope}`}}}`;
}
