import { Box, Text } from "@saleor/macaw-ui";

import { useRouter } from "../router";

export type Tab = "events" | "channels";

const TABS: { label: string; to: Tab }[] = [
  { label: "System notifications", to: "events" },
  { label: "Channels", to: "channels" },
];

/** The two sections of the app, as tabs above every page but the order's. */
export function Tabs({ current }: { current: Tab }) {
  const { navigate } = useRouter();
  return (
    <Box as="nav" display="flex" gap={6} borderBottomWidth={1} borderBottomStyle="solid" borderColor="default1" marginBottom={6}>
      {TABS.map((t) => {
        const active = current === t.to;
        return (
          <Box
            as="button"
            type="button"
            key={t.to}
            onClick={() => navigate(t.to)}
            aria-current={active ? "page" : undefined}
            borderWidth={0}
            borderBottomWidth={1}
            __borderBottomWidth="2px"
            borderBottomStyle="solid"
            borderColor={active ? "accent1" : "transparent"}
            backgroundColor="default1"
            paddingX={0}
            paddingY={3}
            cursor="pointer"
          >
            <Text fontWeight={active ? "bold" : "regular"} color={active ? "default1" : "default2"}>
              {t.label}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
