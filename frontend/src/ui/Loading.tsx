import { Box, Spinner, Text } from "@saleor/macaw-ui";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <Box display="flex" alignItems="center" gap={3} padding={6} role="status">
      <Spinner />
      <Text color="default2">{label}</Text>
    </Box>
  );
}
