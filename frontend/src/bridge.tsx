import { actions, AppBridge, AppBridgeProvider, AppContext, useAppBridge, type ThemeType } from "@saleor/app-sdk/app-bridge";
import { useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { setTokenSource } from "./api";

/**
 * The dashboard side: Saleor's dashboard loads these pages in an iframe and hands them,
 * through AppBridge (postMessage), a token of this app for the logged-in staff user. The
 * pages send it to the plugin's API, which asks Saleor who it is and what it may do.
 *
 * The app-sdk's AppBridgeProvider and useAppBridge do the work; this adds what they leave to
 * the app: the page opened outside a frame (or never greeted by a dashboard) is "standalone",
 * and the dashboard is told the page is ready only once the provider listens for its answer.
 */

/** The page's one AppBridge; none when the page is not in a frame. */
const appBridge = window.parent !== window ? new AppBridge({ autoNotifyReady: false }) : undefined;
// Each request reads the token as it is then (the dashboard refreshes it).
setTokenSource(() => appBridge?.getState().token);

/** How long to wait for the dashboard's handshake before saying the page is not in a dashboard. */
const HANDSHAKE_WAIT_MS = 6000;

/** In no frame: a context without a bridge (the SDK's provider would make one). */
const NO_BRIDGE = { appBridge: undefined, mounted: true };

let readySent = false;

export function BridgeProvider({ children }: { children: ReactNode }) {
  // Effects run children first: the listeners of useAppBridge are in place before the handshake is asked for.
  useEffect(() => {
    if (appBridge && !readySent) {
      readySent = true;
      appBridge.sendNotifyReadyAction();
    }
  }, []);
  if (!appBridge) return <AppContext.Provider value={NO_BRIDGE}>{children}</AppContext.Provider>;
  return <AppBridgeProvider appBridgeInstance={appBridge}>{children}</AppBridgeProvider>;
}

export type Connection = { status: "waiting" } | { status: "standalone" } | { status: "ready"; theme: ThemeType };

/** Whether the dashboard has greeted the page (with a token and its theme). Used once, by the app's root. */
export function useConnection(): Connection {
  const { appBridge: bridge, appBridgeState } = useAppBridge();
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    if (!bridge) return;
    const timer = window.setTimeout(() => setGaveUp(true), HANDSHAKE_WAIT_MS);
    return () => window.clearTimeout(timer);
  }, [bridge]);
  if (!bridge) return { status: "standalone" };
  if (appBridgeState?.token) return { status: "ready", theme: appBridgeState.theme ?? "light" };
  return gaveUp ? { status: "standalone" } : { status: "waiting" };
}

export type Bridge = {
  notify: (status: "success" | "error" | "info", title: string, text?: string) => void;
  updateRoute: (route: string) => void;
};

/** What the pages ask of the dashboard; a page that is not in a dashboard asks nothing. */
export function useBridge(): Bridge {
  const { appBridge: bridge } = useContext(AppContext);
  return useMemo(
    () => ({
      notify: (status, title, text) => {
        bridge?.dispatch(actions.Notification({ status, title, text })).catch(() => undefined);
      },
      updateRoute: (route) => {
        bridge?.dispatch(actions.UpdateRouting({ newRoute: route })).catch(() => undefined);
      },
    }),
    [bridge],
  );
}
