import type { Metadata } from "next";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@runnel/ui";

import { requireMe } from "~/server/caller";
import { ChangePassword, SignOutEverywhere } from "./account-security";

export const metadata: Metadata = { title: "Account settings" };

export default async function AccountPage() {
  const me = await requireMe();
  return (
    <>
      <Card>
        <CardHeader>
          <CardTitle>Password</CardTitle>
          <CardDescription>
            Signed in as {me.user.email}. Changing the password signs out every other browser.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ChangePassword />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Sessions</CardTitle>
          <CardDescription>
            Ends every session of your account, this one included: each browser is signed out on its
            next request.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <SignOutEverywhere />
        </CardContent>
      </Card>
    </>
  );
}
