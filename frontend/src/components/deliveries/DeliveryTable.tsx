import type { DeliveriesProps } from "./delivery";
import { DeliveryGrid } from "./DeliveryGrid";
import { DeliveryList } from "./DeliveryList";
import { useCompact } from "./useCompact";

/** The deliveries as a table, or as a list of blocks where the frame is narrow (the order widget). */
export function DeliveryTable(props: DeliveriesProps) {
  const compact = useCompact();
  return compact ? <DeliveryList {...props} /> : <DeliveryGrid {...props} />;
}
