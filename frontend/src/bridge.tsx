import { actions, AppBridge, type ThemeType } from "@saleor/app-sdk/app-bridge";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

import { setToken } from "./api";

/**
 * The dashboard side: Saleor's dashboard loads these pages in an iframe and hands them,
 * through AppBridge (postMessage), a token of this app for the logged-in staff user. The
 * pages send it to the plugin's API, which asks Saleor who it is and what it may do.
 */
type BridgeState =
  | { status: "waiting" }
  | { status: "standalone" }
  | { status: "ready"; theme: ThemeType; email?: string };

type BridgeContextValue = {
  state: BridgeState;
  notify: (status: "success" | "error" | "info", title: string, text?: string) => void;
  updateRoute: (route: string) => void;
  reportHeight: (height: number) => void;
};

const BridgeContext = createContext<BridgeContextValue | null>(null);

let bridge: AppBridge | undefined;
const HANDSHAKE_WAIT_MS = 6000;

export function BridgeProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<BridgeState>({ status: "waiting" });

  useEffect(() => {
    if (window.parent === window) {
      setState({ status: "standalone" });
      return;
    }
    bridge = bridge ?? new AppBridge({ autoNotifyReady: true });
    const sync = () => {
      const s = bridge!.getState();
      if (s.token) {
        setToken(s.token);
        setState({ status: "ready", theme: s.theme ?? "light", email: s.user?.email });
      }
    };
    const unsubscribers = [
      bridge.subscribe("handshake", sync),
      bridge.subscribe("tokenRefresh", sync),
      bridge.subscribe("theme", sync),
    ];
    sync();
    const timer = window.setTimeout(() => {
      if (!bridge!.getState().token) setState({ status: "standalone" });
    }, HANDSHAKE_WAIT_MS);
    return () => {
      window.clearTimeout(timer);
      unsubscribers.forEach((u) => u());
    };
  }, []);

  const value: BridgeContextValue = {
    state,
    notify: (status, title, text) => {
      bridge?.dispatch(actions.Notification({ status, title, text })).catch(() => undefined);
    },
    updateRoute: (route) => {
      bridge?.dispatch(actions.UpdateRouting({ newRoute: route })).catch(() => undefined);
    },
    reportHeight: (height) => {
      if (height > 0) bridge?.dispatch(actions.WidgetResize({ height: Math.ceil(height) })).catch(() => undefined);
    },
  };
  return <BridgeContext.Provider value={value}>{children}</BridgeContext.Provider>;
}

export function useBridge(): BridgeContextValue {
  const value = useContext(BridgeContext);
  if (!value) throw new Error("useBridge outside BridgeProvider");
  return value;
}
