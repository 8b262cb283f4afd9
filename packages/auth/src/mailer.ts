import nodemailer from "nodemailer";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail. The API takes one as an argument (invites are mailed only when a mailer is configured). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** A mailer over SMTP, e.g. `smtp://user:pass@mail.example.com:587` or `smtps://...:465`. */
export function createSmtpMailer(options: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(message) {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    },
  };
}

export function inviteMail(input: {
  to: string;
  orgName: string;
  inviterName: string | null;
  role: string;
  url: string;
  expiresAt: Date;
}): MailMessage {
  const who = input.inviterName ?? "Someone";
  return {
    to: input.to,
    subject: `${who} invited you to ${input.orgName} on Runnel`,
    text:
      `${who} invited you to join ${input.orgName} on Runnel as ${input.role}.\n\n` +
      `Accept the invitation: ${input.url}\n\n` +
      `The link works once and expires on ${input.expiresAt.toUTCString()}.\n`,
  };
}
