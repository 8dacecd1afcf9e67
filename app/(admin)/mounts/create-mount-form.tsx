"use client";
import { useActionState } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted } from "@/lib/forms/form-state";
import { createMountAction } from "./actions";

export function CreateMountForm({ bots }: { bots: { id: string; name: string }[] }) {
  const [state, action] = useActionState(createMountAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <form action={action} className="card grid gap-3 md:grid-cols-2" aria-labelledby="create-mount-heading" autoComplete="off">
      <h2 id="create-mount-heading" className="font-semibold md:col-span-2">
        Create a mount
      </h2>
      <Field label="Name" name="name" errors={e.name} hint="what the MCP client runs: runtime-vault mcp run <name>">
        {(p) => <input {...p} defaultValue={submitted(state, "name")} className="input" required />}
      </Field>
      <Field label="Bot" name="botId" errors={e.botId} hint="leases are requested as this bot">
        {(p) => (
          <select {...p} defaultValue={submitted(state, "botId")} className="input" required>
            <option value="">Choose a bot…</option>
            {bots.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Command" name="command" errors={e.command} hint="a local MCP server to start, e.g. node (or give a URL)">
        {(p) => <input {...p} defaultValue={submitted(state, "command")} className="input" />}
      </Field>
      <Field label="URL" name="url" errors={e.url} hint="or a remote Streamable HTTP MCP server: https://… (http only on 127.0.0.1/localhost)">
        {(p) => <input {...p} defaultValue={submitted(state, "url")} className="input" inputMode="url" />}
      </Field>
      <Field label="Lease TTL (seconds)" name="ttlSeconds" errors={e.ttlSeconds} hint="optional; the policy and grant maximums still apply">
        {(p) => <input {...p} defaultValue={submitted(state, "ttlSeconds")} className="input" inputMode="numeric" />}
      </Field>
      <Field label="Arguments" name="args" errors={e.args} hint="one per line; {{secret:NAME}} puts a value in an argument">
        {(p) => <textarea {...p} defaultValue={submitted(state, "args")} className="input font-mono" rows={3} />}
      </Field>
      <Field label="Headers" name="headers" errors={e.headers} hint="remote servers, one per line: Authorization: Bearer {{secret:NAME}}">
        {(p) => <textarea {...p} defaultValue={submitted(state, "headers")} className="input font-mono" rows={2} />}
      </Field>
      <Field label="Secrets" name="mappings" errors={e.mappings} hint="one per line: NAME[@scope][=ENV_VAR][:tool,…] (:tools limits which tool calls may use {{secret:NAME}})">
        {(p) => <textarea {...p} defaultValue={submitted(state, "mappings")} className="input font-mono" rows={3} required />}
      </Field>
      <Field label="Justification" name="justificationTemplate" errors={e.justificationTemplate} hint="recorded with every lease this mount requests">
        {(p) => <input {...p} defaultValue={submitted(state, "justificationTemplate")} className="input" required />}
      </Field>
      <div className="flex flex-wrap items-center gap-3 md:col-span-2">
        <SubmitButton>Create mount</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
