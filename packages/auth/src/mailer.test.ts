import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createSmtpMailer, inviteMail } from "./mailer";

interface Received {
  from: string | undefined;
  to: string[];
  body: string;
}

const received: Received[] = [];
let server: SMTPServer;
let port: number;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(resolve));
});

describe("SMTP mailer", () => {
  it("delivers an invite mail over SMTP (a real SMTP server on 127.0.0.1)", async () => {
    const mailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
      from: "Runnel <runnel@localhost>",
    });
    const expiresAt = new Date("2030-01-02T03:04:05Z");
    await mailer.send(
      inviteMail({
        to: "bob@example.com",
        orgName: "Acme",
        inviterName: "Ada",
        role: "editor",
        url: "http://localhost:3000/invite/tok123",
        expiresAt,
      }),
    );
    expect(received).toHaveLength(1);
    expect(received[0]?.from).toBe("runnel@localhost");
    expect(received[0]?.to).toEqual(["bob@example.com"]);
    expect(received[0]?.body).toContain("Subject: Ada invited you to Acme on Runnel");
    expect(received[0]?.body).toContain("http://localhost:3000/invite/tok123");
    expect(received[0]?.body).toContain("as editor");
  });
});
