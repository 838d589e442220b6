import { Box, ThemeProvider } from "@saleor/macaw-ui";

import { useConnection } from "../bridge";
import { RouterProvider } from "../router";
import { Loading } from "../ui";
import { Routes } from "./Routes";
import { StandaloneNotice } from "./StandaloneNotice";
import { ThemeSync } from "./ThemeSync";

export function App() {
  const connection = useConnection();
  return (
    <ThemeProvider>
      <ThemeSync theme={connection.status === "ready" ? connection.theme : null} />
      <Box backgroundColor="default1" __minHeight="100vh" data-testid="app" data-bridge={connection.status}>
        {connection.status === "waiting" ? <Loading label="Connecting to the Saleor dashboard…" /> : null}
        {connection.status === "standalone" ? <StandaloneNotice /> : null}
        {connection.status === "ready" ? (
          <RouterProvider>
            <Routes />
          </RouterProvider>
        ) : null}
      </Box>
    </ThemeProvider>
  );
}
