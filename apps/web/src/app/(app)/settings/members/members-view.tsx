"use client";

import type { FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link2, UserMinus, X } from "lucide-react";
import { useState } from "react";

import {
  Alert,
  Badge,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  FormField,
  Input,
  Label,
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@runnel/ui";

import type { Role } from "~/lib/roles";
import { ConfirmButton } from "~/components/confirm-button";
import { CopyField } from "~/components/copy-field";
import { formText } from "~/lib/form";
import { formatDateTime } from "~/lib/format";
import { atLeast, ROLES } from "~/lib/roles";
import { fieldErrorsOf, formErrorOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function MembersView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const members = useQuery(trpc.orgs.members.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.orgs.members.queryKey() });
  const setRole = useMutation(trpc.orgs.setRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.orgs.removeMember.mutationOptions({ onSuccess: refresh }));
  const revokeInvite = useMutation(trpc.orgs.revokeInvite.mutationOptions({ onSuccess: refresh }));

  const myRole = me.data?.activeOrg.role;
  const canManage = myRole ? atLeast(myRole, "admin") : false;
  const actionError = formErrorOf(setRole.error ?? remove.error ?? revokeInvite.error);

  if (members.error) return <Alert variant="danger">{members.error.message}</Alert>;
  if (!members.data || !me.data) return <p className="text-sm text-fg-muted">Loading members…</p>;

  return (
    <div className="flex flex-col gap-6">
      {canManage ? <InviteCard onInvited={refresh} canGrantOwner={myRole === "owner"} /> : null}
      <Card>
        <CardHeader>
          <CardTitle>Members</CardTitle>
          <CardDescription>
            People in {me.data.activeOrg.name} and what they may do.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {actionError ? <Alert variant="danger">{actionError}</Alert> : null}
          <Table>
            <TableCaption>Members of {me.data.activeOrg.name}</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Email</TableHead>
                <TableHead>Role</TableHead>
                <TableHead>Joined</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.data.members.map((member) => {
                const who = member.name ?? member.email;
                const isMe = member.userId === me.data.user.id;
                const editable =
                  canManage && !isMe && (myRole === "owner" || member.role !== "owner");
                return (
                  <TableRow key={member.userId} data-testid={`member-${member.email}`}>
                    <TableCell className="font-medium">
                      {who} {isMe ? <Badge>you</Badge> : null}
                    </TableCell>
                    <TableCell>{member.email}</TableCell>
                    <TableCell>
                      {editable ? (
                        <Select
                          value={member.role}
                          onValueChange={(role) => {
                            if (isRole(role)) setRole.mutate({ userId: member.userId, role });
                          }}
                        >
                          <SelectTrigger aria-label={`Role of ${who}`} className="w-32">
                            <SelectValue />
                          </SelectTrigger>
                          <SelectContent>
                            {ROLES.filter((role) => role !== "owner" || myRole === "owner").map(
                              (role) => (
                                <SelectItem key={role} value={role}>
                                  {role}
                                </SelectItem>
                              ),
                            )}
                          </SelectContent>
                        </Select>
                      ) : (
                        <Badge>{member.role}</Badge>
                      )}
                    </TableCell>
                    <TableCell>{formatDateTime(member.joinedAt)}</TableCell>
                    <TableCell className="text-right">
                      {editable ? (
                        <ConfirmButton
                          label={`Remove ${who}`}
                          title={`Remove ${who}?`}
                          description={`${who} loses access to ${me.data.activeOrg.name} at once.`}
                          confirmLabel="Remove member"
                          onConfirm={() => remove.mutate({ userId: member.userId })}
                          pending={remove.isPending}
                        >
                          <UserMinus aria-hidden="true" />
                          Remove
                        </ConfirmButton>
                      ) : null}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      {members.data.invitations.length > 0 ? (
        <Card>
          <CardHeader>
            <CardTitle>Pending invitations</CardTitle>
            <CardDescription>Links that have not been used yet.</CardDescription>
          </CardHeader>
          <CardContent>
            <Table>
              <TableCaption>Pending invitations</TableCaption>
              <TableHeader>
                <TableRow>
                  <TableHead>For</TableHead>
                  <TableHead>Role</TableHead>
                  <TableHead>Expires</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {members.data.invitations.map((invite) => (
                  <TableRow key={invite.id}>
                    <TableCell>{invite.email ?? "Anyone with the link"}</TableCell>
                    <TableCell>
                      <Badge>{invite.role}</Badge>
                    </TableCell>
                    <TableCell>{formatDateTime(invite.expiresAt)}</TableCell>
                    <TableCell className="text-right">
                      {canManage ? (
                        <Button
                          variant="secondary"
                          size="sm"
                          aria-label={`Revoke invitation for ${invite.email ?? `the ${invite.role} link`}`}
                          disabled={revokeInvite.isPending}
                          onClick={() => revokeInvite.mutate({ id: invite.id })}
                        >
                          <X aria-hidden="true" />
                          Revoke
                        </Button>
                      ) : null}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}

function InviteCard({
  onInvited,
  canGrantOwner,
}: {
  onInvited: () => void;
  canGrantOwner: boolean;
}) {
  const trpc = useTRPC();
  const invite = useMutation(trpc.orgs.invite.mutationOptions({ onSuccess: onInvited }));
  const [role, setRole] = useState<Role>("editor");
  const fieldErrors = fieldErrorsOf(invite.error);
  const formError = formErrorOf(invite.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = formText(new FormData(event.currentTarget), "email").trim();
    invite.mutate(email ? { role, email } : { role });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Invite a member</CardTitle>
        <CardDescription>
          Create a single-use link to share. With SMTP configured it is also mailed to the address
          you give.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {formError ? <Alert variant="danger">{formError}</Alert> : null}
        <form
          noValidate
          onSubmit={onSubmit}
          className="grid items-end gap-4 sm:grid-cols-[1fr_12rem_auto]"
        >
          <FormField id="invite-email" label="Email (optional)" error={fieldErrors.email}>
            <Input name="email" type="email" autoComplete="off" />
          </FormField>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="invite-role">Role</Label>
            <Select value={role} onValueChange={(value) => isRole(value) && setRole(value)}>
              <SelectTrigger id="invite-role">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {ROLES.filter((r) => r !== "owner" || canGrantOwner).map((r) => (
                  <SelectItem key={r} value={r}>
                    {r}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          <Button type="submit" disabled={invite.isPending}>
            <Link2 aria-hidden="true" />
            Create invite link
          </Button>
        </form>
        {invite.data ? (
          <Alert variant="success">
            <p className="mb-2">
              Invite link created. Share it with the person you invite; it works once and expires on{" "}
              {formatDateTime(invite.data.expiresAt)}.
            </p>
            <CopyField id="invite-link" label="Invite link" value={invite.data.url} />
            {invite.data.mailed ? (
              <p className="mt-2">It was also mailed to the address you gave.</p>
            ) : null}
          </Alert>
        ) : null}
        {invite.data?.mailError ? <Alert variant="danger">{invite.data.mailError}</Alert> : null}
      </CardContent>
    </Card>
  );
}
