import { Box, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

/** A page's title, with an optional back button before it and actions at the right. */
export function PageHeader({ title, back, actions }: { title: ReactNode; back?: ReactNode; actions?: ReactNode }) {
  return (
    <Box display="flex" alignItems="center" justifyContent="space-between" gap={4} paddingBottom={6}>
      <Box display="flex" alignItems="center" gap={3}>
        {back}
        <Text as="h1" size={8} fontWeight="bold">
          {title}
        </Text>
      </Box>
      {actions ? (
        <Box display="flex" gap={2}>
          {actions}
        </Box>
      ) : null}
    </Box>
  );
}
