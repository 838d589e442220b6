import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

import { useBridge } from "./bridge";
import { config } from "./config";

/** Paths inside the app, relative to /plugins/global/saleor.notify/app/ (e.g. "events/ORDER_COMPLETED"). */
const appBasePath = new URL(config.appBase, window.location.href).pathname;

function currentRoute(): string {
  const path = window.location.pathname;
  return path.startsWith(appBasePath) ? path.slice(appBasePath.length).replace(/\/+$/, "") : "";
}

type RouterValue = { route: string; query: URLSearchParams; navigate: (route: string) => void };
const RouterContext = createContext<RouterValue | null>(null);

export function RouterProvider({ children }: { children: ReactNode }) {
  const [route, setRoute] = useState(currentRoute);
  const { updateRoute } = useBridge();

  useEffect(() => {
    const onPop = () => setRoute(currentRoute());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const navigate = (next: string) => {
    const clean = next.replace(/^\/+/, "");
    // Keep the dashboard's query (id, saleorApiUrl, theme...) for a reload of the iframe.
    window.history.pushState(null, "", `${appBasePath}${clean}${window.location.search}`);
    setRoute(clean);
    window.scrollTo(0, 0);
    updateRoute(`/${clean}`);
  };
  const query = new URLSearchParams(window.location.search);
  return <RouterContext.Provider value={{ route, query, navigate }}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (!value) throw new Error("useRouter outside RouterProvider");
  return value;
}
