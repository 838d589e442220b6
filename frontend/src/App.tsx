import type { ThemeType } from "@saleor/app-sdk/app-bridge";
import { Box, Text, ThemeProvider, useTheme } from "@saleor/macaw-ui";
import { useEffect } from "react";

import { useConnection } from "./bridge";
import { Loading } from "./components/ui";
import { type EventType, EVENT_LABEL } from "./events";
import { ChannelDetailPage, ChannelsPage } from "./pages/Channels";
import { EventDetailPage } from "./pages/EventDetail";
import { EventsPage } from "./pages/Events";
import { OrderDeliveriesPage } from "./pages/OrderDeliveries";
import { RouterProvider, useRouter } from "./router";

function Tabs({ current }: { current: "events" | "channels" }) {
  const { navigate } = useRouter();
  const tabs = [
    { label: "System notifications", to: "events", active: current === "events" },
    { label: "Channels", to: "channels", active: current === "channels" },
  ];
  return (
    <Box as="nav" display="flex" gap={6} borderBottomWidth={1} borderBottomStyle="solid" borderColor="default1" marginBottom={6}>
      {tabs.map((t) => (
        <Box
          as="button"
          type="button"
          key={t.to}
          onClick={() => navigate(t.to)}
          aria-current={t.active ? "page" : undefined}
          borderWidth={0}
          borderBottomWidth={1}
          __borderBottomWidth="2px"
          borderBottomStyle="solid"
          borderColor={t.active ? "accent1" : "transparent"}
          backgroundColor="default1"
          paddingX={0}
          paddingY={3}
          cursor="pointer"
        >
          <Text fontWeight={t.active ? "bold" : "regular"} color={t.active ? "default1" : "default2"}>
            {t.label}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

function Routes() {
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

/** Follows the dashboard's theme (once it has told it). */
function ThemeSync({ theme }: { theme: ThemeType | null }) {
  const { setTheme } = useTheme();
  useEffect(() => {
    if (theme) setTheme(theme === "dark" ? "defaultDark" : "defaultLight");
  }, [theme, setTheme]);
  return null;
}

export function App() {
  const state = useConnection();
  return (
    <ThemeProvider>
      <ThemeSync theme={state.status === "ready" ? state.theme : null} />
      <Box backgroundColor="default1" __minHeight="100vh" data-testid="app" data-bridge={state.status}>
        {state.status === "waiting" ? <Loading label="Connecting to the Saleor dashboard…" /> : null}
        {state.status === "standalone" ? (
          <Box padding={8} role="alert" data-testid="standalone">
            <Text as="h1" size={7} fontWeight="bold" display="block" paddingBottom={3}>
              Open this page from the Saleor dashboard
            </Text>
            <Text as="p">
              These pages run inside the Saleor dashboard, which signs you in. Install the app from its manifest (see the
              plugin's docs/dashboard.md), then open Fulfillment → System notifications.
            </Text>
          </Box>
        ) : null}
        {state.status === "ready" ? (
          <RouterProvider>
            <Routes />
          </RouterProvider>
        ) : null}
      </Box>
    </ThemeProvider>
  );
}
