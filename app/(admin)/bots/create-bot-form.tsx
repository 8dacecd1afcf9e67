"use client";
import Link from "next/link";
import { useActionState } from "react";
import { Field } from "@/components/field";
import { FormMessage } from "@/components/form-message";
import { ShownOnce } from "@/components/shown-once";
import { BotUsage, type BotUsageSnippets } from "@/components/bot-usage";
import { SubmitButton } from "@/components/submit-button";
import { initialFormState, submitted } from "@/lib/forms/form-state";
import { createBotAction } from "./actions";

export function CreateBotForm({ usage }: { usage?: BotUsageSnippets }) {
  const [state, action] = useActionState(createBotAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <form action={action} className="card grid gap-3 md:grid-cols-2" aria-labelledby="create-bot-heading" autoComplete="off">
      <h2 id="create-bot-heading" className="font-semibold md:col-span-2">
        Create a bot
      </h2>
      <Field label="Name" name="name" errors={e.name} hint="lower-case letters, digits and dashes, e.g. accounting-bot">
        {(p) => <input {...p} defaultValue={submitted(state, "name")} className="input" required />}
      </Field>
      <Field label="Description" name="description" errors={e.description}>
        {(p) => <input {...p} defaultValue={submitted(state, "description")} className="input" />}
      </Field>
      <Field label="Environment" name="environment" errors={e.environment} hint="the scope its leases use when a request names none, e.g. production or test">
        {(p) => <input {...p} defaultValue={submitted(state, "environment") || "default"} className="input" />}
      </Field>
      <div className="flex flex-wrap items-center gap-3 md:col-span-2">
        <SubmitButton>Create bot</SubmitButton>
        <FormMessage state={state} />
      </div>
      {state.ok && state.secretOnce ? (
        <div className="space-y-2 md:col-span-2">
          <ShownOnce label="Bot token" value={state.secretOnce} />
          {usage ? <BotUsage usage={usage} /> : null}
          <Link className="link text-sm" href={`/bots/${String(state.data?.botId)}`}>
            Set this bot’s permissions →
          </Link>
        </div>
      ) : null}
    </form>
  );
}
