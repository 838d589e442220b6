import { Box, Text } from "@saleor/macaw-ui";

/** What the last change did, until the next one. */
export function SuccessMessage({ text }: { text: string }) {
  return (
    <Box role="status" data-testid="success-message" padding={3} marginBottom={4} borderRadius={3} backgroundColor="success1">
      <Text>{text}</Text>
    </Box>
  );
}
