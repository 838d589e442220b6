import { Box } from "@saleor/macaw-ui";

/** The seed's on/off switch. */
export function SwitchControl({
  checked,
  onChange,
  label,
  disabled,
}: {
  checked: boolean;
  onChange: (value: boolean) => void;
  label: string;
  disabled?: boolean;
}) {
  return (
    <Box
      as="button"
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      cursor={disabled ? "not-allowed" : "pointer"}
      borderWidth={0}
      padding={0.5}
      borderRadius={6}
      backgroundColor={checked ? "accent1" : "default1Pressed"}
      display="flex"
      alignItems="center"
      justifyContent={checked ? "flex-end" : "flex-start"}
      opacity={disabled ? "0.6" : "1"}
      __width="36px"
      __height="20px"
      __transition="background-color 120ms"
    >
      <Box as="span" display="block" borderRadius={6} backgroundColor="default1" __width="16px" __height="16px" />
    </Box>
  );
}
