import { useTheme } from "@saleor/macaw-ui";
import type { ThemeType } from "@saleor/app-sdk/app-bridge";
import { useEffect } from "react";

/** Follows the dashboard's theme (once it has told it). */
export function ThemeSync({ theme }: { theme: ThemeType | null }) {
  const { setTheme } = useTheme();
  useEffect(() => {
    if (theme) setTheme(theme === "dark" ? "defaultDark" : "defaultLight");
  }, [theme, setTheme]);
  return null;
}
