import { useWidgetAutoResize } from "@saleor/app-sdk/app-bridge";
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useRef, useState } from "react";

import { api, errorMessages, type Delivery } from "../../api";
import { useBridge } from "../../bridge";
import { DeliveryTable } from "../../components/deliveries/DeliveryTable";
import { ErrorNotice } from "../../components/ErrorNotice";
import { FormErrors, Loading, usePolling } from "../../ui";
import { useMutation } from "../../useMutation";

/** This order's deliveries, as the order page's widget (compact) or its "more actions" popup (full). */
export function OrderDeliveriesPage({ orderId, full }: { orderId: string | null; full: boolean }) {
  const { notify } = useBridge();
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const retryOrder = useMutation(api.retryOrder);
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

  const retry = {
    onQueued: (d: Delivery) => notify("info", "Retry queued", `${d.channelName} will be sent this notification again.`),
    reload: load,
  };

  const retryAll = async () => {
    if (!orderId) return;
    const result = await retryOrder.run(orderId);
    if (result) notify("info", "Retry queued", `${result.deliveries?.length ?? 0} failed deliveries will be sent again.`);
    load();
  };

  const retryable = deliveries?.filter((d) => d.canRetry).length ?? 0;
  const body = () => {
    if (!orderId) return <Text color="default2">Open this from an order's page.</Text>;
    if (error) return <ErrorNotice error={error} permission="Manage orders (MANAGE_ORDERS)" />;
    if (!deliveries) return <Loading />;
    if (deliveries.length === 0)
      return (
        <Text color="default2" data-testid="no-deliveries">
          No notification was sent for this order.
        </Text>
      );
    return (
      <>
        <FormErrors messages={errorMessages(retryOrder.errors)} />
        <DeliveryTable deliveries={deliveries} retry={retry} detailsLabel="View payload" />
        {full && retryable > 1 ? (
          <Box display="flex" justifyContent="flex-end" paddingTop={4}>
            <Button variant="secondary" onClick={retryAll}>
              Retry all failed ({retryable})
            </Button>
          </Box>
        ) : null}
      </>
    );
  };
  return (
    <Box ref={root} padding={full ? 6 : 2} data-testid="order-deliveries">
      {full ? (
        <Text as="h1" size={7} fontWeight="bold" paddingBottom={4} display="block">
          Notification deliveries of this order
        </Text>
      ) : null}
      {body()}
    </Box>
  );
}
