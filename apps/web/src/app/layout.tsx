import type { ReactNode } from "react";

import "./globals.css";

export const metadata = { title: "Runnel", description: "AI workflow automation" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
