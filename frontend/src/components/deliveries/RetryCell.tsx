import { Button, Text } from "@saleor/macaw-ui";
import { RefreshCw } from "lucide-react";

import { api, errorMessages, type Delivery } from "../../api";
import { useMutation } from "../../useMutation";
import { retryBlocker, type RetryHandlers } from "./delivery";

/** A delivery's Retry button, or why it cannot be retried, and what the last retry answered. */
export function RetryCell({ d, retry }: { d: Delivery; retry?: RetryHandlers }) {
  const mutation = useMutation(api.retryDelivery);
  const blocker = retryBlocker(d);
  const error = errorMessages(mutation.errors).join(" ");
  const run = async () => {
    if (!retry) return;
    if (await mutation.run(d.id)) retry.onQueued(d);
    retry.reload();
  };
  return (
    <>
      {retry && d.status === "FAILED" && !blocker ? (
        <Button variant="secondary" size="small" icon={<RefreshCw size={14} />} onClick={run} disabled={mutation.busy}>
          Retry
        </Button>
      ) : null}
      {blocker && d.status === "FAILED" ? (
        <Text as="p" size={1} color="default2" data-testid="retry-blocked">
          {blocker}
        </Text>
      ) : null}
      {error ? (
        <Text as="p" size={1} color="critical1" role="alert">
          {error}
        </Text>
      ) : null}
    </>
  );
}
