"use client";
// Keeps the first page of the timeline current. Prefers the server's event stream
// (GET /api/v1/events, SSE) and falls back to polling the chain head when the
// stream is unavailable or refuses the session.
import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { latestAuditSeq } from "./actions";

const POLL_MS = 4000;

export function LiveUpdates({ newestSeq, enabled }: { newestSeq: number | null; enabled: boolean }) {
  const router = useRouter();
  const seen = useRef(newestSeq);
  const [mode, setMode] = useState<"stream" | "polling" | "paused">(enabled ? "polling" : "paused");
  seen.current = newestSeq;

  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let refreshQueued = false;
    const refresh = () => {
      if (refreshQueued) return;
      refreshQueued = true;
      // Coalesce bursts (an incident revoke writes many events at once).
      setTimeout(() => {
        refreshQueued = false;
        if (!stopped) router.refresh();
      }, 300);
    };
    const poll = async () => {
      if (stopped) return;
      try {
        const latest = await latestAuditSeq();
        if (latest !== null && latest !== seen.current) refresh();
      } catch {
        // Offline for a moment: try again on the next tick.
      }
      timer = setTimeout(poll, POLL_MS);
    };
    let source: EventSource | null = null;
    try {
      source = new EventSource("/api/v1/events");
      source.onopen = () => setMode("stream");
      source.onmessage = refresh;
      source.addEventListener("audit", refresh);
      source.onerror = () => {
        source?.close();
        source = null;
        setMode("polling");
        if (!timer) poll();
      };
    } catch {
      poll();
    }
    return () => {
      stopped = true;
      source?.close();
      if (timer) clearTimeout(timer);
    };
  }, [enabled, router]);

  return (
    <p className="text-xs text-slate-500" aria-live="polite">
      {mode === "paused" ? "Live updates paused on older pages." : mode === "stream" ? "Live: streaming new events." : "Live: checking for new events every few seconds."}
    </p>
  );
}
