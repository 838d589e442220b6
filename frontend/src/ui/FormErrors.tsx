import { Box, Text } from "@saleor/macaw-ui";

/** A form's errors that belong to no field, above the form; nothing when there are none. */
export function FormErrors({ messages }: { messages: string[] }) {
  if (!messages.length) return null;
  return (
    <Box role="alert" data-testid="form-errors" paddingBottom={4}>
      {messages.map((m) => (
        <Text key={m} as="p" color="critical1">
          {m}
        </Text>
      ))}
    </Box>
  );
}
