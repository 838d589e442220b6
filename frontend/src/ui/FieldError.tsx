import { Text } from "@saleor/macaw-ui";

/** The error of one field, under it; nothing when there is none. */
export function FieldError({ message, id }: { message?: string; id?: string }) {
  if (!message) return null;
  return (
    <Text as="p" size={2} color="critical1" paddingTop={1} id={id} data-testid="field-error">
      {message}
    </Text>
  );
}
