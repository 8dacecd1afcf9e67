// One audit event as an RFC 5424 syslog message whose MSG is the event's JSON:
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - {"orgId":…,"seq":…,…}
// PRI from the configured facility and the event's outcome (success: informational,
// denied: warning, failure: error); TIMESTAMP the event's createdAt; MSGID its type.
// The JSON is escaped to plain ASCII, so MSG needs no BOM (RFC 5424 MSG-ANY), holds no
// line break, and reads the same whatever the receiver assumes about its encoding.
import type { SinkRecord } from "./sink-record";

const SEVERITY: Record<string, number> = { success: 6, denied: 4, failure: 3 };

export interface SyslogHeader {
  facility: number;
  hostname: string;
  appName: string;
  procId: string;
}

/** JSON.stringify with every character outside printable ASCII as a \u escape. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

export function formatSyslogMessage(record: SinkRecord, header: SyslogHeader): string {
  const pri = header.facility * 8 + (SEVERITY[record.outcome] ?? 5);
  // MSGID is 1–32 printable ASCII characters; event types are, but never trust that.
  const msgId = /^[!-~]{1,32}$/.test(record.type) ? record.type : "-";
  return `<${pri}>1 ${record.createdAt} ${header.hostname} ${header.appName} ${header.procId} ${msgId} - ${asciiJson(record)}`;
}
