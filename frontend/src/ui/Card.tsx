import { Box, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

/** A bordered section of a page, with an optional title row (and actions in it). */
export function Card({ children, title, actions, testId }: { children: ReactNode; title?: ReactNode; actions?: ReactNode; testId?: string }) {
  return (
    <Box
      borderWidth={1}
      borderStyle="solid"
      borderColor="default1"
      borderRadius={4}
      backgroundColor="default1"
      padding={6}
      marginBottom={6}
      data-testid={testId}
    >
      {title ? (
        <Box display="flex" justifyContent="space-between" alignItems="center" paddingBottom={4}>
          <Text size={6} fontWeight="bold">
            {title}
          </Text>
          {actions}
        </Box>
      ) : null}
      {children}
    </Box>
  );
}
