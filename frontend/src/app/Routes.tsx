import { Box } from "@saleor/macaw-ui";

import { EVENT_LABEL, type EventType } from "../events";
import { ChannelDetailPage } from "../pages/channels/ChannelDetailPage";
import { ChannelsPage } from "../pages/channels/ChannelsPage";
import { EventDetailPage } from "../pages/event/EventDetailPage";
import { EventsPage } from "../pages/events/EventsPage";
import { OrderDeliveriesPage } from "../pages/order/OrderDeliveriesPage";
import { useRouter } from "../router";
import { Tabs } from "./Tabs";

/** The page of the route: the order's (widget or popup) on its own, the others under the tabs. */
export function Routes() {
  const { route, query } = useRouter();
  if (route === "order" || route === "order/deliveries") {
    return <OrderDeliveriesPage orderId={query.get("orderId")} full={route === "order/deliveries"} />;
  }
  let page;
  const [section, id] = route.split("/");
  if (section === "channels" && id) page = <ChannelDetailPage id={decodeURIComponent(id)} />;
  else if (section === "channels") page = <ChannelsPage />;
  else if (section === "events" && id && id in EVENT_LABEL) page = <EventDetailPage type={id as EventType} />;
  else page = <EventsPage />;
  return (
    <Box padding={6} __maxWidth="1120px" marginX="auto">
      {/* The tab of the page shown: any route that is not a channel's shows System notifications. */}
      <Tabs current={section === "channels" ? "channels" : "events"} />
      {page}
    </Box>
  );
}
