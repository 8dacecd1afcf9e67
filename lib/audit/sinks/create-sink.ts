// A configured sink (sink-config.ts) as the object that writes to it.
import type { AuditSink } from "./audit-sink";
import { FileSink } from "./file-sink";
import { HttpSink } from "./http-sink";
import type { SinkSpec } from "./sink-config";
import { SyslogSink } from "./syslog-sink";

export function createSink(spec: SinkSpec): AuditSink {
  if (spec.kind === "file") return new FileSink(spec);
  if (spec.kind === "syslog") return new SyslogSink(spec);
  return new HttpSink(spec);
}
