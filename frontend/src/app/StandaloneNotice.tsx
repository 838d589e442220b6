import { Box, Text } from "@saleor/macaw-ui";

/** The page opened outside the Saleor dashboard. */
export function StandaloneNotice() {
  return (
    <Box padding={8} role="alert" data-testid="standalone">
      <Text as="h1" size={7} fontWeight="bold" display="block" paddingBottom={3}>
        Open this page from the Saleor dashboard
      </Text>
      <Text as="p">
        These pages run inside the Saleor dashboard, which signs you in. Install the app from its manifest (see the
        plugin's docs/dashboard.md), then open Fulfillment → System notifications.
      </Text>
    </Box>
  );
}
