import { Box, Checkbox, Text } from "@saleor/macaw-ui";

import { SOURCES, type Source } from "../events";
import { FieldError } from "../ui";

/** The sources an attachment listens to, as three checkboxes. */
export function SourcesField({
  value,
  onChange,
  error,
}: {
  value: Source[];
  onChange: (value: Source[]) => void;
  error?: string;
}) {
  return (
    <Box as="fieldset" borderWidth={0} padding={0} margin={0} data-testid="sources">
      <Box as="legend" paddingBottom={2}>
        <Text size={3} fontWeight="medium">
          Sources
        </Text>
      </Box>
      <Text as="p" size={2} color="default2" paddingBottom={2}>
        Notify only when the contact, order or subscription comes from these sources.
      </Text>
      <Box display="flex" gap={6}>
        {SOURCES.map((s) => (
          <Checkbox
            key={s.value}
            checked={value.includes(s.value)}
            error={Boolean(error)}
            onCheckedChange={(checked: boolean | "indeterminate") =>
              onChange(checked === true ? [...value.filter((v) => v !== s.value), s.value] : value.filter((v) => v !== s.value))
            }
            aria-label={s.label}
          >
            <Text>{s.label}</Text>
          </Checkbox>
        ))}
      </Box>
      <FieldError message={error} />
    </Box>
  );
}
