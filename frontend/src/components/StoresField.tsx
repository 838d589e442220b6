import { Box, Checkbox, Text } from "@saleor/macaw-ui";

import type { SaleorChannel } from "../api";
import { FieldError } from "../ui";

/**
 * The stores (the shop's Saleor channels) an attachment is limited to, one checkbox each;
 * none ticked: every store. A slug the attachment keeps but the shop no longer has is shown
 * too, so that it can be unticked.
 */
export function StoresField({
  stores,
  value,
  onChange,
  error,
}: {
  /** The shop's Saleor channels; null while they load or when they cannot be listed. */
  stores: SaleorChannel[] | null;
  value: string[];
  onChange: (value: string[]) => void;
  error?: string;
}) {
  const known = stores ?? [];
  const gone = value.filter((slug) => !known.some((s) => s.slug === slug));
  const choices = [
    ...known.map((s) => ({ slug: s.slug, label: s.name })),
    ...gone.map((slug) => ({ slug, label: stores ? `${slug} (not in the shop)` : slug })),
  ];
  if (!choices.length || (known.length < 2 && !value.length)) return null; // one store: nothing to choose
  return (
    <Box as="fieldset" borderWidth={0} padding={0} margin={0} data-testid="stores">
      <Box as="legend" paddingBottom={2}>
        <Text size={3} fontWeight="medium">
          Stores
        </Text>
      </Box>
      <Text as="p" size={2} color="default2" paddingBottom={2}>
        Notify only of what happens in these stores. None ticked: every store, and also events of no store (a
        registration, a survey without a purchase).
      </Text>
      <Box display="flex" gap={6} flexWrap="wrap">
        {choices.map((c) => (
          <Checkbox
            key={c.slug}
            checked={value.includes(c.slug)}
            error={Boolean(error)}
            onCheckedChange={(checked: boolean | "indeterminate") =>
              onChange(checked === true ? [...value.filter((v) => v !== c.slug), c.slug] : value.filter((v) => v !== c.slug))
            }
            aria-label={c.label}
          >
            <Text>{c.label}</Text>
          </Checkbox>
        ))}
      </Box>
      <FieldError message={error} />
    </Box>
  );
}
