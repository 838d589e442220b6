import { Box, Text, useTheme } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

export type Tone = "default" | "info" | "success" | "critical" | "warning";

/**
 * The marks' colours per theme. Macaw's tone backgrounds stay pale in the dark theme while its
 * text turns white, so a mark picks both colours itself: pale fill and dark text in the light
 * theme, dark fill and pale text in the dark one (each pair above 4.5:1).
 */
const MARK_COLOURS: Record<"light" | "dark", Record<Tone, { bg: string; fg: string }>> = {
  light: {
    default: { bg: "hsla(220, 14%, 93%, 1)", fg: "hsla(232, 17%, 18%, 1)" },
    info: { bg: "hsla(215, 100%, 92%, 1)", fg: "hsla(215, 80%, 25%, 1)" },
    success: { bg: "hsla(173, 60%, 88%, 1)", fg: "hsla(173, 90%, 18%, 1)" },
    critical: { bg: "hsla(11, 100%, 93%, 1)", fg: "hsla(11, 85%, 30%, 1)" },
    warning: { bg: "hsla(42, 100%, 84%, 1)", fg: "hsla(30, 80%, 20%, 1)" },
  },
  dark: {
    default: { bg: "hsla(232, 12%, 28%, 1)", fg: "hsla(0, 0%, 96%, 1)" },
    info: { bg: "hsla(215, 55%, 24%, 1)", fg: "hsla(215, 100%, 86%, 1)" },
    success: { bg: "hsla(173, 70%, 15%, 1)", fg: "hsla(173, 79%, 72%, 1)" },
    critical: { bg: "hsla(11, 60%, 22%, 1)", fg: "hsla(11, 100%, 87%, 1)" },
    warning: { bg: "hsla(42, 65%, 20%, 1)", fg: "hsla(42, 100%, 80%, 1)" },
  },
};

/** A small coloured label (a status, a property). */
export function Mark({ children, tone = "default" }: { children: ReactNode; tone?: Tone }) {
  const { theme } = useTheme();
  const colours = MARK_COLOURS[theme === "defaultDark" ? "dark" : "light"][tone];
  return (
    <Box
      as="span"
      display="inline-flex"
      alignItems="center"
      borderRadius={3}
      paddingX={1.5}
      __paddingTop="2px"
      __paddingBottom="2px"
      __backgroundColor={colours.bg}
      __color={colours.fg}
      __whiteSpace="nowrap"
      data-testid="mark"
      data-tone={tone}
    >
      <Text size={2} __color={colours.fg} fontWeight="medium">
        {children}
      </Text>
    </Box>
  );
}
