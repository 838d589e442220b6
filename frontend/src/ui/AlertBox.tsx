import { Box } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

/** A box that calls for attention (role "alert"): the critical border, a thick left edge. */
export function AlertBox({
  children,
  label,
  testId,
  padding = 6,
}: {
  children: ReactNode;
  label?: string;
  testId?: string;
  padding?: 4 | 6;
}) {
  return (
    <Box
      role="alert"
      aria-label={label}
      data-testid={testId}
      borderWidth={1}
      borderStyle="solid"
      borderColor="critical1"
      backgroundColor="default1"
      borderRadius={4}
      __borderLeftWidth="4px"
      padding={padding}
      marginBottom={6}
    >
      {children}
    </Box>
  );
}
