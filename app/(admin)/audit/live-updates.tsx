"use client";
// Keeps the first page of the timeline current. Prefers the server's event stream
// (GET /api/v1/events) and falls back to polling the chain head while the stream is
// unavailable. The stream is read with fetch, not EventSource: the server names each
// event after its audit type, an open-ended set, and EventSource only reports the
// names it was told in advance; any event at all is a reason to refresh.
import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { createSseParser } from "@/lib/events/sse-parser";
import { latestAuditSeq } from "./actions";

const POLL_MS = 4000;
const RECONNECT_MS = 5000;

/** `headSeq`: the org's newest audit seq when the page was rendered (not the newest shown: filters hide some). */
export function LiveUpdates({ headSeq, enabled }: { headSeq: number; enabled: boolean }) {
  const router = useRouter();
  const head = useRef(headSeq);
  const [mode, setMode] = useState<"stream" | "polling" | "paused">(enabled ? "polling" : "paused");
  head.current = Math.max(head.current, headSeq);

  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    let stopped = false;
    let refreshQueued = false;
    let streaming = false;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;

    const refresh = () => {
      if (refreshQueued || stopped) return;
      refreshQueued = true;
      // Coalesce bursts (an incident revoke writes many events at once).
      setTimeout(() => {
        refreshQueued = false;
        if (!stopped) router.refresh();
      }, 300);
    };
    const seen = (seq: number) => {
      if (!(seq <= head.current)) {
        head.current = seq;
        refresh();
      }
    };
    const poll = async () => {
      pollTimer = undefined;
      if (stopped || streaming) return;
      try {
        const latest = await latestAuditSeq();
        if (latest !== null) seen(latest);
      } catch {
        // Offline for a moment: try again on the next tick.
      }
      if (!stopped && !streaming) pollTimer = setTimeout(poll, POLL_MS);
    };
    const startPolling = () => {
      setMode("polling");
      if (!pollTimer) pollTimer = setTimeout(poll, 0);
    };

    const stream = async () => {
      // `after` replays whatever committed between the render and this connection.
      const res = await fetch(`/api/v1/events?after=${head.current}`, { headers: { accept: "text/event-stream" }, cache: "no-store", signal: abort.signal });
      if (!res.ok || !res.body) return res.status;
      streaming = true;
      if (pollTimer) clearTimeout(pollTimer);
      pollTimer = undefined;
      setMode("stream");
      const feed = createSseParser((m) => {
        const seq = Number(m.id);
        // Every event carries its seq as id; one without is still news.
        if (m.id !== null && Number.isSafeInteger(seq)) seen(seq);
        else refresh();
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          feed(value);
        }
      } finally {
        streaming = false;
      }
      return res.status;
    };

    (async () => {
      while (!stopped) {
        let status = 0;
        try {
          status = await stream();
        } catch {
          // Network cut or server restart: poll until the stream is back.
        }
        if (stopped) break;
        startPolling();
        // A refusal will not change by retrying; polling (which checks the session) carries on.
        if (status === 401 || status === 403) break;
        await new Promise((r) => setTimeout(r, RECONNECT_MS));
      }
    })();

    return () => {
      stopped = true;
      abort.abort();
      if (pollTimer) clearTimeout(pollTimer);
    };
  }, [enabled, router]);

  return (
    <p className="text-xs text-slate-500" aria-live="polite" data-live-mode={mode}>
      {mode === "paused" ? "Live updates paused on older pages." : mode === "stream" ? "Live: streaming new events." : "Live: checking for new events every few seconds."}
    </p>
  );
}
