"use client";
import { useActionState } from "react";
import type { ColumnDef } from "@tanstack/react-table";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { DataTable, type PageInfo, type ServerSort } from "@/components/data-table";
import { SubmitButton } from "@/components/submit-button";
import { formatTime } from "@/lib/format";
import { initialFormState } from "@/lib/forms/form-state";
import { ROLES } from "@/lib/validations/member";
import { changeRoleAction, removeMemberAction } from "./actions";

export interface MemberRow {
  id: string;
  email: string;
  name: string | null;
  role: string;
  createdAt: Date;
  invitePending: boolean;
}

function RoleForm({ member }: { member: MemberRow }) {
  const [state, action] = useActionState(changeRoleAction, initialFormState);
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="id" value={member.id} />
      <label className="sr-only" htmlFor={`role-${member.id}`}>
        Role of {member.email}
      </label>
      <select id={`role-${member.id}`} name="role" defaultValue={member.role} className="input w-auto py-1">
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <SubmitButton className="btn btn-sm">Change</SubmitButton>
      {state.message ? (
        <span role={state.ok ? "status" : "alert"} className={`text-xs ${state.ok ? "text-emerald-700" : "text-red-700"}`}>
          {state.message}
        </span>
      ) : null}
    </form>
  );
}

function columns(selfId: string): ColumnDef<MemberRow>[] {
  return [
    { header: "Email", accessorKey: "email", meta: { priority: 1 } },
    { header: "Name", accessorKey: "name", meta: { priority: 3 }, cell: ({ row }) => row.original.name ?? "—" },
    { header: "Role", accessorKey: "role", meta: { priority: 1 }, cell: ({ row }) => <RoleForm member={row.original} /> },
    { header: "Since", accessorKey: "createdAt", cell: ({ row }) => <span className="whitespace-nowrap">{formatTime(row.original.createdAt)}{row.original.invitePending ? " · invited" : ""}</span> },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      meta: { priority: 1, label: "" },
      cell: ({ row }) =>
        row.original.id === selfId ? (
          <span className="text-xs text-slate-500">you</span>
        ) : (
          <ConfirmDialog
            trigger="Remove"
            triggerClassName="btn btn-sm btn-danger"
            title={`Remove ${row.original.email}?`}
            description="Their account and API tokens are deleted; open sessions stop working at the next request."
            action={removeMemberAction}
            fields={{ id: row.original.id }}
            confirmLabel="Remove member"
          />
        ),
    },
  ];
}

export function MembersTable({ data, selfId, paging, sort }: { data: MemberRow[]; selfId: string; paging?: PageInfo; sort?: ServerSort }) {
  return <DataTable columns={columns(selfId)} data={data} getRowId={(r) => r.id} caption="Members" empty="No member matches this search." paging={paging} serverSort={sort} />;
}
