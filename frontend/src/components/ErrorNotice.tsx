import { Box, Text } from "@saleor/macaw-ui";

import { ApiError } from "../api";

/** A refusal or failure of a whole request, with what to do about it. */
export function ErrorNotice({ error, permission }: { error: unknown; permission?: string }) {
  const apiError = error instanceof ApiError ? error : null;
  const denied = apiError?.isPermissionDenied;
  return (
    <Box
      role="alert"
      data-testid={denied ? "permission-denied" : "error"}
      borderWidth={1}
      borderStyle="solid"
      borderColor="critical1"
      backgroundColor="default1"
      borderRadius={4}
      __borderLeftWidth="4px"
      padding={6}
      marginBottom={6}
    >
      <Text as="p" size={5} fontWeight="bold" color="critical1">
        {denied ? "You don't have access to this page" : "Something went wrong"}
      </Text>
      <Text as="p" paddingTop={2}>
        {denied
          ? `Your account needs the ${permission ?? "required"} permission in Saleor. Ask a staff member who manages permission groups to grant it, then reload.`
          : apiError?.message ?? String(error)}
      </Text>
    </Box>
  );
}
