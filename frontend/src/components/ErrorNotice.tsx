import { Text } from "@saleor/macaw-ui";

import { ApiError } from "../api";
import { AlertBox } from "../ui";

/** A refusal or failure of a whole request, with what to do about it. */
export function ErrorNotice({ error, permission }: { error: unknown; permission?: string }) {
  const apiError = error instanceof ApiError ? error : null;
  const denied = apiError?.isPermissionDenied;
  return (
    <AlertBox testId={denied ? "permission-denied" : "error"}>
      <Text as="p" size={5} fontWeight="bold" color="critical1">
        {denied ? "You don't have access to this page" : "Something went wrong"}
      </Text>
      <Text as="p" paddingTop={2}>
        {denied
          ? `Your account needs the ${permission ?? "required"} permission in Saleor. Ask a staff member who manages permission groups to grant it, then reload.`
          : apiError?.message ?? String(error)}
      </Text>
    </AlertBox>
  );
}
