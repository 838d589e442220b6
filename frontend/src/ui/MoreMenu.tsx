import { Box, Button, Dropdown, Text } from "@saleor/macaw-ui";
import { EllipsisVertical } from "lucide-react";

export type MenuItem = { label: string; onSelect: () => void; danger?: boolean };

/** The three vertical dots with their menu. */
export function MoreMenu({ label, items }: { label: string; items: MenuItem[] }) {
  return (
    <Dropdown>
      <Dropdown.Trigger>
        <Button variant="tertiary" icon={<EllipsisVertical size={18} />} aria-label={label} title={label} />
      </Dropdown.Trigger>
      <Dropdown.Content align="end">
        <Box
          role="menu"
          backgroundColor="default1"
          borderRadius={4}
          boxShadow="defaultOverlay"
          padding={1}
          display="flex"
          flexDirection="column"
          __minWidth="160px"
        >
          {items.map((item) => (
            <Dropdown.Item key={item.label}>
              <Box
                as="button"
                type="button"
                role="menuitem"
                onClick={item.onSelect}
                borderWidth={0}
                backgroundColor={{ default: "default1", hover: "default1Hovered" }}
                paddingX={3}
                paddingY={2}
                borderRadius={3}
                cursor="pointer"
                textAlign="left"
              >
                <Text color={item.danger ? "critical1" : "default1"}>{item.label}</Text>
              </Box>
            </Dropdown.Item>
          ))}
        </Box>
      </Dropdown.Content>
    </Dropdown>
  );
}
