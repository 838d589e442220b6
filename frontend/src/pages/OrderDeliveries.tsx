import { useWidgetAutoResize } from "@saleor/app-sdk/app-bridge";
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useRef, useState } from "react";

import { api, errorMessage, type Delivery } from "../api";
import { useBridge } from "../bridge";
import { DeliveryTable } from "../components/Deliveries";
import { ErrorNotice, FormErrors, Loading, usePolling } from "../components/ui";

/** This order's deliveries, as the order page's widget (compact) or its "more actions" popup (full). */
export function OrderDeliveriesPage({ orderId, full }: { orderId: string | null; full: boolean }) {
  const { notify } = useBridge();
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [generalErrors, setGeneralErrors] = useState<string[]>([]);
  const root = useRef<HTMLDivElement>(null);
  // The dashboard sizes the widget's frame to the page.
  useWidgetAutoResize(root);

  const load = useCallback(() => {
    if (!orderId) return;
    api.deliveries({ orderId }, full ? 100 : 50).then((list) => {
      setDeliveries(list);
      setError(null);
    }, setError);
  }, [orderId, full]);
  useEffect(load, [load]);
  usePolling(Boolean(deliveries?.some((d) => d.status === "PENDING")), 2000, load);


  const retry = async (d: Delivery) => {
    setBusyId(d.id);
    setRowErrors((e) => ({ ...e, [d.id]: "" }));
    try {
      const result = await api.retryDelivery(d.id);
      if (result.errors.length) setRowErrors((e) => ({ ...e, [d.id]: result.errors.map((x) => x.message).join(" ") }));
      else notify("info", "Retry queued", `${d.channelName} will be sent this notification again.`);
    } catch (err) {
      setRowErrors((e) => ({ ...e, [d.id]: errorMessage(err) }));
    } finally {
      setBusyId(null);
      load();
    }
  };

  const retryAll = async () => {
    if (!orderId) return;
    setGeneralErrors([]);
    try {
      const result = await api.retryOrder(orderId);
      if (result.errors.length) setGeneralErrors(result.errors.map((e) => e.message));
      else notify("info", "Retry queued", `${result.deliveries?.length ?? 0} failed deliveries will be sent again.`);
    } catch (err) {
      setGeneralErrors([errorMessage(err)]);
    }
    load();
  };

  const retryable = deliveries?.filter((d) => d.canRetry).length ?? 0;
  return (
    <Box ref={root} padding={full ? 6 : 2} data-testid="order-deliveries">
      {full ? (
        <Text as="h1" size={7} fontWeight="bold" paddingBottom={4} display="block">
          Notification deliveries of this order
        </Text>
      ) : null}
      {!orderId ? (
        <Text color="default2">Open this from an order's page.</Text>
      ) : error ? (
        <ErrorNotice error={error} permission="Manage orders (MANAGE_ORDERS)" />
      ) : !deliveries ? (
        <Loading />
      ) : deliveries.length === 0 ? (
        <Text color="default2" data-testid="no-deliveries">
          No notification was sent for this order.
        </Text>
      ) : (
        <>
          <FormErrors messages={generalErrors} />
          <DeliveryTable deliveries={deliveries} onRetry={retry} busyId={busyId} rowErrors={rowErrors} />
          {full && retryable > 1 ? (
            <Box display="flex" justifyContent="flex-end" paddingTop={4}>
              <Button variant="secondary" onClick={retryAll}>
                Retry all failed ({retryable})
              </Button>
            </Box>
          ) : null}
        </>
      )}
    </Box>
  );
}
