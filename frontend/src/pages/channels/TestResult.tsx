import { Box, Text } from "@saleor/macaw-ui";

/** What the last test send answered, green when it was delivered. */
export function TestResult({ text }: { text: string }) {
  const delivered = text.startsWith("Test delivered");
  return (
    <Box role="status" data-testid="test-result" padding={3} marginBottom={4} borderRadius={3} borderWidth={1}
      borderStyle="solid"
      borderColor={delivered ? "success1" : "critical1"}
      backgroundColor={delivered ? "success1" : "default1"}>
      <Text>{text}</Text>
    </Box>
  );
}
