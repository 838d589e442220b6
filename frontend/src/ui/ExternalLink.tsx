import { Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

/** A link that opens in a new tab, outside the dashboard's frame (a document, another site). */
export function ExternalLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" style={{ color: "inherit" }}>
      <Text color="default1" textDecoration="underline">
        {children}
      </Text>
    </a>
  );
}
